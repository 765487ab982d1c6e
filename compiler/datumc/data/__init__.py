"""What LiteLLM accepts, from the snapshots in `datumc/data/` (no LiteLLM import, no network).

`scripts/snapshot_litellm.py` extracts them from the pinned LiteLLM release:
`litellm.json` holds names (providers, settings keys, routing strategies) and
`model_map.json` the capability flags of ~4,500 models from LiteLLM's bundled
`model_prices_and_context_window_backup.json`. Both load lazily, once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from datumc.resources import data_file


@dataclass(frozen=True, slots=True)
class Vocab:
    version: str
    providers: frozenset[str]
    litellm_params: frozenset[str]
    litellm_settings: frozenset[str]
    router_settings: frozenset[str]
    general_settings: frozenset[str]
    routing_strategies: tuple[str, ...]
    config_sections: frozenset[str]
    # Prefix-less model names LiteLLM's get_llm_provider routes, and its provider.
    bare_models: Mapping[str, str]
    # Price keys LiteLLM's cost code reads (model map and ModelInfo fields).
    price_fields: frozenset[str]
    # model_info.mode values LiteLLM knows (ModelInfo, the model map, health checks).
    model_modes: frozenset[str]


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """One model-map entry: provider, mode, and the supports_* flags it sets."""

    key: str
    provider: str
    mode: str
    flags: frozenset[str]


@cache
def vocab() -> Vocab:
    raw = _load("litellm.json")
    return Vocab(
        version=str(raw.get("litellm_version", "")),
        providers=frozenset(raw["providers"]),
        litellm_params=frozenset(raw["litellm_params"]),
        litellm_settings=frozenset(raw["litellm_settings"]),
        router_settings=frozenset(raw["router_settings"]),
        general_settings=frozenset(raw["general_settings"]),
        routing_strategies=tuple(raw["routing_strategies"]),
        config_sections=frozenset(raw.get("config_sections", ())),
        bare_models=dict(raw.get("bare_models", {})),
        price_fields=frozenset(raw.get("price_fields", ())),
        model_modes=frozenset(raw.get("model_modes", ())),
    )


@cache
def env_facts() -> dict[str, Any]:
    """Variables LiteLLM reads implicitly: per callback, alerting channel and provider."""
    return _load("litellm_env.json")


@cache
def _models() -> tuple[str, Mapping[str, Mapping[str, Any]]]:
    raw = _load("model_map.json")
    return str(raw.get("litellm_version", "")), raw["models"]


def model_map_version() -> str:
    return _models()[0]


def model_facts(model: str) -> ModelFacts | None:
    """Facts for a LiteLLM model string, trying it as written and without its prefix.

    The map keys some models with their provider prefix (`groq/llama-3.3-70b-versatile`)
    and others without (`gpt-4o`). A prefix-less key is only trusted when its entry
    names the same provider family, so `openai/Qwen/...` never borrows another's facts.
    """
    models = _models()[1]
    entry = models.get(model)
    if entry is not None:
        return _facts(model, entry)
    prefix, sep, rest = model.partition("/")
    if not sep:
        return None
    entry = models.get(rest)
    if entry is not None and str(entry.get("p", "")).startswith(prefix):
        return _facts(rest, entry)
    return None


def split_model(model: str) -> tuple[str | None, str]:
    """`"openai/gpt-4o"` -> `("openai", "gpt-4o")`; `"gpt-4o"` -> `(None, "gpt-4o")`."""
    prefix, sep, rest = model.partition("/")
    return (prefix, rest) if sep else (None, model)


def inferred_provider(model: str) -> str | None:
    """The provider LiteLLM infers for a model it routes by its whole name (`gpt-4o`,
    `1024-x-1024/gpt-image-1.5`), if any: its own get_llm_provider's answer, snapshotted."""
    return vocab().bare_models.get(model)


def routed_provider(model: str) -> str | None:
    """The provider LiteLLM routes `model` to: the whole name if it knows it, else the
    prefix if that is a provider; None when it cannot route it."""
    whole = inferred_provider(model)
    if whole is not None:
        return whole
    prefix, _ = split_model(model)
    return prefix if prefix is not None and prefix in vocab().providers else None


def _facts(key: str, entry: Mapping[str, Any]) -> ModelFacts:
    return ModelFacts(
        key=key,
        provider=str(entry.get("p", "")),
        mode=str(entry.get("m", "")),
        flags=frozenset(f"supports_{f}" for f in entry.get("f", ())),
    )


def _load(name: str) -> dict[str, Any]:
    with data_file(name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data
