"""A secret written into a LiteLLM config instead of an `os.environ/` ref.

Why: config files get committed, mounted into containers, pasted into issues and
printed by `/config` endpoints. A key in one is a leaked key. The rule recognises
key shapes (`sk-`, `sk-ant-`, `sk-proj-`, `gsk_`, `AIza`, `hf_`, `xai-`, long
random tokens) anywhere, and any literal under a secret-sounding key (`api_key`,
`master_key`, `*_token`, `password`, `aws_secret_access_key`, ...). An `api_key`
is a provider credential, and providers issue machine-made keys: a literal
`api_key` is flagged when it has a key's shape or looks random, and a word such as
`not-needed`, `dummy`, `x` or `any-api-key-will-do` (a stand-in for a local server
that ignores the key) is not. Other secret names (`master_key`, `password`, ...)
hold chosen secrets, so any literal there counts, bar stand-ins and placeholders
(a placeholder is DC220). Checked in hand-written configs and in every value datums
and datumc.toml pass to LiteLLM. Values are shown masked.

Bad:
    model_list:
      - model_name: gpt-4o
        litellm_params:
          model: openai/gpt-4o
          api_key: sk-proj-Xg3...9f2a

Good:
          api_key: os.environ/OPENAI_API_KEY
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import SHELL_REF, last_key, secret_ref, strings
from datumc.plan.model import ConfigModel
from datumc.secrets.detect import (
    describe,
    is_dummy,
    is_placeholder,
    is_secret_name,
    key_shape,
    secret_like,
)
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC206"
NAME = "config-hardcoded-secret"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

# Keys that hold a credential a provider issued: only a machine-made value is a key.
ISSUED_KEYS = frozenset({"api_key"})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for path, value, _ in strings(config.data):
        key = last_key(path)
        if secret_ref(value) or not is_secret(key, value):
            continue
        yield config.diag(
            CODE, SEVERITY, f"{config.where(path)}: hardcoded secret, {describe(value)}", path,
            hint="write os.environ/VAR_NAME instead and set VAR_NAME in the proxy's "
            "environment (.env); rotate the key if this file was ever committed or shared",
            value=True,
        )


def is_secret(key: str, value: str) -> bool:
    if key_shape(value) is not None:
        return True
    if not is_secret_name(key) or not _literal(value):
        return False
    return key.lower() not in ISSUED_KEYS or secret_like(value)


def _literal(value: str) -> bool:
    stripped = value.strip().strip("'\"")
    if stripped.startswith(ENV_REF_PREFIX) or SHELL_REF.fullmatch(stripped):
        return False
    return not (is_dummy(stripped) or is_placeholder(stripped))
