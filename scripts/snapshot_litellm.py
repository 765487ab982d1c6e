"""Extract the LiteLLM facts datumc's rules need into small JSON snapshots.

Run with the pinned proxy installed (`pip install -e '.[proxy]'`):

    LITELLM_LOCAL_MODEL_COST_MAP=True python scripts/snapshot_litellm.py

It writes `compiler/datumc/data/litellm.json` (names LiteLLM accepts) and
`compiler/datumc/data/model_map.json` (capabilities from LiteLLM's bundled
model_prices_and_context_window_backup.json). datumc reads only these files at
run time, so `datumc lint` works offline and never imports LiteLLM.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import types
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.proxy._types import ConfigGeneralSettings
from litellm.router_utils.routing_groups import VALID_ROUTING_STRATEGIES
from litellm.types.router import LiteLLM_Params

DATA = Path(__file__).resolve().parent.parent / "compiler" / "datumc" / "data"
FLAGS = (
    "supports_vision",
    "supports_function_calling",
    "supports_reasoning",
    "supports_response_schema",
    "supports_web_search",
)


def _providers() -> list[str]:
    """The enum providers, and the OpenAI-compatible ones LiteLLM defines in JSON
    (llms/openai_like/providers.json), which get_llm_provider checks first."""
    from litellm.llms.openai_like.json_loader import JSONProviderRegistry

    names = {getattr(p, "value", str(p)) for p in litellm.provider_list}
    return sorted(names | set(JSONProviderRegistry.list_providers()))


# Keys the router reads from litellm_params that are not model fields.
ROUTER_PARAMS = {
    "weight", "order", "base_model", "client_side_timeout", "guardrails", "litellm_metadata",
    "max_parallel_requests", "metadata", "num_retries", "prompt_id", "search_provider",
    "headers", "extra_body", "input_cost_per_second",
}
# Sampling parameters many OpenAI-compatible servers (vLLM, llama.cpp, Ollama) accept.
PROVIDER_SAMPLING = {
    "top_k", "min_p", "repetition_penalty", "typical_p", "mirostat", "num_ctx", "keep_alive",
}


def _completion_params() -> set[str]:
    from litellm.types.utils import all_litellm_params

    params = set(inspect.signature(litellm.completion).parameters)
    params |= ROUTER_PARAMS | PROVIDER_SAMPLING
    params |= set(all_litellm_params)  # LiteLLM-internal params: never sent upstream
    params |= set(litellm.OPENAI_CHAT_COMPLETION_PARAMS)
    params |= _provider_read_params()
    return {p for p in params if not p.startswith("_") and p not in {"kwargs", "args"}}


def _provider_read_params() -> set[str]:
    """Parameters provider code reads from a deployment (`litellm_params.get("space_id")`,
    `optional_params.pop("safety_settings")` under llms/) and completion() reads from its
    kwargs (`additional_drop_params`): known to LiteLLM, though not in its signatures."""
    root = Path(litellm.__file__).parent
    params = re.compile(
        r'\b(?:litellm_params|optional_params)(?:\.get\(\s*|\.pop\(\s*|\[\s*)"([a-z][a-z0-9_]*)"')
    kwargs = re.compile(r'\bkwargs(?:\.get\(\s*|\.pop\(\s*)"([a-z][a-z0-9_]*)"')
    found: set[str] = set()
    for path in sorted((root / "llms").rglob("*.py")):
        found |= set(params.findall(path.read_text(encoding="utf-8", errors="replace")))
    found |= set(kwargs.findall((root / "main.py").read_text(encoding="utf-8")))
    return found


def _module_settings() -> set[str]:
    """Attributes the proxy sets with setattr(litellm, key, value)."""
    out = set()
    for name, value in vars(litellm).items():
        if name.startswith("_") or name.isupper():
            continue
        if isinstance(value, types.ModuleType | types.FunctionType | type):
            continue
        if callable(value):
            continue
        out.add(name)
    return out


def _special_settings() -> set[str]:
    src = (Path(litellm.__file__).parent / "proxy" / "proxy_server.py").read_text()
    return set(re.findall(r'key == "([a-z_]+)"', src)) | _read_keys("litellm_settings") | (
        _getattr_settings())


def _getattr_settings() -> set[str]:
    """Settings read with `getattr(litellm, "timezone", None)`: not module attributes
    until the proxy sets them from litellm_settings, but read all the same."""
    pattern = re.compile(r'getattr\(\s*litellm\s*,\s*"([a-z][a-z0-9_]*)"')
    found: set[str] = set()
    for path in sorted(Path(litellm.__file__).parent.rglob("*.py")):
        found |= set(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def _read_keys(section: str) -> set[str]:
    """Keys the proxy reads from a settings dict anywhere in LiteLLM's source:
    `section.get("key"`, `section["key"]` and `"key" in section`."""
    pattern = re.compile(
        rf'\b{section}(?:\.get\(\s*|\[\s*)"([a-z_]+)"|"([a-z_]+)"\s+(?:not\s+)?in\s+{section}\b'
    )
    found: set[str] = set()
    for path in Path(litellm.__file__).parent.rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.add(match.group(1) or match.group(2))
    return found


# Top-level sections read outside ProxyConfig (include is expanded before load_config).
EXTRA_SECTIONS = {"include"}


def _config_sections() -> set[str]:
    """Top-level keys ProxyConfig reads: every `config.get("X")` from get_config through
    the non-LLM config loaders (nested sub-configs use other variable names)."""
    src = (Path(litellm.__file__).parent / "proxy" / "proxy_server.py").read_text()
    start = src.index("    async def get_config(")
    end = src.index("    def _load_alerting_settings(")
    found = set(re.findall(r'\bconfig\.get\(\s*"([a-z_]+)"', src[start:end]))
    return found | EXTRA_SECTIONS


def _router_settings() -> set[str]:
    params = set(inspect.signature(litellm.Router.__init__).parameters)
    return params - {"self", "model_list"}


def _model_map() -> dict[str, dict[str, Any]]:
    path = Path(litellm.__file__).parent / "model_prices_and_context_window_backup.json"
    raw = json.loads(path.read_text())
    out: dict[str, dict[str, Any]] = {}
    for name, info in sorted(raw.items()):
        if name == "sample_spec" or not isinstance(info, dict):
            continue
        entry: dict[str, Any] = {"p": info.get("litellm_provider", "")}
        if info.get("mode"):
            entry["m"] = info["mode"]
        if isinstance(info.get("max_input_tokens"), int):
            entry["i"] = info["max_input_tokens"]
        flags = [f.removeprefix("supports_") for f in FLAGS if info.get(f) is True]
        if flags:
            entry["f"] = flags
        out[name] = entry
    return out


def _bare_models() -> dict[str, str]:
    """Model names LiteLLM routes by the whole name, and where: names without a prefix
    (`gpt-4o`, `dall-e-3`) and names whose first part is no provider
    (`1024-x-1024/gpt-image-1.5`). Every candidate (the model map's keys and every
    `litellm.*_models` list) is asked of LiteLLM's own `get_llm_provider`, so the
    snapshot is its answer, not ours."""
    from litellm import get_llm_provider

    providers = set(_providers())
    candidates = {k for k in litellm.model_cost if k.split("/", 1)[0] not in providers}
    for name, value in vars(litellm).items():
        if name.endswith("_models") and isinstance(value, list | set | tuple | dict):
            candidates |= {m for m in value if isinstance(m, str)
                           and m.split("/", 1)[0] not in providers}
    candidates.discard("sample_spec")
    out = {}
    for model in sorted(candidates):
        try:
            out[model] = get_llm_provider(model)[1]
        except Exception:  # LiteLLM raises BadRequestError: it cannot route the name
            continue
    return out


PRICE_WORDS = ("cost", "price", "pricing")


def _price_fields() -> list[str]:
    """The price keys LiteLLM's cost code reads: every priced field of its model map and
    of its ModelInfo type. A model_info key about prices that is not one is ignored."""
    from litellm.types.utils import ModelInfoBase

    keys = {k for info in litellm.model_cost.values() if isinstance(info, dict) for k in info}
    keys |= set(ModelInfoBase.__annotations__)
    return sorted(k for k in keys if any(w in k for w in PRICE_WORDS))


def _model_modes() -> list[str]:
    """The model_info modes LiteLLM knows: its ModelInfo type, the modes of its model map,
    and the modes its health checks have a handler for."""
    import typing

    from litellm.types.utils import ModelInfoBase

    modes: set[str] = set()
    for arg in typing.get_args(ModelInfoBase.__annotations__["mode"]):
        modes |= {a for a in typing.get_args(arg) if isinstance(a, str)}
    modes |= {str(v["mode"]) for v in litellm.model_cost.values()
              if isinstance(v, dict) and re.fullmatch(r"[a-z_]+", str(v.get("mode", "")))}
    helpers = Path(litellm.__file__).parent / "litellm_core_utils" / "health_check_helpers.py"
    modes |= set(re.findall(r'^\s+"([a-z_]+)": lambda', helpers.read_text(), re.MULTILINE))
    return sorted(modes)


def main() -> None:
    vocab = {
        "litellm_version": litellm.version if hasattr(litellm, "version") else "",
        "providers": _providers(),
        "litellm_params": sorted(set(LiteLLM_Params.model_fields) | _completion_params()),
        "router_settings": sorted(_router_settings()),
        "general_settings": sorted(
            set(ConfigGeneralSettings.model_fields) | _read_keys("general_settings")
        ),
        "litellm_settings": sorted(_module_settings() | _special_settings()),
        "routing_strategies": sorted(VALID_ROUTING_STRATEGIES),
        "config_sections": sorted(_config_sections()),
        "bare_models": _bare_models(),
        "price_fields": _price_fields(),
        "model_modes": _model_modes(),
    }
    from importlib.metadata import version

    vocab["litellm_version"] = version("litellm")
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "litellm.json").write_text(json.dumps(vocab, indent=1, sort_keys=True) + "\n")
    models = _model_map()
    (DATA / "model_map.json").write_text(
        json.dumps({"litellm_version": vocab["litellm_version"], "models": models},
                   separators=(",", ":"), sort_keys=True) + "\n"
    )
    print(f"providers={len(vocab['providers'])} params={len(vocab['litellm_params'])} "
          f"litellm_settings={len(vocab['litellm_settings'])} models={len(models)}")


if __name__ == "__main__":
    main()
