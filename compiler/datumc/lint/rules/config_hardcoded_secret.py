"""A secret written into a LiteLLM config instead of an `os.environ/` ref.

Why: config files get committed, mounted into containers, pasted into issues and
printed by `/config` endpoints. A key in one is a leaked key. The rule recognises
key shapes (`sk-`, `sk-ant-`, `sk-proj-`, `gsk_`, `AIza`, `hf_`, `xai-`, long
random tokens) anywhere, and any literal under a secret-sounding key (`api_key`,
`master_key`, `*_token`, `password`, `aws_secret_access_key`, ...). The `api_key`
of a deployment on a server of your own (its `api_base` is a private or local
host, or it has a self-hosted prefix such as `ollama/`) is a stand-in when it is a word: `x`,
`any-api-key-will-do`, `not-needed`; it is flagged only when it has a key's shape
or looks random. Other secret names (`master_key`, `password`, ...)
hold chosen secrets, so any literal there counts, bar stand-ins and placeholders
(a placeholder is DC220). A password inside a URL (`database_url:
postgresql://litellm:pw@db/litellm`) counts wherever it is. Checked in hand-written
configs and in every value datums and datumc.toml pass to LiteLLM. Values are shown
masked.

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

import functools
from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.providers import SELF_HOSTED_PREFIXES, own_server
from datumc.lint.rule import Scope
from datumc.lint.rules.common import SHELL_REF, STRING_CACHE, last_key, secret_ref
from datumc.plan.model import ConfigModel
from datumc.secrets.detect import (
    describe,
    is_dummy,
    is_placeholder,
    is_secret_name,
    key_shape,
    looks_random,
    secret_value,
)
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC206"
NAME = "config-hardcoded-secret"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

def check(config: ConfigModel) -> Iterator[Diagnostic]:
    own = _own_servers(config)
    for path, value, _ in config.strings():
        key = last_key(path)
        if secret_ref(value) or not is_secret(key, value):
            continue
        if path[:1] == ("model_list",) and path[1:2] and path[1] in own and key == "api_key" \
                and key_shape(value) is None and not looks_random(value.strip()):
            continue  # a word given to a server that ignores it
        yield config.diag(
            CODE, SEVERITY, f"{config.where(path)}: hardcoded secret, {describe(value)}", path,
            hint="write os.environ/VAR_NAME instead and set VAR_NAME in the proxy's "
            "environment (.env); rotate the key if this file was ever committed or shared",
            value=True,
        )


@functools.lru_cache(maxsize=STRING_CACHE)
def is_secret(key: str, value: str) -> bool:
    """A key's shape, a URL with a password in it (`postgresql://u:pw@db`), a PEM key, or a
    literal under a secret-sounding name."""
    return secret_value(value) or (is_secret_name(key) and _literal(value))


def _own_servers(config: ConfigModel) -> set[int]:
    """Deployments on a server of one's own: an api_base, or a self-hosted prefix."""
    out = set()
    for dep in config.deployments():
        model = dep.params.get("model")
        prefix = model.split("/", 1)[0] if isinstance(model, str) and "/" in model else ""
        if own_server(dep.params.get("api_base")) or prefix in SELF_HOSTED_PREFIXES:
            out.add(dep.index)
    return out


def _literal(value: str) -> bool:
    stripped = value.strip().strip("'\"")
    if ENV_REF_PREFIX in stripped or SHELL_REF.search(stripped):  # a ref (maybe a broken one:
        # DC207 says so) names a variable, it holds no secret
        return False
    return not (is_dummy(stripped) or is_placeholder(stripped))
