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
from datumc.lint.rules.project_routing_strategy import strategy_problem
from datumc.lint.rules.unknown_provider_prefix import problem

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


def test_routing_strategies(litellm: Any) -> None:
    from litellm.router_utils.routing_groups import VALID_ROUTING_STRATEGIES

    for name in VALID_ROUTING_STRATEGIES:
        assert strategy_problem(name) is None
    assert strategy_problem("round-robin") is not None


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
    try:
        litellm.get_llm_provider(model)
    except Exception:
        return False
    return True


def test_provider_prefix_rule_agrees_with_get_llm_provider(litellm: Any) -> None:
    disagree = [m for m in MODELS if (problem(m) is None) != _litellm_accepts(litellm, m)]
    assert disagree == []


def test_agreement_on_every_corpus_model(litellm: Any, corpus: Path) -> None:
    models = sorted(set(_corpus_models(corpus)))
    assert len(models) > 50
    disagree = [m for m in models if (problem(m) is None) != _litellm_accepts(litellm, m)]
    assert disagree == []
