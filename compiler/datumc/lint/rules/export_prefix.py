"""`export KEY=value` in a .env file.

Why: `export` is shell syntax. podman and docker `--env-file` do not run a shell:
they read `export OPENAI_API_KEY` as the variable *name*, or reject the line, so
the variable the proxy needs is never set. Sourcing the file in a shell works,
which hides the problem until the container starts.

Bad:
    export OPENAI_API_KEY=sk-...

Good:
    OPENAI_API_KEY=sk-...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC302"
NAME = "export-prefix"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    for entry in doc.entries:
        if entry.exported:
            yield Diagnostic(
                CODE, SEVERITY,
                f"'export {entry.key}': --env-file does not understand shell syntax",
                doc.display, entry.line, 1,
                hint=f"drop 'export ': {entry.key}=...",
            )
