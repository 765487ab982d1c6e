"""From an empty folder to an answered chat, as the next steps `datumc init` prints say.

`datumc init` writes and builds the project, `datumc init-env` creates `.env`, the keys
are written into it, and `datumc serve` starts the real LiteLLM proxy, whose
environment holds no secret but what `.env` gives it. The providers' servers are fake
upstreams on loopback: Ollama and vLLM are reached through OLLAMA_API_BASE and
VLLM_API_BASE; the OpenAI datum names no api_base, so LiteLLM's own OPENAI_BASE_URL,
also set in `.env`, points it at the fake.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datumc.scaffold.catalogue import PROVIDERS
from tests.conftest import REPO, Result, require_tool, run_datumc
from tests.helpers.proxy import Proxy, free_port, launch, marker, proxy_env, strong_key, wait_ready
from tests.helpers.stacks import secret
from tests.helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

CHOSEN = ("openai", "ollama", "vllm")
MASTER = "LITELLM_MASTER_KEY"


@pytest.fixture
def upstreams() -> Iterator[dict[str, Upstream]]:
    ups = {name: Upstream(name) for name in CHOSEN}
    yield ups
    for upstream in ups.values():
        upstream.close()


def fill_in(env_file: Path, values: dict[str, str]) -> None:
    """Put each value on its empty `NAME=` line, as a user editing .env does."""
    lines = env_file.read_text().splitlines()
    for name, value in values.items():
        assert lines.count(f"{name}=") == 1, f"init-env did not create an empty {name}"
        lines[lines.index(f"{name}=")] = f"{name}={value}"
    env_file.write_text("\n".join(lines) + "\n")


def serve(root: Path, master: str) -> Proxy:
    port = free_port()
    env = proxy_env({"PYTHONPATH": str(REPO / "compiler")})  # no key from this shell
    log = root.parent / "serve.log"
    process = launch([sys.executable, "-m", "datumc", "serve", "--port", str(port)],
                     env=env, log=log, cwd=root)
    proxy = Proxy(f"http://127.0.0.1:{port}", master, process, log, env)
    try:
        wait_ready(proxy)
    except BaseException:
        proxy.stop()
        raise
    return proxy


def test_init_init_env_and_serve_answer_a_chat_from_an_empty_folder(
    tmp_path: Path, upstreams: dict[str, Upstream]
) -> None:
    require_tool("litellm")
    root = tmp_path / "fresh"
    root.mkdir()
    flags = [arg for name in CHOSEN for arg in ("--provider", name)]
    init = run_datumc("init", *flags, cwd=root)
    assert init.code == 0, init.output
    made = run_datumc("init-env", cwd=root)
    assert made.code == 0, made.output
    dotenv = root / ".env"
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    values = {MASTER: strong_key(), "OPENAI_API_KEY": secret("openai"),
              "OLLAMA_API_BASE": upstreams["ollama"].url,
              "VLLM_API_BASE": upstreams["vllm"].v1}
    assert all(f"    {name} " in init.stdout for name in values), "init names every key"
    fill_in(dotenv, values)
    with dotenv.open("a") as fh:
        fh.write(f"OPENAI_BASE_URL={upstreams['openai'].v1}\n")

    proxy = serve(root, values[MASTER])
    try:
        chats_reach_their_upstreams(proxy, upstreams, values)
    finally:
        proxy.stop()
    secrets = [values[MASTER], values["OPENAI_API_KEY"]]
    assert_never_printed(secrets, [init, made], proxy.log)


def chats_reach_their_upstreams(proxy: Proxy, upstreams: dict[str, Upstream],
                                values: dict[str, str]) -> None:
    models = [m for name in CHOSEN for m in PROVIDERS[name].models]
    names = {m.name for m in models} | {a for m in models for a in m.aliases}
    assert proxy.served() == sorted(names)
    for name, model in [("openai", "openai-gpt-5"), ("openai", "gpt-5-mini"),
                        ("ollama", "ollama-qwen3"), ("vllm", "vllm-qwen3")]:
        word = marker()
        reply = proxy.chat(model, word)
        assert reply.status == 200, f"{model}: {reply}\n{proxy.tail()}"
        assert reply.json()["choices"][0]["message"]["content"] == upstreams[name].reply_text()
        [seen] = upstreams[name].chats(word)
        assert proxy.key not in " ".join(seen.headers.values())
        if name == "openai":
            assert seen.authorization == f"Bearer {values['OPENAI_API_KEY']}"
        others = [u for n, u in upstreams.items() if n != name]
        assert not any(u.chats(word) for u in others), f"{model} reached another upstream"
    [ollama] = upstreams["ollama"].chats()
    assert ollama.path == "/api/chat"  # LiteLLM speaks Ollama's own API to it
    assert ollama.body["model"] == "qwen3:8b"
    assert {s.body["model"] for s in upstreams["vllm"].chats()} == {"Qwen/Qwen3-8B"}


def assert_never_printed(secrets: list[str], results: list[Result], log: Path) -> None:
    text = "".join(r.output for r in results) + log.read_text(errors="replace")
    for value in secrets:
        assert value not in text, "a secret value was printed"
