"""A guardrail whose provider LiteLLM does not have: the proxy starts without it.

Why: each item of the top-level `guardrails:` list names its provider in
`litellm_params.guardrail` (`lakera_v2`, `presidio`, `bedrock`, `aporia`, ...). LiteLLM 1.106
builds it from its guardrail registry (proxy/guardrails/guardrail_registry.py); an unknown name,
or an item without guardrail_name or litellm_params.guardrail, is logged and skipped
("Skipping guardrail ...: invalid configuration, proxy is starting WITHOUT this guardrail",
init_guardrails.py), so requests run unchecked. The known providers come from the pinned
release (scripts/snapshot_integrations.py); `mode` must be one of its GuardrailEventHooks.

Bad:
    guardrails:
      - guardrail_name: pii
        litellm_params: {guardrail: presido, mode: pre_call}

Good:
    guardrails:
      - guardrail_name: pii
        litellm_params: {guardrail: presidio, mode: pre_call}
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data.integrations import guardrail_providers, integration_facts
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.guardrails import GuardrailItem, guardrail_items
from datumc.plan.model import ConfigModel

CODE = "DC235"
NAME = "unknown-guardrail"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG
_SKIPPED = "LiteLLM starts without this guardrail"


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for item in guardrail_items(config):
        yield from _check_item(config, item)


def _check_item(config: ConfigModel, item: GuardrailItem) -> Iterator[Diagnostic]:
    if item.name is None:
        yield config.diag(CODE, SEVERITY, f"{config.where(item.path)}: no guardrail_name; "
                          f"{_SKIPPED}", item.path, hint="add guardrail_name: <name>")
    if item.provider is None:
        yield config.diag(CODE, SEVERITY, f"{config.where(item.path)}: no "
                          f"litellm_params.guardrail (the provider); {_SKIPPED}", item.path,
                          hint="add litellm_params.guardrail, e.g. presidio or lakera_v2")
    elif item.provider not in guardrail_providers():
        path = (*item.path, "litellm_params", "guardrail")
        yield config.diag(CODE, SEVERITY, f"{config.where(path)}: '{item.provider}' is not a "
                          f"guardrail provider LiteLLM has; {_SKIPPED}", path,
                          hint=_close(item.provider, guardrail_providers()), value=True)
    modes = integration_facts()["guardrail_modes"]
    mode = item.params.get("mode")
    for index, one in enumerate(mode if isinstance(mode, list) else [mode]):
        if one is not None and one not in modes:
            path = (*item.path, "litellm_params", "mode")
            path = (*path, index) if isinstance(mode, list) else path
            yield config.diag(CODE, SEVERITY, f"{config.where(path)}: {one!r} is not a "
                              f"guardrail mode; {_SKIPPED}", path,
                              hint="use one of " + ", ".join(modes), value=True)


def _close(name: str, known: frozenset[str]) -> str:
    return did_you_mean(name, known, cutoff=0.6) or "see LiteLLM's guardrail providers"
