"""datumc diagnostics as LSP diagnostics: 0-based ranges, severities, a fix when the
hint names exactly one replacement."""

from __future__ import annotations

import re
from dataclasses import dataclass

from datumc.diagnostics import Diagnostic, Severity
from datumc.lsp.text import Span, from_utf16, line_at, to_utf16, token_span

# LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint.
SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
SOURCE = "datumc"
_DID_YOU_MEAN = re.compile(r"^did you mean '([^']+)'\?$")


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace the text at `span` by `new_text`."""

    title: str
    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class LspDiagnostic:
    span: Span
    severity: int
    code: str
    message: str
    fix: Fix | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "range": span_json(self.span),
            "severity": self.severity,
            "code": self.code,
            "source": SOURCE,
            "message": self.message,
        }


def span_json(span: Span) -> dict[str, object]:
    return {"start": {"line": span.line, "character": span.start},
            "end": {"line": span.line, "character": span.end}}


def convert(diag: Diagnostic, text: str) -> LspDiagnostic:
    """`diag` (1-based line and column; 0 means the whole file) on the buffer `text`."""
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    severity = SEVERITY.get(diag.severity, 3)
    if diag.line <= 0:
        return LspDiagnostic(Span(0, 0, 0), severity, diag.code, message)
    line = diag.line - 1
    row = line_at(text, line)
    column = max(diag.column - 1, 0)
    token = token_span(row, column)
    if token is None:
        end = max(len(row.rstrip()), column)
        span = Span(line, to_utf16(row, column), to_utf16(row, end))
    else:
        span = Span(line, to_utf16(row, token[0]), to_utf16(row, token[1]))
    return LspDiagnostic(span, severity, diag.code, message, _fix(diag, row, column, line))


def _fix(diag: Diagnostic, row: str, column: int, line: int) -> Fix | None:
    """The did-you-mean replacement, when the word it replaces is the one the message
    quotes and sits exactly at the diagnostic's position (a key, a name, a section)."""
    match = _DID_YOU_MEAN.match(diag.hint.strip())
    token = token_span(row, column)
    if match is None or token is None:
        return None
    suggestion = match.group(1)
    start, end, word = token
    quoted = row[start] in "\"'"
    if not quoted and "." in word:  # a dotted key: pick the segment the message names
        offset = start
        for part in word.split("."):
            if f"'{part}'" in diag.message:
                start, end, word = offset, offset + len(part), part
                break
            offset += len(part) + 1
    if not word or word == suggestion or f"'{word}'" not in diag.message:
        return None
    if quoted:
        start, end = start + 1, end - 1
    span = Span(line, to_utf16(row, start), to_utf16(row, end))
    return Fix(f"Replace '{word}' with '{suggestion}'", span, suggestion)


def fixes_in(diags: list[LspDiagnostic], line: int, start: int, end_line: int,
             end: int) -> list[tuple[LspDiagnostic, Fix]]:
    """The fixes of the diagnostics that touch the requested range."""
    out = []
    for diag in diags:
        if diag.fix is None:
            continue
        s = diag.span
        if (s.line, s.end) < (line, start) or (s.line, s.start) > (end_line, end):
            continue
        out.append((diag, diag.fix))
    return out


__all__ = ["Fix", "LspDiagnostic", "convert", "fixes_in", "from_utf16", "span_json"]
