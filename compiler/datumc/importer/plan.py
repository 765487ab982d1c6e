"""The whole import, in memory: a parsed LiteLLM config -> the files to write + findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datumc.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from datumc.importer.codes import DUPLICATE_KEY, STRUCTURE
from datumc.importer.context import Context, dotted
from datumc.importer.models import Draft, convert_models
from datumc.importer.names import assign_names
from datumc.importer.render import render_outputs
from datumc.importer.secrets import EnvNames, referenced_env_names
from datumc.importer.settings import convert_project
from datumc.load.source import Source
from datumc.load.yaml_loader import YamlDoc, parse_yaml
from datumc.plan.model import ConfigModel
from datumc.write.output import Output


@dataclass(frozen=True, slots=True)
class ImportResult:
    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    deployments: int = 0
    groups: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.outputs) and not has_errors(self.diagnostics)


def import_config(doc: YamlDoc) -> ImportResult:
    """Datums + datumc.toml for the config in `doc`. Outputs only when error-free.

    The YAML is read through the one config model, as `datumc lint` reads it."""
    config, found = _read(doc)
    ctx = Context(config, EnvNames(referenced_env_names(config.data)))
    ctx.diagnostics.extend(found)
    _duplicates(ctx)
    drafts = _drafts(ctx)
    if drafts is None:
        return ImportResult((), tuple(sort_diagnostics(ctx.diagnostics)))
    # Settings are converted even when an entry failed, so every error shows at once.
    project = convert_project(ctx, ctx.config.data, drafts)
    assign_names(drafts, reserved=[a for d in drafts for a in d.aliases])
    outputs: list[Output] = []
    if drafts and not has_errors(ctx.diagnostics):
        outputs = render_outputs(ctx, drafts, project)
    diags = tuple(sort_diagnostics(ctx.diagnostics))
    if has_errors(diags):
        return ImportResult((), diags)
    groups = len({d.public for d in drafts if d.group})
    return ImportResult(tuple(outputs), diags, len(drafts), groups)


def _read(doc: YamlDoc) -> tuple[ConfigModel, list[Diagnostic]]:
    """The config with the files `include:` names merged in, as the proxy reads it. When
    one cannot be merged (missing here, say), the config alone: its include is kept
    verbatim and what stopped the merge is a warning."""
    config = ConfigModel.from_yaml(doc)
    if config.includes is None or config.includes.complete:
        return config, list(config.includes.findings if config.includes else ())
    kept = [d.with_severity(Severity.WARNING) for d in config.includes.findings]
    return ConfigModel.from_yaml(doc, follow=False), kept


def import_text(text: str, display: str = "config.yaml") -> ImportResult:
    """Import YAML given as text (tests, property checks)."""
    parsed = parse_yaml(Source(Path(display), display, text))
    if isinstance(parsed, Diagnostic):
        return ImportResult((), (parsed,))
    return import_config(parsed)


def _drafts(ctx: Context) -> list[Draft] | None:
    """Drafts of the model_list entries that convert; None when there is no model_list."""
    root: Any = ctx.doc.data
    if not isinstance(root, dict):
        what = "empty" if root is None else f"a {type(root).__name__}, not a mapping"
        ctx.report(STRUCTURE, Severity.ERROR, f"the config is {what}", (),
                   hint="a LiteLLM config is a mapping with model_list and settings sections")
        return None
    model_list = ctx.config.data.get("model_list")
    if not isinstance(model_list, list) or not model_list:
        if model_list is None:
            what = "the config has no model_list"
        else:
            what = "model_list is empty" if model_list == [] else "model_list is not a list"
        ctx.report(STRUCTURE, Severity.ERROR, f"{what}; nothing to import",
                   ("model_list",) if "model_list" in root else (),
                   hint="model_list is a list of {model_name, litellm_params} entries; datumc "
                   "needs at least one", value=True)
        return None
    return convert_models(ctx, model_list)


def _duplicates(ctx: Context) -> None:
    for path in ctx.doc.duplicate_keys:
        where = dotted(path[:-1]) or "the top level"
        ctx.report(DUPLICATE_KEY, Severity.WARNING,
                   f"duplicate key '{path[-1]}' in {where}: the last one wins, as in LiteLLM",
                   path, hint="merge the two into one key")

