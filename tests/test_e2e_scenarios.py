"""The datums behave as written, proven against the real LiteLLM proxy.

One proxy serves every scenario in this module: the stack (tests/helpers/stacks.py)
is built with `datumc build` from datums and the bundled datumc.toml, and the
upstreams are fake providers on loopback that record what reaches them. Each test
starts from healthy, empty upstreams and uses unique prompts, so tests neither see
each other's requests nor hit each other's cache entries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require_tool
from helpers.proxy import Proxy, Reply, marker, running_proxy, start_proxy
from helpers.stacks import Stack, scenario_stack
from helpers.upstream import REASONING, Upstream

pytestmark = pytest.mark.e2e

FALLBACKS = "x-litellm-attempted-fallbacks"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    built = scenario_stack(tmp_path_factory.mktemp("scenarios") / "project")
    yield built
    built.close()


@pytest.fixture(scope="module")
def proxy(stack: Stack) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    running = start_proxy(litellm, stack.config, env=stack.env, workdir=stack.root)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh(stack: Stack, proxy: Proxy) -> Iterator[None]:
    stack.reset()
    yield
    stack.reset()
    assert proxy.alive(), f"the proxy died during the test\n{proxy.tail()}"


def answered_by(reply: Reply, upstream: Upstream, proxy: Proxy) -> None:
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    content = reply.json()["choices"][0]["message"]["content"]
    assert content == upstream.reply_text(), f"answered by the wrong upstream: {content!r}"


# -- 1. routing and secrets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "key_env", "params"),
    [
        ("alpha", "ALPHA_API_KEY", {"temperature": 0.25, "max_tokens": 77, "top_p": 0.5}),
        ("beta", "BETA_API_KEY", {"temperature": 0.9, "seed": 7}),
    ],
)
def test_each_model_reaches_its_upstream_with_its_key_and_parameters(
    stack: Stack, proxy: Proxy, model: str, key_env: str, params: dict[str, object]
) -> None:
    word = marker()
    reply = proxy.chat(model, word)
    answered_by(reply, stack.upstreams[model], proxy)
    [seen] = stack.upstreams[model].chats(word)
    assert seen.authorization == f"Bearer {stack.env[key_env]}"
    assert seen.body["model"] == f"{model}-model"
    for key, value in params.items():
        assert seen.body[key] == value, f"parameter {key} not applied: {seen.body}"
    others = [u for name, u in stack.upstreams.items() if name != model]
    assert not any(u.chats(word) for u in others), "the request also reached another upstream"


def test_the_master_key_never_reaches_an_upstream(stack: Stack, proxy: Proxy) -> None:
    word = marker()
    answered_by(proxy.chat("alpha", word), stack.upstreams["alpha"], proxy)
    [seen] = stack.upstreams["alpha"].chats(word)
    assert proxy.key not in " ".join(seen.headers.values())


# -- 2. aliases --------------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "target"), [("alpha-alias", "alpha"), ("qwen", "vllm")])
def test_an_alias_routes_to_its_model(stack: Stack, proxy: Proxy, alias: str,
                                      target: str) -> None:
    word = marker()
    answered_by(proxy.chat(alias, word), stack.upstreams[target], proxy)
    assert len(stack.upstreams[target].chats(word)) == 1


# -- 3. failover chain vllm-qwen -> ollama-qwen -> openai-gpt4o ------------------------------


def test_chain_primary_answers_when_healthy(stack: Stack, proxy: Proxy) -> None:
    reply = proxy.chat("vllm-qwen", marker())
    answered_by(reply, stack.upstreams["vllm"], proxy)
    assert reply.headers[FALLBACKS] == "0"


def test_chain_second_tier_answers_when_primary_is_down(stack: Stack, proxy: Proxy) -> None:
    word = marker()
    stack.upstreams["vllm"].down()
    reply = proxy.chat("vllm-qwen", word)
    answered_by(reply, stack.upstreams["ollama"], proxy)
    assert reply.headers[FALLBACKS] == "1"
    [seen] = stack.upstreams["ollama"].chats(word)
    assert seen.path == "/api/chat"  # LiteLLM speaks Ollama's own API to ollama_chat/
    assert not stack.upstreams["openai"].chats(word)


def test_chain_third_tier_answers_when_first_two_are_down(stack: Stack, proxy: Proxy) -> None:
    word = marker()
    stack.upstreams["vllm"].down()
    stack.upstreams["ollama"].down()
    reply = proxy.chat("vllm-qwen", word)
    answered_by(reply, stack.upstreams["openai"], proxy)
    # LiteLLM 1.106.0 counts one fallback attempt for the whole [ollama, openai] list.
    assert int(reply.headers[FALLBACKS]) >= 1
    [seen] = stack.upstreams["openai"].chats(word)
    assert seen.authorization == f"Bearer {stack.env['OPENAI_API_KEY']}"


def test_chain_falls_through_when_primary_is_slower_than_its_timeout(
    stack: Stack, proxy: Proxy
) -> None:
    """vllm-qwen has timeout = 3; the fake vLLM takes 60 s. The bundled retry_policy does
    not retry timeouts, so the second tier answers roughly 3 s later, not after 60 s."""
    word = marker()
    stack.upstreams["vllm"].slow(60)
    started = time.monotonic()
    reply = proxy.chat("vllm-qwen", word, timeout=90)
    elapsed = time.monotonic() - started
    answered_by(reply, stack.upstreams["ollama"], proxy)
    assert reply.headers[FALLBACKS] == "1"
    assert stack.upstreams["vllm"].chats(word), "the primary was never tried"
    assert 3 <= elapsed < 3 + 4, f"fell through after {elapsed:.1f}s"


@pytest.mark.parametrize("behaviour", ["500", "429", "drop"])
def test_chain_falls_through_on_upstream_errors(stack: Stack, proxy: Proxy,
                                                behaviour: str) -> None:
    """The primary answers 500 or 429, or closes the connection without a reply."""
    word = marker()
    vllm = stack.upstreams["vllm"]
    if behaviour == "drop":
        vllm.drop()
    else:
        vllm.fail(int(behaviour))
    reply = proxy.chat("vllm-qwen", word)
    answered_by(reply, stack.upstreams["ollama"], proxy)
    assert reply.headers[FALLBACKS] == "1"
    assert vllm.chats(word), "the primary was never tried"


def test_bundled_router_benches_a_failing_primary(tmp_path: Path) -> None:
    """With the bundled router settings (allowed_fails = 2, cooldown_time = 30), a few
    failed requests bench vllm-qwen: later requests go straight to ollama-qwen, even
    once vLLM is back. Needs its own proxy: the shared one runs with cooldowns off."""
    litellm = require_tool("litellm")
    own = scenario_stack(tmp_path / "project", cooldowns=True)
    vllm, ollama = own.upstreams["vllm"], own.upstreams["ollama"]
    try:
        with running_proxy(litellm, own.config, env=own.env, workdir=own.root) as proxy:
            vllm.fail(500)
            tried = []
            for _ in range(5):
                word = marker()
                answered_by(proxy.chat("vllm-qwen", word), ollama, proxy)
                tried.append(len(vllm.chats(word)))
                if tried[-1] == 0:
                    break
            assert tried[0] == 2, f"first request: one try and one retry expected, {tried}"
            assert tried[-1] == 0, f"the failing primary was never benched: {tried}"
            vllm.healthy()
            word = marker()
            answered_by(proxy.chat("vllm-qwen", word), ollama, proxy)
            assert not vllm.chats(word), "the benched primary was tried"
    finally:
        own.close()


# -- 4. load balancing ---------------------------------------------------------------------


def test_a_model_group_shares_traffic(stack: Stack, proxy: Proxy) -> None:
    one, two = stack.upstreams["pool-one"], stack.upstreams["pool-two"]
    for _ in range(20):
        reply = proxy.chat("pool", marker())
        assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    counts = (len(one.chats()), len(two.chats()))
    assert sum(counts) == 20
    assert min(counts) > 0, f"one deployment got all the traffic: {counts}"


# -- 5. rate limit -------------------------------------------------------------------------


def _wait_for_fresh_minute() -> None:
    """LiteLLM counts requests per clock minute: keep the burst inside one."""
    second = time.gmtime().tm_sec
    if second >= 50:
        time.sleep(61 - second)


def test_rpm_limit_refuses_the_request_after_the_limit(stack: Stack, proxy: Proxy) -> None:
    limit = 3  # rpm_limit of the `limited` datum
    _wait_for_fresh_minute()
    replies = [proxy.chat("limited", marker()) for _ in range(limit + 1)]
    assert [r.status for r in replies[:limit]] == [200] * limit, replies
    refused = replies[limit]
    assert refused.status == 429, f"{refused}\n{proxy.tail()}"
    assert "rate limit" in refused.text.lower()
    assert len(stack.upstreams["limited"].chats()) == limit
    assert proxy.alive()
    answered_by(proxy.chat("alpha", marker()), stack.upstreams["alpha"], proxy)


def test_a_request_over_the_rpm_limit_falls_over_to_the_fallback(stack: Stack,
                                                                  proxy: Proxy) -> None:
    """`capped` has rpm_limit = 1 and fallbacks = ["beta"]: overflow goes to beta."""
    _wait_for_fresh_minute()
    first, second = proxy.chat("capped", marker()), proxy.chat("capped", marker())
    answered_by(first, stack.upstreams["capped"], proxy)
    answered_by(second, stack.upstreams["beta"], proxy)
    assert second.headers[FALLBACKS] == "1"
    assert len(stack.upstreams["capped"].chats()) == 1


# -- 6. auth -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key", "status"),
    [
        # LiteLLM 1.106.0 without a database: no key -> 500 (its error handler fails while
        # classifying the error), wrong key -> 400 "No connected db". Both are refusals.
        ("no key", None, 500),
        ("wrong key", "sk-" + "x" * 40, 400),
    ],
)
def test_requests_without_the_master_key_are_refused(
    stack: Stack, proxy: Proxy, label: str, key: str | None, status: int
) -> None:
    word = marker()
    reply = proxy.chat("alpha", word, key=key)
    assert reply.status == status, f"{label}: {reply}"
    assert reply.status >= 400
    assert not any(u.requests for u in stack.upstreams.values()), f"{label} reached an upstream"
    assert proxy.get("/v1/models", key=key).status >= 400


@pytest.mark.parametrize("path", ["/health/liveliness", "/health/readiness"])
def test_health_probes_need_no_auth(proxy: Proxy, path: str) -> None:
    reply = proxy.get(path, key=None)
    assert reply.status == 200, reply


# -- 7. cache ------------------------------------------------------------------------------


def test_a_repeated_request_is_served_from_the_local_cache(stack: Stack, proxy: Proxy) -> None:
    word = marker()
    first = proxy.chat("alpha", word)
    second = proxy.chat("alpha", word)
    answered_by(first, stack.upstreams["alpha"], proxy)
    answered_by(second, stack.upstreams["alpha"], proxy)
    assert len(stack.upstreams["alpha"].chats(word)) == 1
    assert "x-litellm-cache-key" in second.headers
    assert second.json()["id"] == first.json()["id"]


# -- 8. thinking models -------------------------------------------------------------------


def test_reasoning_content_reaches_the_client(stack: Stack, proxy: Proxy) -> None:
    reply = proxy.chat("thinker", marker())
    answered_by(reply, stack.upstreams["thinker"], proxy)
    assert reply.json()["choices"][0]["message"]["reasoning_content"] == REASONING


def test_reasoning_content_reaches_the_client_when_streaming(stack: Stack, proxy: Proxy) -> None:
    reply = proxy.chat("thinker", marker(), stream=True)
    assert reply.status == 200, reply
    deltas = [e["choices"][0]["delta"] for e in reply.events() if isinstance(e, dict)
              and e.get("choices")]
    assert "".join(d.get("reasoning_content") or "" for d in deltas) == REASONING
    text = "".join(d.get("content") or "" for d in deltas)
    assert text == stack.upstreams["thinker"].reply_text()


# -- 9. streaming, disabled datums ---------------------------------------------------------


@pytest.mark.parametrize(("model", "upstream"), [("alpha", "alpha"), ("ollama-qwen", "ollama")])
def test_streaming_works(stack: Stack, proxy: Proxy, model: str, upstream: str) -> None:
    reply = proxy.chat(model, marker(), stream=True)
    assert reply.status == 200, reply
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = reply.events()
    assert events[-1] == "[DONE]"
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1]
                   if e.get("choices"))
    assert text == stack.upstreams[upstream].reply_text()
    [seen] = stack.upstreams[upstream].chats()
    assert seen.body["stream"] is True


def test_a_disabled_datum_is_not_served(stack: Stack, proxy: Proxy) -> None:
    assert "retired" not in proxy.served()
    reply = proxy.chat("retired", marker())
    assert reply.status == 400, reply
    assert "Invalid model name" in reply.text
    assert not stack.upstreams["alpha"].requests


def test_every_datum_is_served(stack: Stack, proxy: Proxy) -> None:
    names = {"alpha", "beta", "pool", "limited", "capped", "thinker", "vllm-qwen",
             "ollama-qwen", "openai-gpt4o"}
    aliases = {"alpha-alias", "beta-alias", "qwen", "gpt-4o"}
    assert set(proxy.served()) == names | aliases
