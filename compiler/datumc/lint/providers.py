"""Which LiteLLM prefixes fit which b00t provider, and which ones need an api_base."""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

from datumc.data import routed_provider, vocab
from datumc.validate.vocab import B00T_PROVIDER_PREFIX

# b00t provider -> the LiteLLM prefixes that reach it. The first is the usual one.
PROVIDER_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "openai": ("openai", "text-completion-openai", "chatgpt"),
    "anthropic": ("anthropic", "anthropic_text"),
    "azure": ("azure", "azure_ai", "azure_text"),
    "vertex_ai": ("vertex_ai", "vertex_ai_beta"),
    "gemini": ("gemini",),
    "bedrock": ("bedrock", "bedrock_mantle", "sagemaker"),
    "cohere": ("cohere", "cohere_chat"),
    "huggingface": ("huggingface",),
    "fireworks_ai": ("fireworks_ai",),
    "groq": ("groq",),
    "replicate": ("replicate",),
    "ollama": ("ollama", "ollama_chat"),
    "xai": ("xai",),
    "openrouter": ("openrouter",),
    "litellm": ("litellm_proxy", "openai"),
    "openai_compatible": ("openai", "hosted_vllm", "openai_like", "custom_openai",
                          "text-completion-openai", "lm_studio", "llamafile", "lemonade",
                          "docker_model_runner", "xinference", "oobabooga"),
    "foundry_local": ("openai", "openai_like"),
    "mistral": ("mistral", "codestral", "text-completion-codestral"),
    "deepseek": ("deepseek",),
    "together_ai": ("together_ai",),
    "vllm": ("hosted_vllm", "openai", "vllm"),
    "hosted_vllm": ("hosted_vllm", "openai"),
}

# LiteLLM prefixes that talk to a server you run: no default endpoint worth having.
SELF_HOSTED_PREFIXES: Final = frozenset({
    "hosted_vllm", "ollama", "ollama_chat", "openai_like", "custom_openai", "lm_studio",
    "llamafile", "xinference", "triton", "litellm_proxy", "lemonade", "oobabooga",
    "docker_model_runner", "infinity",
})

# Where LiteLLM sends requests when no api_base is given.
DEFAULT_ENDPOINTS: Final = {
    "openai": "https://api.openai.com",
    "text-completion-openai": "https://api.openai.com",
    "ollama": "http://localhost:11434",
    "ollama_chat": "http://localhost:11434",
    "lm_studio": "http://localhost:1234",
}


def expected_prefixes(provider: str) -> tuple[str, ...] | None:
    """Prefixes that fit `provider`; None when datumc cannot tell (unknown provider)."""
    known = PROVIDER_PREFIXES.get(provider)
    if known is not None:
        return known
    if provider in vocab().providers:
        return (provider,)
    return None


def suggested_prefix(provider: str) -> str | None:
    known = expected_prefixes(provider)
    if known:
        return known[0]
    return B00T_PROVIDER_PREFIX.get(provider)


def effective_provider(model: str) -> str | None:
    """The provider LiteLLM will use for `model`: its prefix, or the model map's entry."""
    return routed_provider(model)


def fits(actual: str, expected: tuple[str, ...]) -> bool:
    """`vertex_ai-language-models` (a model-map provider) fits `vertex_ai`."""
    return any(actual == e or actual.startswith((e + "-", e + "_")) for e in expected)


_PRIVATE_SUFFIXES: Final = (".local", ".lan", ".internal", ".home", ".localhost", ".svc",
                            ".cluster.local", ".home.arpa", ".docker")


def own_server(api_base: object) -> bool:
    """An api_base on a server of one's own (loopback, a private address, a name that is
    not a public DNS name, or an env ref, which self-hosted setups use), not a cloud API."""
    if not isinstance(api_base, str):
        return False
    if api_base.startswith("os.environ/"):
        return True
    try:
        host = (urlsplit(api_base.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(_PRIVATE_SUFFIXES)
    return address.is_private or address.is_loopback or address.is_link_local
