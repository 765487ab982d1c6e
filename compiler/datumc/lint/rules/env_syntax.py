"""A line in a .env file that is not `KEY=value`, a comment or blank.

Why: `--env-file` readers disagree about such lines: docker takes a bare `KEY` to
mean "copy it from my environment", podman may reject the file, python-dotenv
skips it. A stray line is usually a half-pasted value that was meant to be part of
the previous one (multi-line values are not supported by `--env-file`).

Bad:
    OPENAI_API_KEY
    sk-proj-...

Good:
    OPENAI_API_KEY=sk-proj-...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC307"
NAME = "env-syntax"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    for line in doc.invalid_lines:
        yield Diagnostic(
            CODE, SEVERITY, "not a KEY=value line", doc.display, line, 1,
            hint="write KEY=value, or start the line with # to make it a comment",
        )
