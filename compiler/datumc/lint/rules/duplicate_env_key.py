"""The same variable set twice in one .env file.

Why: which one wins depends on the reader (the last for docker/podman and
python-dotenv, the first for some others), so the file says two things at once.
Usually an old key was left above a new one.

Bad:
    OPENAI_API_KEY=sk-old...
    OPENAI_API_KEY=sk-new...

Good:
    OPENAI_API_KEY=sk-new...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC303"
NAME = "duplicate-env-key"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    for entry in doc.entries:
        line = first.setdefault(entry.key, entry.line)
        if line != entry.line:
            yield Diagnostic(
                CODE, SEVERITY, f"{entry.key} is already set on line {line}",
                doc.display, entry.line, entry.column,
                hint="keep one; readers disagree on which one wins",
            )
