"""A variable the enabled datums need is not set (or is empty) in the .env file.

Why: LiteLLM resolves `os.environ/NAME` to None when the variable is missing, with
no warning at startup; the first request to that model fails with "Missing
credentials" or a connection error. The needed names are what `datumc build`
puts in `.env.example`: every `api_key_env` and `api_base_env` of an enabled datum,
the master key, and Redis/Postgres settings when configured. Checked only when
there is a datum project to compare with (`--project`). In a template
(`.env.example`) empty values are expected; missing names are still reported.

Bad:
    # datums need OPENAI_API_KEY and LITELLM_MASTER_KEY
    LITELLM_MASTER_KEY=sk-...

Good:
    LITELLM_MASTER_KEY=sk-...
    OPENAI_API_KEY=sk-proj-...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envfile import is_template
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC306"
NAME = "missing-env-var"
SEVERITY = Severity.ERROR
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    if not needed:
        return
    values: dict[str, str] = {}
    for entry in doc.entries:
        values[entry.key] = entry.value
    template = is_template(doc)
    for name, purpose in needed.items():
        if name not in values:
            yield Diagnostic(
                CODE, SEVERITY,
                f"{name} is needed by the enabled datums but is not set in this file"
                + _for(purpose), doc.display, hint=f"add a line {name}=...",
            )
        elif not values[name].strip() and not template:
            line = next(e.line for e in doc.entries if e.key == name)
            yield Diagnostic(
                CODE, SEVERITY,
                f"{name} is empty, so LiteLLM gets an empty value{_for(purpose)}",
                doc.display, line, 1, hint=f"set {name} to its value",
            )


def _for(purpose: str) -> str:
    return f" (it is the {purpose})" if purpose else ""
