"""A secret written into a LiteLLM config instead of an `os.environ/` ref.

Why: config files get committed, mounted into containers, pasted into issues and
printed by `/config` endpoints. A key in one is a leaked key. The rule recognises
key shapes (`sk-`, `sk-ant-`, `sk-proj-`, `gsk_`, `AIza`, `hf_`, `xai-`, long
random tokens) anywhere, and any literal under a secret-sounding key (`api_key`,
`master_key`, `*_token`, `password`, `aws_secret_access_key`, ...). Stand-in keys
for local servers that ignore them (`local`, `not-needed`, `dummy`, `EMPTY`,
`no-key`) are not secrets. Values are shown masked.

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
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envref import SHELL_REF
from datumc.lint.rule import Scope
from datumc.lint.rules.secret_in_env_name import secret_ref
from datumc.lint.walk import dotted, strings
from datumc.secrets.detect import describe, is_dummy, is_placeholder, is_secret_name, key_shape
from datumc.validate.vocab import ENV_REF_PREFIX

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC206"
NAME = "config-hardcoded-secret"
SEVERITY = Severity.ERROR
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    for path, value, _ in strings(doc.data):
        key = path[-1] if path and isinstance(path[-1], str) else ""
        if secret_ref(value) or not _is_secret(key, value):
            continue
        name = key if key else "os.environ/NAME"
        yield doc.diag(
            CODE, SEVERITY, f"{dotted(path)}: hardcoded secret, {describe(value)}", path,
            hint=f"write {name}: os.environ/VAR_NAME and set VAR_NAME in the proxy's "
            "environment; rotate the key if this file was ever committed or shared",
            value=True,
        )


def _is_secret(key: str, value: str) -> bool:
    return key_shape(value) is not None or (is_secret_name(key) and _literal(value))


def _literal(value: str) -> bool:
    stripped = value.strip().strip("'\"")
    if stripped.startswith(ENV_REF_PREFIX) or SHELL_REF.fullmatch(stripped):
        return False
    return not (is_dummy(stripped) or is_placeholder(stripped))
