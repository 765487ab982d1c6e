"""LiteLLM's model map (compiler/datumc/data/model_map.json) and provider names, for
hover and completion."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from datumc.data import model_facts, vocab
from datumc.resources import data_file
from datumc.validate.vocab import B00T_PROVIDER_PREFIX


@cache
def _map() -> Mapping[str, Mapping[str, Any]]:
    with data_file("model_map.json").open(encoding="utf-8") as fh:
        raw: dict[str, Any] = json.load(fh)
    models: Mapping[str, Mapping[str, Any]] = raw["models"]
    return models


def providers() -> list[str]:
    """b00t's provider names, then LiteLLM's."""
    return sorted(set(B00T_PROVIDER_PREFIX) | vocab().providers)


def prefix_of(provider: str) -> str:
    return B00T_PROVIDER_PREFIX.get(provider, provider)


def models_for(provider: str) -> list[str]:
    """`litellm_model` values for a provider: the map's models it serves, prefixed."""
    prefix = prefix_of(provider)
    out: set[str] = set()
    for key, entry in _map().items():
        family = str(entry.get("p", ""))
        if key.startswith(prefix + "/"):
            out.add(key)
        elif family == prefix and "/" not in key:
            out.add(f"{prefix}/{key}")
    return sorted(out)


def describe(model: str) -> str | None:
    """Markdown: what LiteLLM's map says of `model`; None when it does not list it."""
    facts = model_facts(model)
    if facts is None:
        return None
    entry = _map().get(facts.key, {})
    caps = sorted(f.removeprefix("supports_") for f in facts.flags)
    parts = [f"**{model}** (LiteLLM model map: `{facts.key}`)", "",
             f"- provider: `{facts.provider}`"]
    if facts.mode:
        parts.append(f"- mode: `{facts.mode}`")
    window = entry.get("i")
    if isinstance(window, int):
        parts.append(f"- context window: {window:,} input tokens")
    out_tokens = entry.get("o")
    if isinstance(out_tokens, int):
        parts.append(f"- max output: {out_tokens:,} tokens")
    parts.append(f"- capabilities: {', '.join(caps) if caps else 'none listed'}")
    return "\n".join(parts)
