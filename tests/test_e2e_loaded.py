"""Every deployment datumc emits is loaded by the real proxy.

LiteLLM drops a bad deployment with only a log line, and `--validate_config` still
says OK, so "the config loads" proves nothing. These tests start the real proxy on
the build of the bundled datums and of each b00t corpus directory, then compare what
it serves (`/model/info`, `/v1/models`) with the datums themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require_tool
from datumc.pipeline import analyse
from helpers.proxy import Proxy, marker, running_proxy
from helpers.stacks import Stack, secret
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e


def expected(root: Path) -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """(model_name, litellm model) per enabled datum, the public names, the aliases."""
    compiled = analyse(root)
    assert compiled.stack is not None, compiled.diagnostics
    enabled = compiled.stack.enabled
    deployments = sorted((e.datum.public_name, e.datum.ai_model.litellm_model) for e in enabled)
    names = {name for name, _ in deployments}
    aliases = {a for e in enabled for a in e.datum.aliases} - names
    return deployments, names, aliases


def assert_all_loaded(proxy: Proxy, root: Path) -> None:
    deployments, names, aliases = expected(root)
    info = proxy.model_info()
    loaded = sorted(
        (d["model_name"], d["litellm_params"]["model"]) for d in info
        if d["model_name"] not in aliases
    )
    missing = [d for d in deployments if d not in loaded]
    extra = [d for d in loaded if d not in deployments]
    assert not missing and not extra, (
        f"the proxy did not load what the datums define.\nmissing: {missing}\n"
        f"unexpected: {extra}\n{proxy.tail(120)}"
    )
    assert set(proxy.served()) == names | aliases
    # Each alias is served by the deployment it names.
    by_name = {d["model_name"]: d["litellm_params"]["model"] for d in info}
    for alias in aliases:
        assert by_name.get(alias) in {model for _, model in deployments}, alias


def fake_env(stack: Stack, upstream: Upstream) -> dict[str, str]:
    """A value for every env var the build needs: API bases point at the fake upstream
    (Ollama's at its root, the others at /v1), keys are random."""
    compiled = analyse(stack.root)
    assert compiled.stack is not None
    bases = {
        e.datum.ai_model.api_base_env: upstream.url
        if e.datum.ai_model.litellm_model.startswith("ollama") else upstream.v1
        for e in compiled.stack.enabled if e.datum.ai_model.api_base_env
    }
    env = {name: secret(name.lower()) for name in stack.needed_env()}
    env.update(bases)
    env["OPENAI_BASE_URL"] = upstream.v1
    return env


@pytest.fixture
def litellm() -> str:
    return require_tool("litellm")


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with Upstream("bundled") as up:
        yield up


def test_every_bundled_datum_is_loaded_and_routed(bundled: Path, litellm: str,
                                                  upstream: Upstream) -> None:
    stack = Stack(bundled, {"bundled": upstream})
    stack.build()
    env = fake_env(stack, upstream)
    with running_proxy(litellm, stack.config, env=env, workdir=bundled) as proxy:
        assert_all_loaded(proxy, bundled)
        compiled = analyse(bundled)
        assert compiled.stack is not None
        routed = [e for e in compiled.stack.enabled if e.datum.ai_model.api_base_env]
        assert routed, "the bundled stack should route some datums through api_base_env"
        for entry in routed:
            word = marker()
            reply = proxy.chat(entry.datum.public_name, word)
            assert reply.status == 200, f"{entry.name}: {reply}\n{proxy.tail()}"
            [seen] = upstream.chats(word)
            if entry.datum.ai_model.api_key_env:
                key = env[entry.datum.ai_model.api_key_env]
                assert seen.authorization == f"Bearer {key}", entry.name


@pytest.mark.parametrize("kind", ["ai_model", "model"])
def test_every_b00t_corpus_datum_is_loaded(corpus: Path, tmp_path: Path, litellm: str,
                                           upstream: Upstream, kind: str) -> None:
    source = corpus / "b00t" / kind
    if not source.is_dir():
        pytest.skip(f"corpus directory {source} not present")
    root = tmp_path / kind
    shutil.copytree(source, root / "datums")
    stack = Stack(root, {})
    stack.build()
    env = {name: secret(name.lower()) for name in stack.needed_env()}
    # The corpus points some datums at http://127.0.0.1:8000/v1 and :1234: ports on this
    # machine that are not ours. Isolated: no request the proxy makes reaches them.
    with running_proxy(litellm, stack.config, env=env, workdir=root, isolated=True) as proxy:
        assert_all_loaded(proxy, root)


def test_a_deployment_the_proxy_drops_is_caught(bundled: Path, litellm: str) -> None:
    """The check above can fail: a hand-broken deployment (rpm: "abc") is dropped by
    the proxy with only a log line, and the comparison with the datums notices."""
    stack = Stack(bundled, {})
    stack.build()
    config = stack.config.read_text(encoding="utf-8")
    broken = config.replace("rpm: 100\n", 'rpm: "abc"\n', 1)
    assert broken != config
    stack.config.write_text(broken, encoding="utf-8")
    env = {name: secret(name.lower()) for name in stack.needed_env()}
    with (
        running_proxy(litellm, stack.config, env=env, workdir=bundled, isolated=True) as proxy,
        pytest.raises(AssertionError, match="claude-haiku-4-5"),
    ):
        assert_all_loaded(proxy, bundled)
