"""A secret pasted where the NAME of an environment variable belongs.

Why: `api_key_env`, `api_base_env` and the other `*_env` fields hold the *name*
of a variable (`OPENAI_API_KEY`), and datumc turns it into `os.environ/NAME`. A key
pasted there is a leaked secret: it sits in a file that is usually committed, and
the datum is rejected because a key is not a valid variable name (DC104). This rule
says what happened, shows the value masked, and reminds you to rotate the key.
It also reads datums that failed validation, and datumc.toml (`master_key_env`, ...).

Bad:
    [ai_model]
    api_key_env = "sk-proj-Xg3...9f2a"        # the key itself

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"           # the variable that holds it, set in .env
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.walk import dotted, strings
from datumc.load.toml_loader import TomlDoc
from datumc.schema.vocab import is_env_name
from datumc.secrets import key_shape, mask, secret_like
from datumc.stack import Stack

CODE = "DC101"
NAME = "secret-in-env-name"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    docs: list[TomlDoc] = list(stack.docs)
    if stack.project_doc is not None:
        docs.append(stack.project_doc)
    for doc in docs:
        yield from _check_doc(doc)


def _check_doc(doc: TomlDoc) -> Iterator[Diagnostic]:
    for path, value, _ in strings(doc.data):
        if not path or not isinstance(path[-1], str) or not path[-1].endswith("_env"):
            continue
        if is_env_name(value) or not secret_like(value):
            continue
        what = key_shape(value) or "a secret"
        yield doc.diag(
            CODE, SEVERITY,
            f"{dotted(path)} holds what looks like {what} ('{mask(value)}'), not the name "
            "of an environment variable",
            path,
            hint="put the key in your .env file as e.g. OPENAI_API_KEY=..., write that "
            f"NAME here ({path[-1]} = \"OPENAI_API_KEY\"), and rotate the key if this file "
            "was ever committed or shared",
            value=True,
        )
