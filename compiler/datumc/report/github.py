"""GitHub Actions workflow annotations: `::error file=F,line=L,col=C,title=CODE::message`.

Escaping follows the runner's rules for workflow commands: in the message,
`%`, CR and LF become `%25`, `%0D`, `%0A`; in property values (file, title) `:`
and `,` are escaped too (`%3A`, `%2C`), so a path or message can never end the
command early or inject a second one.
"""

from __future__ import annotations

from collections.abc import Sequence

from datumc.diagnostics import Diagnostic, Severity
from datumc.secrets.redact import clean

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diag: Diagnostic) -> str:
    props = [f"file={escape_property(diag.path.replace(chr(92), '/'))}"]
    if diag.line > 0:
        props.append(f"line={diag.line}")
        if diag.column > 0:
            props.append(f"col={diag.column}")
    props.append(f"title={escape_property(diag.code)}")
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    return f"::{LEVELS[diag.severity]} {','.join(props)}::{escape_data(message)}"


def render(diags: Sequence[Diagnostic]) -> str:
    diags = [clean(d) for d in diags]  # secrets masked, control characters escaped
    return "".join(annotation(d) + "\n" for d in diags)
