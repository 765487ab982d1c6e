"""SARIF 2.1.0: the format GitHub code scanning (and most CI dashboards) ingest.

One run, with every rule datumc knows in `tool.driver.rules` (help text = the
rule's doc, the same text `datumc explain` prints) and one result per finding.
Regions are 1-based and counted in Unicode code points, as datumc's positions are;
a whole-file finding (line 0) has no region.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from datumc import __version__
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.registry import RULES
from datumc.lint.rule import Rule
from datumc.secrets.redact import clean

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    summary = rule.doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"scope": rule.scope.value, "configurable": rule.configurable},
    }


def _location(diag: Diagnostic) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(diag.path)}}
    if diag.line > 0:
        region: dict[str, int] = {"startLine": diag.line}
        if diag.column > 0:
            region["startColumn"] = diag.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference with forward slashes (absolute paths as file: URIs)."""
    posix = path.replace("\\", "/")
    if PurePath(path).is_absolute():
        return "file://" + quote(posix if posix.startswith("/") else "/" + posix)
    return quote(posix)


def _result(diag: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    text = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "level": LEVELS[diag.severity],
        "message": {"text": text},
        "locations": [_location(diag)],
    }
    if diag.code in index:
        result["ruleIndex"] = index[diag.code]
    return result


def document(diags: Sequence[Diagnostic]) -> dict[str, Any]:
    rules = list(RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "datumc",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(d, index) for d in diags],
        }],
    }


def render(diags: Sequence[Diagnostic]) -> str:
    cleaned = [clean(d) for d in diags]  # secrets masked, control characters escaped
    return json.dumps(document(cleaned), indent=2, ensure_ascii=False) + "\n"
