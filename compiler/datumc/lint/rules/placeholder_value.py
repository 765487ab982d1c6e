"""A .env value that is still template text: `your-api-key`, `change-me`, `<key>`, `xxxx`.

Why: a placeholder looks set, so nothing complains until the provider answers
"invalid API key". Template files (`.env.example`, `env.sample`, `.env.template`)
are meant to hold placeholders and are not checked. The public example key
`sk-1234`, which the proxy refuses as a master key, counts as a placeholder here
(and in `datumc doctor`: one test for both). An error when the project's datums
need the variable, a warning otherwise.

Bad:
    OPENAI_API_KEY=your-openai-api-key-here

Good:
    OPENAI_API_KEY=sk-proj-...          # the real key, in a .env that is never committed
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envfile import is_template
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc
from datumc.secrets.detect import mask, secret_like, unusable_env_value

CODE = "DC304"
NAME = "placeholder-value"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    if is_template(doc):
        return
    for entry in doc.entries:
        if unusable_env_value(entry.value):
            shown = mask(entry.value) if secret_like(entry.value) else entry.value[:40]
            needed_here = needed is not None and entry.key in needed
            yield Diagnostic(
                CODE, SEVERITY if not needed_here else Severity.ERROR,
                f"{entry.key} still holds a placeholder ('{shown}')"
                + ("; the deployment reads it, so every use fails" if needed_here else ""),
                doc.display, entry.line, entry.value_column,
                hint="put the real value here, or remove the line",
            )
