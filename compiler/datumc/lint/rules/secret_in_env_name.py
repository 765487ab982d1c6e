"""A secret pasted where the NAME of an environment variable belongs.

Why: `api_key_env`, `api_base_env`, `master_key_env` and the other `*_env` fields
hold the *name* of a variable (`OPENAI_API_KEY`); datumc turns it into
`os.environ/NAME`. The same goes for the part after `os.environ/` in a value. A key
pasted there is a leaked secret: it sits in a file that is usually committed. The
datum or datumc.toml is also rejected, because a key is not a valid variable name
(DC104, reported next to this finding). This rule says what happened, shows the
value masked, and reminds you to rotate the key. It is checked in datums,
datumc.toml and hand-written LiteLLM YAML.

Bad:
    [ai_model]
    api_key_env = "sk-proj-Xg3...9f2a"        # the key itself

    api_key: os.environ/sk-proj-Xg3...9f2a    # config.yaml

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"           # the variable that holds it, set in .env

    api_key: os.environ/OPENAI_API_KEY
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envref import ref_name
from datumc.lint.rule import Scope
from datumc.lint.rules.broken_env_ref import litellm_strings
from datumc.lint.walk import dotted, strings
from datumc.load.positions import KeyPath
from datumc.load.stack import Stack
from datumc.secrets.detect import key_shape, mask, secret_like
from datumc.validate.vocab import is_env_name

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC101"
NAME = "secret-in-env-name"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS

HINT = ("put the key in .env (e.g. OPENAI_API_KEY=...), refer to it by that NAME, and "
        "rotate the key if this file was ever committed or shared")


def secret_ref(value: str) -> str | None:
    """`os.environ/<a pasted key>`: the masked key, else None."""
    name = ref_name(value.strip())
    if name is None or is_env_name(name) or not secret_like(name):
        return None
    return f"{key_shape(name) or 'a secret'} ('{mask(name)}')"


def _message(path: KeyPath, what: str) -> str:
    return f"{dotted(path)}: os.environ/ is followed by what looks like {what}, not a name"


def check(stack: Stack) -> Iterator[Diagnostic]:
    """The `*_env` fields are checked during validation (same code); here: refs."""
    for doc in stack.docs:
        for path, value, _ in litellm_strings(doc):
            what = secret_ref(value)
            if what is not None:
                yield doc.diag(CODE, SEVERITY, _message(path, what), path, hint=HINT,
                               value=True)


def check_yaml(doc: YamlDoc) -> Iterator[Diagnostic]:
    for path, value, _ in strings(doc.data):
        what = secret_ref(value)
        if what is not None:
            yield doc.diag(CODE, SEVERITY, _message(path, what), path, hint=HINT, value=True)


EXTRA_CHECKS = {Scope.YAML: check_yaml}
