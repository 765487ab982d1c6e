"""The b00t provider of a deployment, read off its LiteLLM model string.

`anthropic/claude-sonnet-4-5` -> anthropic. A model without a prefix is looked up in
LiteLLM's model map (`gpt-4o` -> openai), as LiteLLM itself does. The provider is not
emitted into config.yaml; it only feeds datumc's own checks.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final
from urllib.parse import urlsplit

from datumc.importer.secrets import is_env_ref
from datumc.resources import data_file

# LiteLLM prefix -> b00t provider, where the names differ.
_B00T_NAME: Final = {"litellm_proxy": "litellm", "hosted_vllm": "vllm", "ollama_chat": "ollama"}
_OPENAI_HOSTS: Final = frozenset({"api.openai.com"})


@cache
def _litellm_facts() -> dict[str, Any]:
    with data_file("litellm.json").open(encoding="utf-8") as fh:
        facts: dict[str, Any] = json.load(fh)
    return facts


@cache
def litellm_providers() -> frozenset[str]:
    return frozenset(_litellm_facts()["providers"])


@cache
def _model_providers() -> dict[str, str]:
    with data_file("model_map.json").open(encoding="utf-8") as fh:
        models = json.load(fh)["models"]
    return {name: info["p"] for name, info in models.items() if "p" in info}


def model_prefix(model: str) -> str | None:
    """The LiteLLM provider prefix of `model`, if it has a known one."""
    prefix, sep, _ = model.partition("/")
    return prefix if sep and prefix in litellm_providers() else None


def infer_provider(model: str, *, api_base: object) -> tuple[str, str | None]:
    """(provider, why it is a guess) -- the reason is None when the model string says it."""
    if is_env_ref(model):
        return _fallback(api_base), f"the model comes from the environment ({model})"
    prefix = model_prefix(model) or _model_providers().get(model)
    if prefix is None:
        return _fallback(api_base), f"'{model}' has no provider prefix LiteLLM knows"
    if prefix == "openai" and _custom_endpoint(api_base):
        return "openai_compatible", None
    return _B00T_NAME.get(prefix, prefix), None


def _fallback(api_base: object) -> str:
    return "openai_compatible" if api_base is not None else "openai"


def _custom_endpoint(api_base: object) -> bool:
    if api_base is None:
        return False
    if not isinstance(api_base, str) or is_env_ref(api_base):
        return True
    return hostname(api_base) not in _OPENAI_HOSTS


def hostname(url: str) -> str:
    """The host of `url`, lower-cased; '' when there is none or the URL is malformed."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
