"""Routing, proven against the real LiteLLM proxy.

One proxy serves a project built with `datumc build`; every deployment reaches its own
fake upstream (tests/helpers/upstream.py), which records the requests it gets, so a
test can count who served what:

* weights: two deployments of one model group, weight 3 and 1, share N requests; the
  heavy one's share is within 4 binomial standard deviations of 3/4;
* tags ([router] enable_tag_filtering): a request carrying `"tags": ["eu"]` goes only to
  the deployment tagged eu, an untagged one only to the deployment tagged default, and
  a tagged request to a group with no tagged deployment is refused, as DC232 says;
* context_window_fallbacks: an upstream answering OpenAI's 400 context_length_exceeded
  makes the proxy retry the request on the named fallback model.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

KEY_ENV = "ROUTE_UPSTREAM_KEY"
REQUESTS = 400
HEAVY, LIGHT = 3, 1
UPSTREAMS = ("heavy", "light", "eu", "anywhere", "short", "long")


def _base_env(name: str) -> str:
    return f"ROUTE_{name.upper()}_BASE"


def _datum(name: str, **fields: Any) -> str:
    return datum(name, provider="openai_compatible", litellm_model=f"openai/{name}-model",
                 api_base_env=_base_env(name), api_key_env=KEY_ENV, **fields)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, Upstream]]:
    ups = {name: Upstream(name) for name in UPSTREAMS}
    yield ups
    for up in ups.values():
        up.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory,
          upstreams: dict[str, Upstream]) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    root = write_project(tmp_path_factory.mktemp("routing") / "project", {
        "heavy": _datum("heavy", model_group="split", weight=HEAVY),
        "light": _datum("light", model_group="split", weight=LIGHT),
        "eu": _datum("eu", model_group="regional", tags=["eu"]),
        "anywhere": _datum("anywhere", model_group="regional", tags=["default"]),
        "short": _datum("short", context_window_fallbacks=["long"]),
        "long": _datum("long"),
    }, "[router]\nenable_tag_filtering = true\nnum_retries = 0\n")
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    assert "DC232" in built.output  # 'split', 'short' and 'long' have no tags: see below
    env = {KEY_ENV: "sk-routing-upstream-key",
           **{_base_env(name): up.v1 for name, up in upstreams.items()}}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env, workdir=root)
    yield running
    running.stop()


def _ok(proxy: Proxy, model: str, prompt: str, **extra: Any) -> str:
    reply = proxy.chat(model, prompt, timeout=60, **extra)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    content: str = reply.json()["choices"][0]["message"]["content"]
    return content


def test_weights_split_the_traffic(proxy: Proxy, upstreams: dict[str, Upstream]) -> None:
    tag = marker()
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda i: _ok(proxy, "split", f"{tag} {i}"), range(REQUESTS)))
    heavy, light = (len(upstreams[name].chats(tag)) for name in ("heavy", "light"))
    assert heavy + light == REQUESTS, (heavy, light)
    assert sum(r == "Hello from heavy." for r in replies) == heavy
    share = HEAVY / (HEAVY + LIGHT)
    sigma = math.sqrt(REQUESTS * share * (1 - share))
    assert abs(heavy - REQUESTS * share) <= 4 * sigma, (heavy, light)


def test_a_tagged_request_goes_to_the_tagged_deployment_only(
    proxy: Proxy, upstreams: dict[str, Upstream],
) -> None:
    tagged, untagged = marker(), marker()
    for _ in range(20):
        assert _ok(proxy, "regional", tagged, tags=["eu"]) == "Hello from eu."
        assert _ok(proxy, "regional", untagged) == "Hello from anywhere."
    assert len(upstreams["eu"].chats(tagged)) == 20
    assert upstreams["anywhere"].chats(tagged) == []
    assert len(upstreams["anywhere"].chats(untagged)) == 20
    assert upstreams["eu"].chats(untagged) == []


def test_a_tagged_request_to_a_group_without_tags_is_refused(
    proxy: Proxy, upstreams: dict[str, Upstream],
) -> None:
    """What DC232 warns about: with tag filtering on, 'long' has no tagged deployment."""
    tag = marker()
    reply = proxy.chat("long", tag, timeout=60, tags=["eu"])
    assert reply.status != 200, reply
    assert "tags" in reply.text, reply
    assert upstreams["long"].chats(tag) == []
    assert _ok(proxy, "long", tag) == "Hello from long."  # untagged, it is served


def test_a_context_window_error_falls_back_to_the_named_model(
    proxy: Proxy, upstreams: dict[str, Upstream],
) -> None:
    upstreams["short"].context_exceeded()
    try:
        tag = marker()
        assert _ok(proxy, "short", tag) == "Hello from long."
        assert len(upstreams["short"].chats(tag)) == 1
        assert len(upstreams["long"].chats(tag)) == 1
    finally:
        upstreams["short"].healthy()
