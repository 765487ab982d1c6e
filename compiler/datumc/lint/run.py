"""Run the rules: datum and project rules over a Stack, config rules over a config model."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import config_checks, datum_checks, project_checks, yaml_checks
from datumc.load.stack import Stack
from datumc.plan.model import ConfigModel
from datumc.validate.project import project_variants

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc


def lint_stack(stack: Stack) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in datum_checks():
        out.extend(check(stack))
    for check in project_checks():
        out.extend(check(stack))
    return out


def lint_config(config: ConfigModel) -> list[Diagnostic]:
    """Every config-level rule, on a hand-written config or a planned one alike."""
    out: list[Diagnostic] = []
    for check in config_checks():
        out.extend(check(config))
    return out


def lint_yaml(doc: YamlDoc, texts: dict[str, str] | None = None) -> list[Diagnostic]:
    """A hand-written LiteLLM config with the files it includes: the config rules on
    what the proxy merges, and the rules about each file's text (`texts` gets the
    included files' text, for inline suppressions)."""
    config = ConfigModel.from_yaml(doc)
    out = lint_config(config)
    docs = [doc]
    if config.includes is not None:
        out.extend(config.includes.reported())
        docs.extend(config.includes.docs)
    for one in docs:
        if texts is not None:
            texts[one.display] = one.source.text
        for check in yaml_checks():
            out.extend(check(one))
    return out


def lint_other_profiles(stack: Stack) -> list[Diagnostic]:
    """The config rules on every other variant of the project (the base and each
    profile): a typo in [profiles.prod] is reported while you build dev. A variant that
    serves other datums ([profiles.NAME.datums]) gets the datum rules too; what it finds
    in a datum file that the build at hand does not is marked with the variant."""
    out: list[Diagnostic] = []
    own: set[Diagnostic] | None = None
    for variant in _variants(stack):
        found = _planned(variant)
        if variant.entries is not stack.entries:
            found.extend(_datum_findings(variant))
            if own is None:
                own = {*_planned(stack), *_datum_findings(stack)}
            found = [_marked(d, variant, own) for d in found]
        out.extend(found)
    return out


def _planned(stack: Stack) -> list[Diagnostic]:
    """What planning the stack's config finds, and the config rules on the plan."""
    from datumc.plan.config import build_config

    config, found = build_config(stack)
    return [*found, *lint_config(config.served)]


def _datum_findings(stack: Stack) -> list[Diagnostic]:
    return [diag for check in datum_checks() for diag in check(stack)]


def _marked(diag: Diagnostic, variant: Stack, own: set[Diagnostic]) -> Diagnostic:
    """A finding in a datum file that only `variant` has says which variant it is."""
    project = variant.project_doc
    if diag in own or (project is not None and diag.path == project.display):
        return diag
    name = f"profile '{variant.profile}'" if variant.profile else "without a profile"
    return replace(diag, message=f"{name}: {diag.message}")


def _variants(stack: Stack) -> list[Stack]:
    doc = stack.project_doc
    if doc is None:
        return []
    return [replace(stack, project=project, profile=name, entries=stack.entries_of(name))
            for name, project in project_variants(doc.data) if name != stack.profile]


def stack_texts(stack: Stack) -> dict[str, str]:
    """Display path -> source text, for inline suppressions."""
    docs = [*(e.doc for e in stack.entries), *stack.rejected]
    texts = {doc.display: doc.source.text for doc in docs}
    if stack.project_doc is not None:
        texts[stack.project_doc.display] = stack.project_doc.source.text
    return texts
