"""[observability] and [alerting], proven against the real LiteLLM proxy.

One proxy serves a project built by `datumc build` whose datumc.toml turns on the langsmith
callback ([observability] callbacks) and Slack alerts for llm_exceptions ([alerting], with the
webhook in a variable of our own name, so the build routes it through alert_to_webhook_url).
Both integrations are pointed, through the variables the env inventory lists, at the fake
upstream (tests/helpers/upstream.py), which records what they send: a langsmith run batch
after a chat, and a Slack message after a failed one. A [[guardrails]] content filter is
listed by the proxy and blocks a prompt with its word. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import Seen, Upstream

pytestmark = pytest.mark.e2e

KEY_ENV, BASE_ENV, HOOK_ENV = "OBS_UPSTREAM_KEY", "OBS_UPSTREAM_BASE", "OBS_SLACK_HOOK"
LANGSMITH_KEY = "ls-e2e-not-a-secret"
BLOCKED = "forbidden-e2e-word"
PROJECT = f"""
[observability]
callbacks = ["langsmith"]

[alerting]
slack_webhook_env = "{HOOK_ENV}"
alert_types = ["llm_exceptions"]

[[guardrails]]
name = "words"
provider = "litellm_content_filter"
mode = "pre_call"
default_on = true
params = {{ blocked_words = [{{ keyword = "{BLOCKED}", action = "BLOCK" }}] }}
"""


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("obs") as up:
        yield up


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_project(tmp_path_factory.mktemp("obs") / "project", {
        "watched": datum("watched", provider="openai_compatible",
                         litellm_model="openai/watched-model", api_base_env=BASE_ENV,
                         api_key_env=KEY_ENV)}, PROJECT)
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    return root


@pytest.fixture(scope="module")
def proxy(project: Path, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    env = {KEY_ENV: "sk-obs-upstream-key", BASE_ENV: upstream.v1,
           "LANGSMITH_API_KEY": LANGSMITH_KEY, "LANGSMITH_BASE_URL": f"{upstream.url}/langsmith",
           "LANGSMITH_BATCH_SIZE": "1", HOOK_ENV: f"{upstream.url}/slack",
           "DEFAULT_FLUSH_INTERVAL_SECONDS": "1"}
    running = start_proxy(litellm, project / "build/litellm/config.yaml", env=env,
                          workdir=project)
    yield running
    running.stop()


def _wait_for(upstream: Upstream, wanted: Callable[[Seen], bool], proxy: Proxy, *,
              since: int = 0) -> Seen:
    """The first request the upstream saw (after the first `since`) that `wanted` accepts
    (the integrations send in the background, after the reply)."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        found = [s for s in upstream.requests[since:] if wanted(s)]
        if found:
            return found[0]
        time.sleep(0.25)
    seen = [f"{s.method} {s.path}" for s in upstream.requests]
    raise AssertionError(f"not received; the upstream saw {seen}\n{proxy.tail()}")


def test_env_inventory_names_what_the_integrations_read(project: Path) -> None:
    example = (project / "build/litellm/.env.example").read_text()
    assert "\nLANGSMITH_API_KEY=" in example and f"\n{HOOK_ENV}=" in example
    assert "LANGSMITH_BASE_URL" in example  # optional, named in a comment


def test_langsmith_callback_logs_a_chat(proxy: Proxy, upstream: Upstream) -> None:
    tag = marker()
    reply = proxy.chat("watched", tag)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    run = _wait_for(upstream, lambda s: s.path.startswith("/langsmith") and tag in str(s.body),
                    proxy)
    assert run.method == "POST" and run.path.endswith("/runs/batch"), run.path
    assert run.headers.get("x-api-key") == LANGSMITH_KEY


def test_readiness_lists_the_callback(proxy: Proxy) -> None:
    reply = proxy.get("/health/readiness/details")  # _health_endpoints.py:1918
    assert reply.status == 200, reply
    # the class LiteLLM registers for "langsmith" (custom_logger_registry.py)
    assert "LangsmithLogger" in reply.json()["success_callbacks"], reply.text


def test_slack_alert_for_a_failed_call(proxy: Proxy, upstream: Upstream) -> None:
    since = len(upstream.requests)
    upstream.fail(500)
    try:
        reply = proxy.chat("watched", marker())
        assert reply.status >= 500, reply
        alert = _wait_for(upstream, lambda s: s.path.startswith("/slack"), proxy, since=since)
    finally:
        upstream.healthy()
    assert alert.method == "POST" and isinstance(alert.body, dict), alert
    assert "text" in alert.body and "watched" in alert.body["text"], alert.body


def test_guardrail_from_datumc_toml_is_loaded_and_blocks(proxy: Proxy, upstream: Upstream) -> None:
    """[[guardrails]] -> guardrails: the proxy lists it and runs it on every request."""
    listed = proxy.get("/guardrails/list")  # guardrail_endpoints.py:161
    assert listed.status == 200, listed
    assert "words" in [g["guardrail_name"] for g in listed.json()["guardrails"]], listed.text
    tag = marker()
    reply = proxy.chat("watched", f"{tag} {BLOCKED}")
    assert reply.status == 400 and BLOCKED in reply.text, reply
    assert upstream.chats(tag) == []  # blocked before the call
    assert proxy.chat("watched", marker()).status == 200
