"""A deployment names a guardrail the config does not define: it never runs for that model.

Why: `model_list[].litellm_params.guardrails` lists guardrail names (proxy/utils.py:8273) that
must match a `guardrail_name` of the top-level `guardrails:` list. LiteLLM looks the name up
per request and finds nothing, so the model is served unguarded. (A guardrail added through
the UI lives in the database; define it in the config to have it checked here.)

Bad:
    model_list:
      - model_name: gpt-4o
        litellm_params: {model: openai/gpt-4o, guardrails: ["pii-mask"]}
    guardrails:
      - guardrail_name: pii
        litellm_params: {guardrail: presidio, mode: pre_call}

Good:
    model_list:
      - model_name: gpt-4o
        litellm_params: {model: openai/gpt-4o, guardrails: ["pii"]}
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.guardrails import guardrail_items
from datumc.plan.model import ConfigModel

CODE = "DC236"
NAME = "undefined-guardrail"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    defined = {item.name for item in guardrail_items(config) if item.name is not None}
    for dep in config.deployments():
        params = dep.data.get("litellm_params")
        names = params.get("guardrails") if isinstance(params, dict) else None
        if not isinstance(names, list):
            continue
        for index, name in enumerate(names):
            if isinstance(name, str) and name not in defined:
                path = (*dep.path, "litellm_params", "guardrails", index)
                yield config.diag(
                    CODE, SEVERITY,
                    f"{config.where(path)}: no guardrail named '{name}' in guardrails:, so "
                    f"{config.label(dep)} is served without it", path,
                    hint="define it in the top-level guardrails: list (datumc.toml: "
                    "[[guardrails]]), or fix the name", value=True)
