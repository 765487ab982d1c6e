"""Enumerations shared by the datum schema, the renderer and the lint rules."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


SIZE_ALIASES: Final = {"sm0l": Size.SMALL, "ch0nky": Size.LARGE}


class Capability(StrEnum):
    CHAT = "chat"
    EMBEDDINGS = "embeddings"
    RERANK = "rerank"
    CODE = "code"
    VISION = "vision"
    TOOLS = "tools"
    JSON_MODE = "json_mode"
    WEB_SEARCH = "web_search"
    REASONING = "reasoning"
    BATCH = "batch"


CAPABILITY_ALIASES: Final = {
    "tool_use": Capability.TOOLS,
    "multimodal": Capability.VISION,
    "thinking": Capability.REASONING,
}

# Capability -> LiteLLM model_info flag. Capabilities without a flag (code, batch)
# are kept in the datum only; chat/embeddings/rerank set model_info.mode instead.
CAPABILITY_FLAGS: Final = {
    Capability.VISION: "supports_vision",
    Capability.TOOLS: "supports_function_calling",
    Capability.JSON_MODE: "supports_response_schema",
    Capability.REASONING: "supports_reasoning",
    Capability.WEB_SEARCH: "supports_web_search",
}
CAPABILITY_MODES: Final = {
    Capability.EMBEDDINGS: "embedding",
    Capability.RERANK: "rerank",
    Capability.CHAT: "chat",
}

# b00t's provider enum, and the LiteLLM prefix each one implies. Providers are kept
# as strings: an unknown provider is a lint finding, never a crash.
B00T_PROVIDER_PREFIX: Final = {
    "openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure",
    "vertex_ai": "vertex_ai",
    "gemini": "gemini",
    "bedrock": "bedrock",
    "cohere": "cohere",
    "huggingface": "huggingface",
    "fireworks_ai": "fireworks_ai",
    "groq": "groq",
    "replicate": "replicate",
    "ollama": "ollama",
    "xai": "xai",
    "openrouter": "openrouter",
    "litellm": "litellm_proxy",
    "openai_compatible": "openai",
    "foundry_local": "openai",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "together_ai": "together_ai",
    "vllm": "hosted_vllm",
}

# Providers that talk to a server the user runs: they need an api_base.
SELF_HOSTED_PROVIDERS: Final = frozenset(
    {"openai_compatible", "ollama", "vllm", "hosted_vllm", "foundry_local", "lm_studio",
     "llamafile", "xinference", "openai_like", "custom_openai", "triton", "litellm"}
)

ENV_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENV_REF_PREFIX: Final = "os.environ/"


def is_env_name(value: str) -> bool:
    return ENV_NAME_RE.fullmatch(value) is not None
