"""The offline snapshots agree with the real LiteLLM they were taken from.

These tests import the pinned LiteLLM (the `proxy` extra): they catch a snapshot
that was not regenerated after the pin moved, and rules that disagree with what
LiteLLM itself does.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.data import model_map_version, vocab
from datumc.lint.rules import config_unknown_provider, invalid_routing_strategy
from datumc.plan.model import ConfigModel

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(scope="module")
def litellm() -> Any:
    try:
        import litellm as module
    except ImportError:
        if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
            pytest.fail("litellm is not installed (scripts/test installs the proxy extra)")
        pytest.skip("litellm not installed")
    return module


def test_snapshot_matches_the_installed_release(litellm: Any) -> None:
    installed = importlib.metadata.version("litellm")
    assert vocab().version == installed == model_map_version(), (
        "regenerate with: python scripts/snapshot_litellm.py")


def strategy_problem(value: object) -> bool:
    config = ConfigModel({"router_settings": {"routing_strategy": value}})
    return bool(list(invalid_routing_strategy.check(config)))


def problem(model: str) -> bool:
    """Does DC211 flag `model` (as the one deployment of a config)?"""
    config = ConfigModel({"model_list": [{"model_name": "m", "litellm_params": {"model": model}}]})
    return bool(list(config_unknown_provider.check(config)))


def test_routing_strategies(litellm: Any) -> None:
    from litellm.router_utils.routing_groups import VALID_ROUTING_STRATEGIES

    for name in VALID_ROUTING_STRATEGIES:
        assert not strategy_problem(name)
    assert strategy_problem("round-robin")


MODELS = ["openai/gpt-4o", "gpt-4o", "gpt-4", "gpt-4-turbo-preview", "claude-3-5-sonnet-20241022",
          "anthropic/claude-sonnet-4-5", "Qwen/Qwen2.5-7B-Instruct", "zhipu/glm-4", "my-model",
          "ollama_chat/qwen2.5:7b", "hosted_vllm/x", "openrouter/qwen/qwen-2.5-72b-instruct",
          "groq/llama-3.3-70b-versatile", "gemini/gemini-2.5-flash", "text-embedding-3-small",
          "bedrock/anthropic.claude-3-sonnet", "azure/my-deployment", "huggingface/x/y"]


def _corpus_models(corpus: Path) -> list[str]:
    out: list[str] = []
    for path in sorted((corpus / "litellm-configs").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for item in (data or {}).get("model_list") or []:
            model = (item.get("litellm_params") or {}).get("model")
            if isinstance(model, str) and "os.environ" not in model and "*" not in model:
                out.append(model)
    return out


def _litellm_accepts(litellm: Any, model: str) -> bool:
    """Does LiteLLM route `model`? Only "LLM Provider NOT provided" is a refusal: some
    providers (github_copilot, chatgpt) try to log in while routing, which fails here."""
    try:
        litellm.get_llm_provider(model)
    except Exception as exc:
        return "LLM Provider NOT provided" not in str(exc)
    return True


def test_provider_prefix_rule_agrees_with_get_llm_provider(litellm: Any) -> None:
    disagree = [m for m in MODELS if (not problem(m)) != _litellm_accepts(litellm, m)]
    assert disagree == []


def test_agreement_on_every_model_litellm_lists(litellm: Any) -> None:
    """Every key of LiteLLM's model map (prefixed or not), and a near-miss of each prefix."""
    models = sorted(k for k in litellm.model_cost if k != "sample_spec")
    models += sorted({f"{k.split('/')[0][:-1]}x/m" for k in models if "/" in k})
    disagree = [m for m in models if (not problem(m)) != _litellm_accepts(litellm, m)]
    assert len(models) > 4000
    assert disagree == []


def test_agreement_on_every_corpus_model(litellm: Any, corpus: Path) -> None:
    models = sorted(set(_corpus_models(corpus)))
    assert len(models) > 50
    disagree = [m for m in models if (not problem(m)) != _litellm_accepts(litellm, m)]
    assert disagree == []
