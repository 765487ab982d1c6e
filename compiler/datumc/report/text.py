"""`path:line:col: severity CODE message`, with the fix hint indented below."""

from __future__ import annotations

from collections.abc import Sequence

from datumc.diagnostics import Diagnostic
from datumc.secrets.redact import clean


def line(diag: Diagnostic) -> str:
    return f"{diag.location()}: {diag.severity.value} {diag.code} {diag.message}"


def render(diags: Sequence[Diagnostic]) -> str:
    diags = [clean(d) for d in diags]  # secrets masked, control characters escaped
    out = []
    for diag in diags:
        out.append(line(diag))
        if diag.hint:
            out.extend(f"    {part}" if i else f"    hint: {part}"
                       for i, part in enumerate(diag.hint.splitlines()))
    return "\n".join(out) + ("\n" if out else "")
