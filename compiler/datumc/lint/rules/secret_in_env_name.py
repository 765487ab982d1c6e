"""A secret pasted where the NAME of an environment variable belongs.

Why: `api_key_env`, `api_base_env`, `master_key_env` and the other `*_env` fields
hold the *name* of a variable (`OPENAI_API_KEY`); datumc turns it into
`os.environ/NAME`. The same goes for the part after `os.environ/` in a value. A key
pasted there is a leaked secret: it sits in a file that is usually committed. The
datum or datumc.toml is also rejected, because a key is not a valid variable name
(DC104, reported next to this finding). This rule says what happened, shows the
value masked, and reminds you to rotate the key. It is checked in the `*_env` fields of datums and
datumc.toml, and in every `os.environ/` ref of a LiteLLM config, hand-written or
planned from datums.

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

from datumc.diagnostics import Diagnostic
from datumc.lint.rule import Scope
from datumc.lint.rules.common import secret_ref
from datumc.plan.model import ConfigModel
from datumc.validate.check import SECRET_IN_ENV_NAME

CODE = SECRET_IN_ENV_NAME  # declared where validation emits it for `*_env` fields
NAME = "secret-in-env-name"
SEVERITY = SECRET_IN_ENV_NAME.severity
SCOPE = Scope.CONFIG

HINT = ("put the key in .env (e.g. OPENAI_API_KEY=...), refer to it by that NAME, and "
        "rotate the key if this file was ever committed or shared")


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    """`os.environ/<a key>` anywhere in the config (`*_env` fields: during validation)."""
    for path, value, _ in config.refs():
        what = secret_ref(value)
        if what is not None:
            yield config.diag(
                CODE, SEVERITY,
                f"{config.where(path)}: os.environ/ is followed by what looks like {what}, "
                "not a name", path, hint=HINT, value=True)
