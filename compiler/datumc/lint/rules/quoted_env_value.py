"""A quoted value in a .env file.

Why: podman and docker `--env-file` (and Kubernetes `--from-env-file`) take the
line literally: `OPENAI_API_KEY="sk-..."` sets a key that *includes* the two
quote characters, and every request fails with "invalid API key". Shells,
`docker compose` and python-dotenv strip the quotes, which is why this works on
one machine and not another. datumc's podman target passes the file with
`--env-file`. Write values bare; a value with spaces needs no quotes either.

Bad:
    OPENAI_API_KEY="sk-proj-..."

Good:
    OPENAI_API_KEY=sk-proj-...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envfile import is_quoted
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC301"
NAME = "quoted-env-value"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    for entry in doc.entries:
        if is_quoted(entry.raw_value):
            yield Diagnostic(
                CODE, SEVERITY,
                f"{entry.key}: the value is quoted; podman/docker --env-file keep the quote "
                "characters as part of the value",
                doc.display, entry.line, entry.value_column,
                hint=f"remove the quotes: {entry.key}=value",
            )
