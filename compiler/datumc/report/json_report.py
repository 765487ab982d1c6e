"""`{"diagnostics": [...], "summary": {"error": n, "warning": n, "info": n}}`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from datumc.diagnostics import Diagnostic, summarize
from datumc.secrets.redact import clean


def as_dict(diag: Diagnostic) -> dict[str, Any]:
    return {
        "code": diag.code,
        "severity": diag.severity.value,
        "message": diag.message,
        "path": diag.path,
        "line": diag.line,
        "column": diag.column,
        "hint": diag.hint,
    }


def render(diags: Sequence[Diagnostic]) -> str:
    diags = [clean(d) for d in diags]  # secrets masked, control characters escaped
    body = {"diagnostics": [as_dict(d) for d in diags], "summary": summarize(diags)}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
