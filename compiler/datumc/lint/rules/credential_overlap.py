"""A deployment sets a value that the credential it names also sets.

Why: LiteLLM 1.106 adds a credential's values to a request only where the deployment's
own litellm_params leave a key unset (litellm/utils.py:719-721), so the deployment's
value silently wins and the credential's is ignored for that model: rotating the
shared key, or moving the shared endpoint, would skip it. Each value comes from one
place: a datum with `credential` may add what its credential leaves out (an
`api_version`, or an `api_base` when the credential shares only a key), not repeat
what it sets. In a datum the finding is at the field (`api_key_env`, `api_base`,
`api_base_env`, `api_version`, or a key of [ai_model.parameters]).

Bad:
    # datumc.toml
    [credentials.gateway]
    api_key_env = "GATEWAY_KEY"
    api_base_env = "GATEWAY_BASE"

    # datums/fast.ai_model.toml
    [ai_model]
    credential = "gateway"
    api_key_env = "FAST_KEY"           # which key does the proxy send?

Good:
    [ai_model]
    credential = "gateway"             # the key and the endpoint come from the credential
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.credentials import PARAM, credentials_by_name
from datumc.plan.model import ConfigModel

CODE = "DC230"
NAME = "credential-overlap"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    known = credentials_by_name(config)
    if not known:
        return
    for dep in config.deployments():
        name = dep.params.get(PARAM)
        values = known.get(name) if isinstance(name, str) else None
        for key in dep.params:
            if not values or key not in values or key == PARAM:
                continue
            path = (*dep.path, "litellm_params", key)
            where = config.where(path)
            yield config.diag(
                CODE, SEVERITY,
                f"{where} and credential '{name}' both set {key}; LiteLLM uses this one "
                f"and ignores the credential's for '{config.label(dep)}'",
                path,
                hint=f"set {key} in one place: remove {where.rsplit('.', 1)[-1]} here, or "
                f"leave it out of credential '{name}'",
            )
