"""A .env value that is still template text: `your-api-key`, `change-me`, `<key>`, `xxxx`.

Why: a placeholder looks set, so nothing complains until the provider answers
"invalid API key". Template files (`.env.example`, `env.sample`, `.env.template`)
are meant to hold placeholders and are not checked.

Bad:
    OPENAI_API_KEY=your-openai-api-key-here

Good:
    OPENAI_API_KEY=sk-proj-...          # the real key, in a .env that is never committed
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envfile import is_template
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc
from datumc.secrets.detect import is_placeholder, mask, secret_like

CODE = "DC304"
NAME = "placeholder-value"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: list[str] | None) -> Iterator[Diagnostic]:
    if is_template(doc):
        return
    for entry in doc.entries:
        if is_placeholder(entry.value):
            shown = mask(entry.value) if secret_like(entry.value) else entry.value[:40]
            yield Diagnostic(
                CODE, SEVERITY,
                f"{entry.key} still holds a placeholder ('{shown}')",
                doc.display, entry.line, entry.value_column,
                hint="put the real value here, or remove the line",
            )
