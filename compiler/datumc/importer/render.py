"""Drafts -> TOML text (tomli-w), each file checked against the schema it must satisfy.

A datum the importer cannot write validly is an error at the model_list entry it came
from, never a file that fails later in `datumc build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path as FsPath
from typing import Any, Final

import tomli_w

from datumc.diagnostics import Diagnostic, Severity
from datumc.importer.codes import INVALID
from datumc.importer.context import Context
from datumc.importer.models import Draft
from datumc.importer.names import file_names
from datumc.load.source import Source
from datumc.load.stack import PROJECT_FILE, load_datum_text
from datumc.load.toml_loader import parse_toml
from datumc.render.yamltext import comment
from datumc.validate.check import validate_model
from datumc.validate.project import Project
from datumc.write.output import Output

DATUM_DIR: Final = "datums"
_FIELD_ORDER: Final = (
    "provider", "litellm_model", "capabilities", "api_base", "api_base_env", "api_key_env",
    "credential", "api_version", "rpm_limit", "tpm_limit", "timeout", "stream_timeout",
    "max_retries", "context_window", "base_model", "access_groups", "model_group", "fallbacks",
    "context_window_fallbacks", "content_policy_fallbacks", "tags", "weight", "order",
    "max_parallel_requests", "cost", "retry", "aws", "vertex", "azure", "parameters",
    "metadata",
)


def datum_table(draft: Draft) -> dict[str, Any]:
    b00t: dict[str, Any] = {"name": draft.name, "type": "ai_model"}
    if draft.aliases:
        b00t["aliases"] = list(draft.aliases)
    fields = dict(draft.ai_model)
    if draft.group:
        fields["model_group"] = draft.public
    if draft.fallbacks:
        fields["fallbacks"] = list(draft.fallbacks)
    ai_model = {key: fields[key] for key in _FIELD_ORDER if key in fields}
    return {"b00t": b00t, "ai_model": ai_model}


def datum_text(draft: Draft, source: str) -> str:
    where = f"line {draft.line} (model_list[{draft.file_index}])"
    header = f"# Imported by `datumc import` from {comment(draft.file or source)}, {where}.\n"
    return header + tomli_w.dumps(datum_table(draft))


def project_text(project: dict[str, Any], source: str) -> str:
    header = (
        f"# Project settings imported by `datumc import` from {comment(source)}.\n"
        "# Every key is optional; `datumc build` turns this and datums/ into config.yaml.\n"
    )
    return header + tomli_w.dumps(project)


def render_outputs(ctx: Context, drafts: Sequence[Draft], project: dict[str, Any]) -> (
    list[Output]
):
    """datumc.toml and one datum per draft, in model_list order; errors go to ctx."""
    source = ctx.doc.display
    outputs = []
    for draft, name in zip(drafts, file_names(drafts), strict=True):
        relpath = f"{DATUM_DIR}/{name}"
        text = datum_text(draft, source)
        _, found = load_datum_text(text, relpath)
        _refuse(ctx, found, ("model_list", draft.index), "a valid datum")
        outputs.append(Output(relpath, text.encode()))
    text = project_text(project, source)
    _refuse(ctx, _project_problems(text), (), f"a valid {PROJECT_FILE}")
    outputs.insert(0, Output(PROJECT_FILE, text.encode()))
    return outputs


def _project_problems(text: str) -> list[Diagnostic]:
    doc = parse_toml(Source(FsPath(PROJECT_FILE), PROJECT_FILE, text))
    if isinstance(doc, Diagnostic):
        return [doc]
    return validate_model(Project, doc, doc.data)[1]


def _refuse(ctx: Context, found: list[Diagnostic], path: tuple[str | int, ...],
            what: str) -> None:
    for diag in found:
        if diag.severity is Severity.ERROR:
            ctx.report(INVALID, Severity.ERROR,
                       f"cannot be written as {what}: {diag.message}", path,
                       hint="fix this value in the source config")
