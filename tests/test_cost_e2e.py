"""[ai_model.cost] and base_model, proven against the real LiteLLM proxy.

One proxy serves a project built with `datumc build` from three datums that reach
the same fake upstream (tests/helpers/upstream.py), which reports a fixed usage
(prompt_tokens, completion_tokens). The proxy's `x-litellm-response-cost` header
must be that usage times the datum's prices: per million tokens in the datum, per
token in the config, applied by LiteLLM per deployment. The input and output parts
(`-input`, `-output` headers) are checked too. A datum with base_model is priced as
that model of LiteLLM's own map; an unpriced one at zero.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import USAGE, Upstream

pytestmark = pytest.mark.e2e

COST_HEADER = "x-litellm-response-cost"
PRICES = {"input_per_mtok": 3.0, "output_per_mtok": 15.0, "cache_read_per_mtok": 0.3,
          "cache_write_per_mtok": 3.75}
BASE_MODEL = "gpt-4o-mini"
KEY_ENV = "COST_UPSTREAM_KEY"
BASE_ENV = "COST_UPSTREAM_BASE"


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("cost") as up:
        yield up


def _datum(name: str, **fields: Any) -> str:
    return datum(name, provider="openai_compatible", litellm_model=f"openai/{name}-model",
                 api_base_env=BASE_ENV, api_key_env=KEY_ENV, **fields)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    root = write_project(tmp_path_factory.mktemp("cost") / "project", {
        "priced": _datum("priced", cost=PRICES),
        "based": _datum("based", base_model=BASE_MODEL),
        "free": _datum("free"),
    })
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    env = {KEY_ENV: "sk-cost-upstream-key", BASE_ENV: upstream.v1}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env, workdir=root)
    yield running
    running.stop()


def _chat(proxy: Proxy, model: str) -> dict[str, str]:
    """The headers of one chat whose usage is the upstream's fixed one."""
    reply = proxy.chat(model, marker(), timeout=60)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    usage = reply.json()["usage"]
    assert usage["prompt_tokens"] == USAGE["prompt_tokens"], reply.text
    assert usage["completion_tokens"] == USAGE["completion_tokens"], reply.text
    return reply.headers


def _close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-15)


def _assert_cost(headers: dict[str, str], input_per_token: float,
                 output_per_token: float) -> None:
    assert COST_HEADER in headers, f"no {COST_HEADER}: {headers}"
    want_input = USAGE["prompt_tokens"] * input_per_token
    want_output = USAGE["completion_tokens"] * output_per_token
    got = float(headers[COST_HEADER])
    assert want_input + want_output > 0
    assert _close(got, want_input + want_output), (got, want_input + want_output)
    assert _close(float(headers[f"{COST_HEADER}-input"]), want_input), headers
    assert _close(float(headers[f"{COST_HEADER}-output"]), want_output), headers


def test_the_response_cost_is_the_usage_times_the_datum_prices(proxy: Proxy) -> None:
    headers = _chat(proxy, "priced")
    _assert_cost(headers, PRICES["input_per_mtok"] / 1e6, PRICES["output_per_mtok"] / 1e6)


def test_base_model_prices_the_deployment_as_that_model(proxy: Proxy) -> None:
    entry = _map_entry(BASE_MODEL)
    headers = _chat(proxy, "based")
    _assert_cost(headers, entry["input_cost_per_token"], entry["output_cost_per_token"])


def test_an_unpriced_deployment_costs_nothing(proxy: Proxy) -> None:
    """The control: without a price the same usage costs 0 (LiteLLM then sends no
    x-litellm-response-cost, only the zero parts), so the costs above are the datum's."""
    headers = _chat(proxy, "free")
    assert float(headers.get(COST_HEADER, "0")) == 0, headers
    assert float(headers[f"{COST_HEADER}-input"]) == 0, headers
    assert float(headers[f"{COST_HEADER}-output"]) == 0, headers


def _map_entry(model: str) -> dict[str, Any]:
    """The model's prices in the price map the pinned LiteLLM ships (the proxy reads it
    locally: LITELLM_LOCAL_MODEL_COST_MAP)."""
    import litellm

    path = Path(litellm.__file__).parent / "model_prices_and_context_window_backup.json"
    entry: dict[str, Any] = json.loads(path.read_text())[model]
    return entry
