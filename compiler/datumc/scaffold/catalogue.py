"""The providers `datumc init` knows, each with one or two current models as datums.

Fallbacks stay inside one provider, and every model name and alias is unique across
the catalogue, so any selection of providers builds and lints clean on its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from datumc.errors import UsageError


@dataclass(frozen=True, slots=True)
class Model:
    """One datum: the [b00t] name clients ask for, and its [ai_model] fields."""

    name: str
    file: str  # datums/<file>.ai_model.toml
    hint: str
    litellm_model: str
    size: str
    capabilities: tuple[str, ...]
    context_window: int
    timeout: int
    rpm_limit: int | None = None
    max_tokens: int | None = None
    aliases: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Provider:
    name: str  # what --provider takes
    title: str
    provider: str  # the datum's `provider`
    models: tuple[Model, ...]
    key_env: str | None = None  # hosted: the API key's env var
    base_env: str | None = None  # self-hosted: the server URL's env var ...
    local_url: str | None = None  # ... and where that server listens by default
    setup: str = ""  # a command to run before the first request
    aka: tuple[str, ...] = ()  # other words people use for it (for "did you mean")

    @property
    def env_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.base_env, self.key_env) if n)

    @property
    def needs(self) -> str:
        """What the user must provide, in a few words."""
        if self.base_env is None:
            return f"{self.key_env} (API key)"
        return f"{self.base_env} (your {self.title} server, default {self.local_url})"


_CLAUDE = ("chat", "code", "tools", "vision", "reasoning")
_GPT5 = ("chat", "code", "tools", "vision", "json_mode", "reasoning")
_GEMINI = ("chat", "code", "tools", "vision", "reasoning")
_OSS = ("chat", "code", "tools", "reasoning")

CATALOGUE: Final[tuple[Provider, ...]] = (
    Provider("anthropic", "Anthropic", "anthropic", key_env="ANTHROPIC_API_KEY", aka=("claude",),
             models=(
        Model("claude-sonnet-4-5", "anthropic-claude-sonnet-4-5",
              "Anthropic Claude Sonnet 4.5: the everyday default", "anthropic/claude-sonnet-4-5",
              "large", _CLAUDE, 200000, 120, rpm_limit=50, max_tokens=8192,
              aliases=("claude",)),
        Model("claude-haiku-4-5", "anthropic-claude-haiku-4-5",
              "Anthropic Claude Haiku 4.5: fast and cheap", "anthropic/claude-haiku-4-5",
              "small", _CLAUDE, 200000, 60, rpm_limit=100, max_tokens=4096,
              fallbacks=("claude-sonnet-4-5",)),
    )),
    Provider("openai", "OpenAI", "openai", key_env="OPENAI_API_KEY", aka=("gpt", "chatgpt"),
             models=(
        Model("openai-gpt-5", "openai-gpt-5", "OpenAI GPT-5: strong reasoning and tools",
              "openai/gpt-5", "large", _GPT5, 272000, 300, rpm_limit=500, aliases=("gpt-5",)),
        Model("openai-gpt-5-mini", "openai-gpt-5-mini", "OpenAI GPT-5 mini: fast and cheap",
              "openai/gpt-5-mini", "small", _GPT5, 272000, 120, rpm_limit=500,
              aliases=("gpt-5-mini",), fallbacks=("openai-gpt-5",)),
    )),
    Provider("openrouter", "OpenRouter", "openrouter", key_env="OPENROUTER_API_KEY", models=(
        Model("openrouter-deepseek-chat", "openrouter-deepseek-chat",
              "DeepSeek V3.1 via OpenRouter", "openrouter/deepseek/deepseek-chat-v3.1",
              "large", ("chat", "code", "tools"), 163840, 120, rpm_limit=200, max_tokens=4096),
        Model("openrouter-glm-4-6", "openrouter-glm-4-6", "GLM 4.6 via OpenRouter",
              "openrouter/z-ai/glm-4.6", "large", _OSS, 204800, 180, rpm_limit=200,
              max_tokens=8192),
    )),
    Provider("groq", "Groq", "groq", key_env="GROQ_API_KEY", models=(
        Model("groq-gpt-oss-120b", "groq-gpt-oss-120b",
              "gpt-oss-120b on Groq: very fast open-weights reasoning",
              "groq/openai/gpt-oss-120b", "large", _OSS, 131072, 30, rpm_limit=30,
              max_tokens=8192),
        Model("groq-gpt-oss-20b", "groq-gpt-oss-20b", "gpt-oss-20b on Groq: the fastest",
              "groq/openai/gpt-oss-20b", "small", _OSS, 131072, 30, rpm_limit=30,
              max_tokens=8192),
    )),
    Provider("gemini", "Google Gemini", "gemini", key_env="GEMINI_API_KEY",
             aka=("google", "googleai"), models=(
        Model("gemini-2.5-flash", "gemini-2-5-flash",
              "Google Gemini 2.5 Flash: long context, multimodal", "gemini/gemini-2.5-flash",
              "large", _GEMINI, 1048576, 60, rpm_limit=60, aliases=("gemini-flash",)),
        Model("gemini-2.5-pro", "gemini-2-5-pro",
              "Google Gemini 2.5 Pro: the strongest Gemini", "gemini/gemini-2.5-pro",
              "large", _GEMINI, 1048576, 180, rpm_limit=30, aliases=("gemini-pro",)),
    )),
    Provider("mistral", "Mistral AI", "mistral", key_env="MISTRAL_API_KEY",
             aka=("mistralai",), models=(
        Model("mistral-large", "mistral-large", "Mistral Large",
              "mistral/mistral-large-latest", "large", ("chat", "code", "tools", "vision"),
              131072, 60, rpm_limit=60),
        Model("mistral-small", "mistral-small", "Mistral Small: fast and cheap",
              "mistral/mistral-small-latest", "small", ("chat", "code", "tools", "vision"),
              131072, 60, rpm_limit=60),
    )),
    Provider("ollama", "Ollama", "ollama", base_env="OLLAMA_API_BASE",
             local_url="http://localhost:11434", setup="ollama pull qwen3:8b",
             aka=("local",), models=(
        Model("ollama-qwen3", "ollama-qwen3",
              "Qwen3 8B on your Ollama server (first: ollama pull qwen3:8b)",
              "ollama_chat/qwen3:8b", "small", ("chat", "code", "tools"), 40960, 120),
    )),
    Provider("vllm", "vLLM", "vllm", base_env="VLLM_API_BASE",
             local_url="http://localhost:8000/v1", setup="vllm serve Qwen/Qwen3-8B",
             aka=("hosted_vllm",), models=(
        Model("vllm-qwen3", "vllm-qwen3",
              "Qwen3 8B on your vLLM server (vllm serve Qwen/Qwen3-8B)",
              "hosted_vllm/Qwen/Qwen3-8B", "small", ("chat", "code"), 32768, 60),
    )),
)

PROVIDERS: Final = {p.name: p for p in CATALOGUE}
DEFAULT: Final = "ollama"  # the one provider that needs no account: --yes off a terminal


def find(name: str) -> Provider:
    """The provider called `name` (any case); a usage error naming the known ones."""
    found = PROVIDERS.get(name.strip().lower())
    if found is not None:
        return found
    close = nearest(name)
    guess = f" (did you mean '{close}'?)" if close else ""
    raise UsageError(f"unknown provider {name!r}{guess}; known providers: "
                     f"{', '.join(PROVIDERS)} (`datumc init --list` describes them)")


def nearest(name: str) -> str | None:
    """The known provider `name` most probably means, or None."""
    words = {p.name: p.name for p in CATALOGUE} | {a: p.name for p in CATALOGUE for a in p.aka}
    close = difflib.get_close_matches(name.strip().lower(), sorted(words), n=1, cutoff=0.6)
    return words[close[0]] if close else None


def resolve(names: Iterable[str]) -> tuple[Provider, ...]:
    """The providers named, each once, in the order first named."""
    chosen = {p.name: p for p in map(find, names)}
    return tuple(chosen.values())
