"""The top-level `guardrails:` list of a LiteLLM config, as LiteLLM 1.106 reads it.

Each item is {guardrail_name, litellm_params: {guardrail: <provider>, mode, api_key, api_base,
...}} (types/guardrails.py:1416 Guardrail; proxy_server.py:7245 hands the list to
init_guardrails_v2). A deployment names the ones it runs in litellm_params.guardrails
(proxy/utils.py:8273). Shared by the env inventory and the guardrail lint rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from datumc.data.integrations import guardrail_reads
from datumc.load.positions import KeyPath
from datumc.load.stack import Stack
from datumc.plan.model import ConfigModel, Origins
from datumc.plan.model_list import env_ref
from datumc.plan.sources import project_origin
from datumc.validate.guardrails import GuardrailSection

SECTION: Final = "guardrails"
# [[guardrails]] field -> litellm_params key, for origins
PARAM_FIELDS: Final = {"provider": "guardrail", "mode": "mode", "default_on": "default_on",
                        "api_key_env": "api_key", "api_base_env": "api_base"}


@dataclass(frozen=True, slots=True)
class GuardrailItem:
    index: int
    name: str | None
    provider: str | None
    params: dict[str, Any]

    @property
    def path(self) -> KeyPath:
        return (SECTION, self.index)


def plan_guardrails(stack: Stack, data: dict[str, Any], origins: Origins) -> None:
    """The `guardrails:` list from [[guardrails]], in the file's order."""
    items = []
    for index, table in enumerate(stack.project.guardrails):
        items.append({"guardrail_name": table.name, "litellm_params": litellm_params(table)})
        at = (SECTION, index)
        origins[at] = project_origin(stack, SECTION, index, verbatim=False)
        origins[(*at, "guardrail_name")] = project_origin(stack, SECTION, index, "name")
        origins[(*at, "litellm_params")] = project_origin(stack, SECTION, index, "params")
        for field, key in PARAM_FIELDS.items():
            if getattr(table, field) is not None:
                origins[(*at, "litellm_params", key)] = project_origin(stack, SECTION, index,
                                                                       field)
    if items:
        data[SECTION] = items


def litellm_params(table: GuardrailSection) -> dict[str, Any]:
    """litellm_params of one planned guardrail: its fields, then `params` verbatim."""
    out: dict[str, Any] = {"guardrail": table.provider, "mode": table.mode}
    if table.default_on is not None:
        out["default_on"] = table.default_on
    for field in ("api_key_env", "api_base_env"):
        name = getattr(table, field)
        if name is not None:
            out[PARAM_FIELDS[field]] = env_ref(name)
    return {**out, **table.params}


def guardrail_items(config: ConfigModel) -> Iterator[GuardrailItem]:
    items = config.data.get("guardrails")
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        params = item.get("litellm_params")
        params = params if isinstance(params, dict) else {}
        name, provider = item.get("guardrail_name"), params.get("guardrail")
        yield GuardrailItem(index, name if isinstance(name, str) else None,
                            provider if isinstance(provider, str) else None, params)


def guardrail_user(config: ConfigModel, path: KeyPath) -> str | None:
    """How the env inventory names the guardrail a `guardrails[i]...` value belongs to."""
    if len(path) < 2 or path[0] != SECTION:
        return None
    item = next((i for i in guardrail_items(config) if i.index == path[1]), None)
    return None if item is None else f"guardrail {item.name or item.index}"


def guardrail_env(config: ConfigModel) -> Iterator[tuple[str, str]]:
    """(NAME, purpose) for the variables each guardrail's provider reads from the environment
    (api_key / api_base fall back to them when the guardrail sets none)."""
    for item in guardrail_items(config):
        if item.provider is None:
            continue
        for name in guardrail_reads(item.provider):
            if not _given(name, item.params):
                yield name, f"{item.provider} guardrail {item.name or item.index} (optional)"


def _given(env_name: str, params: dict[str, Any]) -> bool:
    """`LAKERA_API_KEY` is replaced by the guardrail's api_key, `*_API_BASE` by api_base."""
    lowered = env_name.lower()
    return any(lowered.endswith("_" + key) for key in params if isinstance(key, str))
