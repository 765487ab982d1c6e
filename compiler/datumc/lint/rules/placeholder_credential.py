"""A credential or endpoint that is still template text: `<your-access-key>`,
`your-api-key-here`, `azure/<your-deployment-name>`, `https://<resource>.openai.azure.com`.

Why: LiteLLM sends the text as it is. Every request to that provider fails with
an authentication error, typically long after the config was deployed. A stand-in
for a server that ignores the key (`not-needed`, `dummy`, `EMPTY`) is fine; this
rule looks at credentials a provider checks: the `api_key` of a deployment that
calls a cloud API (no `api_base`, or a public one), the other
credential fields of `litellm_params` (`aws_secret_access_key`, `vertex_credentials`,
`vertex_project`, ...), the same fields of every `credential_list` item, and secret-named
`environment_variables`; and in every deployment and credential the `api_base` and
`api_version` (and a deployment's `model`), which LiteLLM sends the request to as written.
A datum's `[ai_model.aws]`, `[ai_model.vertex]` and `[ai_model.azure]` values are found
at their own line.

Bad:
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku
      aws_access_key_id: "<replace_with_your_access_key>"

Good:
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.providers import own_server
from datumc.lint.rule import Scope
from datumc.lint.rules.common import STRING_CACHE
from datumc.load.positions import Key
from datumc.plan.credentials import SECTION, VALUES_KEY, credential_items
from datumc.plan.model import ConfigModel
from datumc.secrets.detect import (
    is_dummy,
    is_placeholder,
    is_secret_name,
    mask,
    template_marked,
)

CODE = "DC220"
NAME = "placeholder-credential"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for dep in config.deployments():
        for key in ("model", "api_base", "api_version"):
            value = dep.params.get(key)
            if isinstance(value, str) and template_marked(value):
                yield _diag(config, (*dep.path, "litellm_params", key), value,
                            "LiteLLM sends every request to it as written, and they fail",
                            hint=f"write the real {key} (or os.environ/NAME)")
        for key, value in dep.params.items():
            if key == "api_key" and own_server(dep.params.get("api_base")):
                continue  # a server of one's own: a stand-in key is the norm
            if isinstance(value, str) and _credential(str(key)) and _template(value):
                yield _diag(config, (*dep.path, "litellm_params", str(key)), value)
    for index, _, values in credential_items(config):
        yield from _credential_values(config, (SECTION, index, VALUES_KEY), values)
    for key, value in config.section("environment_variables").items():
        if isinstance(value, str) and is_secret_name(str(key)) and _template(value):
            yield _diag(config, ("environment_variables", str(key)), value,
                        "LiteLLM sets the variable to it, so whatever reads it gets template "
                        "text")


def _credential_values(config: ConfigModel, at: tuple[Key, ...],
                       values: dict[str, Any]) -> Iterator[Diagnostic]:
    """A credential_list item: its endpoint and version as a deployment's, its keys as
    a cloud deployment's (a shared credential is for the providers' own APIs)."""
    for key, value in values.items():
        if not isinstance(value, str):
            continue
        name = str(key)
        if is_secret_name(name):
            if _template(value):
                yield _diag(config, (*at, name), value)
        elif (name in ("api_base", "api_version") or _credential(name)) \
                and template_marked(value):  # a name, not a secret: `<...>`, `your-...`
            yield _diag(config, (*at, name), value,
                        "every deployment that uses the credential sends it as written, and "
                        "its requests fail", hint=f"write the real {name} (or "
                        "os.environ/NAME)")


@functools.lru_cache(maxsize=STRING_CACHE)
def _credential(key: str) -> bool:
    return is_secret_name(key) or key.startswith(("aws_", "vertex_", "azure_ad"))


@functools.lru_cache(maxsize=STRING_CACHE)
def _template(value: str) -> bool:
    stripped = value.strip()
    return bool(stripped) and is_placeholder(stripped) and not is_dummy(stripped)


def _diag(config: ConfigModel, path: tuple[Key, ...], value: str,
          consequence: str = "every request that uses it fails to authenticate", *,
          hint: str = "write os.environ/VAR_NAME and put the real value in the proxy's "
          "environment (.env)") -> Diagnostic:
    shown = value.strip() if len(value.strip()) <= 60 else mask(value)
    return config.diag(
        CODE, SEVERITY, f"{config.where(path)}: '{shown}' is template text; {consequence}",
        path, hint=hint, value=True,
    )
