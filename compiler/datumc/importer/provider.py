"""The b00t provider of a deployment, read off its LiteLLM model string.

`anthropic/claude-sonnet-4-5` -> anthropic. A model without a prefix is looked up in
LiteLLM's model map (`gpt-4o` -> openai), as LiteLLM itself does. The provider is not
emitted into config.yaml; it feeds datumc's own checks, so it is chosen to agree with
them (lint.providers): the b00t provider whose usual prefix this is, else the LiteLLM
provider name itself.
"""

from __future__ import annotations

from functools import cache
from typing import Final
from urllib.parse import urlsplit

from datumc.data import split_model, vocab
from datumc.importer.secrets import is_env_ref
from datumc.lint.providers import PROVIDER_PREFIXES, effective_provider, fits

# Prefixes whose b00t provider is not the one PROVIDER_PREFIXES lists first.
_B00T_NAME: Final = {"ollama_chat": "ollama"}
_OPENAI_HOSTS: Final = frozenset({"api.openai.com"})


@cache
def _usual_provider() -> dict[str, str]:
    """LiteLLM prefix -> the b00t provider that lists it first (openai -> openai)."""
    out: dict[str, str] = {}
    for provider, prefixes in PROVIDER_PREFIXES.items():
        out.setdefault(prefixes[0], provider)
    return out


def model_prefix(model: str) -> str | None:
    """The LiteLLM provider prefix of `model`, if it has a known one."""
    prefix, _ = split_model(model)
    return prefix if prefix is not None and prefix in vocab().providers else None


def infer_provider(model: str, *, api_base: object) -> tuple[str, str | None]:
    """(provider, why it is a guess) -- the reason is None when the model string says it."""
    if is_env_ref(model):
        return _fallback(api_base), f"the model comes from the environment ({model})"
    litellm_provider = effective_provider(model)
    if litellm_provider is None:
        return _fallback(api_base), f"'{model}' has no provider prefix LiteLLM knows"
    if litellm_provider == "openai" and _custom_endpoint(api_base):
        return "openai_compatible", None
    return _b00t_name(litellm_provider), None


def _b00t_name(litellm_provider: str) -> str:
    """The b00t provider for a LiteLLM one, so that lint's prefix check agrees."""
    known = _B00T_NAME.get(litellm_provider) or _usual_provider().get(litellm_provider)
    if known is not None:
        return known
    if litellm_provider in vocab().providers:
        return litellm_provider
    # A model-map provider such as vertex_ai-language-models.
    return next((p for p, prefixes in PROVIDER_PREFIXES.items()
                 if fits(litellm_provider, prefixes)), litellm_provider)


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
