"""Real coding clients reach a model through the real LiteLLM proxy, headless.

One project built from a datum (`coder`, an `openai/` deployment whose api_base is a fake
upstream on loopback), one real proxy for the module, and for each client (Claude Code,
OpenCode, aider, the Continue CLI) its config file pointing at the proxy with the proxy's
master key. Each test runs the client once with a prompt and checks, on the upstream's
side, that the POST for the deployment arrived through the proxy (the deployment's own
upstream model name and key, never the master key), and, on the client's side, that it
printed the upstream's answer: a marker unique to the test. Exit codes alone prove
little (without a database a wrong key is a 400, and aider still exits 0).

The client configs come from `client_files(build_dir)`: the files `datumc build --target
clients` writes under build/clients/ when datumc has that target, otherwise files this
module writes from the same spec.
"""

from __future__ import annotations

import json
import secrets
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml

from conftest import datum, require_tool, run_cli, write_project
from datumc.targets import TARGETS
from helpers.clients import (
    Run,
    require_client,
    run_aider,
    run_claude,
    run_continue,
    run_opencode,
    version,
)
from helpers.proxy import (
    LOOPBACK,
    MASTER_KEY_ENV,
    Proxy,
    ProxyExited,
    free_port,
    launch,
    marker,
    proxy_env,
    strong_key,
    wait_ready,
)
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

MODEL = "coder"  # the public model_name the clients ask for
UPSTREAM_MODEL = "coder-upstream-model"  # what the deployment sends upstream


class AnsweringUpstream(Upstream):
    """The fake provider, answering whatever the current test set as `answer`."""

    answer = "no answer set"

    def reply_text(self) -> str:
        return self.answer


# -- the project ---------------------------------------------------------------------------


def project_toml(port: int, targets: list[str]) -> str:
    return tomli_w.dumps({
        "datumc": {"targets": targets},
        "proxy": {"port": port},
        "litellm_settings": {
            "drop_params": True,
            # Anthropic /v1/messages (Claude Code) goes to the upstream's
            # /v1/chat/completions, not to its /v1/responses.
            "use_chat_completions_url_for_anthropic_messages": True,
        },
    })


def coder_datum() -> str:
    # supports_reasoning = false: Claude Code always sends `thinking`, which LiteLLM
    # otherwise sends to the upstream's /v1/responses.
    return datum(MODEL, provider="openai_compatible", litellm_model=f"openai/{UPSTREAM_MODEL}",
                 api_base_env="CODER_API_BASE", api_key_env="CODER_API_KEY",
                 capabilities=["chat", "tools"], context_window=32768,
                 metadata={"supports_reasoning": False})


def build(root: Path, port: int) -> None:
    targets = ["litellm", *(["clients"] if "clients" in TARGETS else [])]
    write_project(root, {MODEL: coder_datum()}, project_toml(port, targets))
    result = run_cli("build", "--project", root)
    assert result.code == 0, f"datumc build failed:\n{result.output}"
    if "clients" in TARGETS:
        result = run_cli("build", "--project", root, "--target", "clients")
        assert result.code == 0, f"datumc build --target clients failed:\n{result.output}"


# -- the client files ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientFiles:
    opencode: Path
    claude_settings: Path
    continue_config: Path
    aider_conf: Path
    aider_metadata: Path
    source: str  # "datumc build --target clients" or "written by the test"


def client_files(build_dir: Path) -> ClientFiles:
    """The four clients' config files for the project built in `build_dir`."""
    generated = build_dir / "clients"
    if generated.is_dir():
        # Branch 1: the files `datumc build --target clients` generated.
        return ClientFiles(
            opencode=generated / "opencode.json",
            claude_settings=generated / "claude-code" / "settings.json",
            continue_config=generated / "continue" / "config.yaml",
            aider_conf=generated / "aider" / ".aider.conf.yml",
            aider_metadata=generated / "aider" / ".aider.model.metadata.json",
            source="datumc build --target clients",
        )
    # Branch 2: no clients target in this datumc; the test writes the same files from the
    # spec, reading the model names from the LiteLLM config and the port from datumc.toml.
    out = build_dir.parent / "client-files"
    write_spec_files(out, build_dir)
    return ClientFiles(
        opencode=out / "opencode.json",
        claude_settings=out / "claude-code" / "settings.json",
        continue_config=out / "continue" / "config.yaml",
        aider_conf=out / "aider" / ".aider.conf.yml",
        aider_metadata=out / "aider" / ".aider.model.metadata.json",
        source="written by the test",
    )


def write_spec_files(out: Path, build_dir: Path) -> None:
    config = yaml.safe_load((build_dir / "litellm" / "config.yaml").read_text(encoding="utf-8"))
    entries = config["model_list"]
    names = list(dict.fromkeys(e["model_name"] for e in entries))
    project = tomllib.loads((build_dir.parent / "datumc.toml").read_text(encoding="utf-8"))
    proxy = f"http://localhost:{project['proxy']['port']}"
    first = names[0]

    opencode = {
        "$schema": "https://opencode.ai/config.json",
        "provider": {"litellm": {
            "npm": "@ai-sdk/openai-compatible",
            "name": "LiteLLM",
            "options": {"baseURL": f"{proxy}/v1", "apiKey": "{env:LITELLM_MASTER_KEY}"},
            "models": {name: {} for name in names},
        }},
        "model": f"litellm/{first}",
    }
    claude = {
        "env": {
            "ANTHROPIC_BASE_URL": proxy,
            "ANTHROPIC_MODEL": first,
            "ANTHROPIC_DEFAULT_OPUS_MODEL": first,
            "ANTHROPIC_DEFAULT_SONNET_MODEL": first,
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": first,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        },
        "apiKeyHelper": 'printf %s "$LITELLM_MASTER_KEY"',
    }
    cont = {
        "name": "LiteLLM proxy",
        "version": "1.0.0",
        "schema": "v1",
        "models": [{
            "name": name, "provider": "openai", "model": name, "apiBase": f"{proxy}/v1",
            "apiKey": "${{ secrets.LITELLM_MASTER_KEY }}", "roles": ["chat"],
        } for name in names],
    }
    aider_conf = {"openai-api-base": f"{proxy}/v1", "model": f"openai/{first}"}
    metadata: dict[str, dict[str, Any]] = {}
    for entry in entries:
        info = entry.get("model_info") or {}
        window = info.get("max_input_tokens", 8192)
        metadata[f"openai/{entry['model_name']}"] = {
            "max_input_tokens": window, "max_tokens": window, "max_output_tokens": 4096,
            "input_cost_per_token": 0.0, "output_cost_per_token": 0.0,
            "litellm_provider": "openai", "mode": "chat",
        }

    for rel, text in {
        "opencode.json": json.dumps(opencode, indent=2),
        "claude-code/settings.json": json.dumps(claude, indent=2),
        "continue/config.yaml": yaml.safe_dump(cont, sort_keys=False),
        "aider/.aider.conf.yml": yaml.safe_dump(aider_conf, sort_keys=False),
        "aider/.aider.model.metadata.json": json.dumps(metadata, indent=2),
    }.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


# -- fixtures ------------------------------------------------------------------------------


@dataclass
class World:
    root: Path
    upstream: AnsweringUpstream
    proxy: Proxy
    files: ClientFiles
    upstream_key: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    litellm = require_tool("litellm")
    root = tmp_path_factory.mktemp("clients") / "project"
    upstream = AnsweringUpstream("coder")
    upstream_key = f"sk-upstream-{secrets.token_hex(12)}"
    env = {"CODER_API_BASE": upstream.v1, "CODER_API_KEY": upstream_key}
    key = strong_key()
    proxy: Proxy | None = None
    try:
        # The clients' files name the proxy's port, so the port is chosen before the build;
        # if someone else takes it before the proxy binds it, build again on another one.
        for attempt in range(3):
            port = free_port()
            build(root, port)
            full = proxy_env({**env, MASTER_KEY_ENV: key})
            config = root / "build" / "litellm" / "config.yaml"
            log = root / "proxy.log"
            argv = [litellm, "--config", str(config), "--host", LOOPBACK, "--port", str(port)]
            process = launch(argv, env=full, log=log, cwd=root)
            proxy = Proxy(f"http://{LOOPBACK}:{port}", key, process, log, full)
            try:
                wait_ready(proxy)
                break
            except ProxyExited as exc:
                if not exc.port_taken() or attempt == 2:
                    raise
        assert proxy is not None
        files = client_files(root / "build")
        print(f"\nclient files: {files.source}")
        yield World(root, upstream, proxy, files, upstream_key)
    finally:
        if proxy is not None:
            proxy.stop()
        upstream.close()


@pytest.fixture
def answer(world: World) -> Iterator[str]:
    """A fresh answer for the upstream to give, and an empty request log."""
    world.upstream.clear()
    world.upstream.answer = f"ANSWER-{marker()}"
    yield world.upstream.answer
    assert world.proxy.alive(), f"the proxy died during the test\n{world.proxy.tail()}"


def posts(upstream: Upstream) -> list[Any]:
    """POSTs only: the proxy also probes GET /v1/models upstream when it starts."""
    return [s for s in upstream.requests if s.method == "POST"]


def reached_through_proxy(world: World, run: Run, answer: str, client: str) -> None:
    seen = posts(world.upstream)
    context = f"{run}\n{world.proxy.tail(30)}"
    assert seen, f"{client}: no POST reached the upstream\n{context}"
    for request in seen:
        assert request.path == "/v1/chat/completions", f"{client}: {request.path}\n{context}"
        # The deployment's own upstream model and key: the request went through the
        # proxy's routing, and the master key the client held was accepted there.
        assert request.body["model"] == UPSTREAM_MODEL, request.body
        assert request.authorization == f"Bearer {world.upstream_key}"
        assert world.proxy.key not in " ".join(request.headers.values())
    tag = prompt(answer).split("test ")[1].rstrip(")")
    assert any(tag in json.dumps(r.body) for r in seen), f"{client}: prompt not sent\n{context}"
    assert answer in run.stdout, f"{client} did not print the upstream's answer\n{context}"
    streamed = sum(bool(r.body.get("stream")) for r in seen)
    print(f"\n{client}: {len(seen)} POST(s) upstream, model {UPSTREAM_MODEL!r} "
          f"({streamed} streamed), answer printed; client exit {run.code}, "
          f"{run.elapsed:.1f}s; files: {world.files.source}")


def client_env(world: World, key: str | None = None) -> dict[str, str]:
    """What each client is given: the proxy's master key under the names the configs
    read (LITELLM_MASTER_KEY; aider's OPENAI_API_KEY), and nothing else."""
    key = world.proxy.key if key is None else key
    return {MASTER_KEY_ENV: key, "OPENAI_API_KEY": key}


def prompt(answer: str) -> str:
    return f"Say hello. (test {answer[-12:]})"


# -- the clients ---------------------------------------------------------------------------


def test_opencode_answers_through_the_proxy(world: World, answer: str, tmp_path: Path) -> None:
    require_client("opencode")
    files = world.files
    config = json.loads(files.opencode.read_text(encoding="utf-8"))
    assert config["model"] == f"litellm/{MODEL}"
    run = run_opencode(files.opencode, prompt(answer), home=tmp_path / "home",
                       cwd=tmp_path / "work", env=client_env(world))
    print(f"\nopencode {version('opencode', tmp_path / 'home')}")
    assert run.code == 0, str(run)
    reached_through_proxy(world, run, answer, "opencode")


def test_claude_code_answers_through_the_proxy(world: World, answer: str,
                                               tmp_path: Path) -> None:
    require_client("claude")
    settings = json.loads(world.files.claude_settings.read_text(encoding="utf-8"))
    assert settings["env"]["ANTHROPIC_MODEL"] == MODEL
    run = run_claude(world.files.claude_settings, prompt(answer), home=tmp_path / "home",
                     cwd=tmp_path / "work", env=client_env(world))
    print(f"\nclaude {version('claude', tmp_path / 'home')}")
    assert run.code == 0, str(run)
    result = json.loads(run.stdout)
    assert result.get("is_error") is False, str(run)
    assert answer in result["result"], str(run)
    reached_through_proxy(world, run, answer, "claude-code")


def test_continue_cli_answers_through_the_proxy(world: World, answer: str,
                                                tmp_path: Path) -> None:
    require_client("cn")
    config = yaml.safe_load(world.files.continue_config.read_text(encoding="utf-8"))
    assert config["models"][0]["model"] == MODEL
    run = run_continue(world.files.continue_config, prompt(answer), home=tmp_path / "home",
                       cwd=tmp_path / "work", env=client_env(world))
    print(f"\ncn {version('cn', tmp_path / 'home')}")
    assert run.code == 0, str(run)
    reached_through_proxy(world, run, answer, "continue-cli")


def test_aider_answers_through_the_proxy(world: World, answer: str, tmp_path: Path) -> None:
    require_client("aider")
    conf = yaml.safe_load(world.files.aider_conf.read_text(encoding="utf-8"))
    assert conf["model"] == f"openai/{MODEL}"
    started = time.monotonic()
    run = run_aider(world.files.aider_conf, world.files.aider_metadata, prompt(answer),
                    home=tmp_path / "home", cwd=tmp_path / "work", env=client_env(world))
    print(f"\naider {version('aider', tmp_path / 'home')} ({time.monotonic() - started:.1f}s)")
    assert run.code == 0, str(run)
    # With the metadata file aider neither warns nor fetches LiteLLM's price list.
    assert "Unknown context window" not in run.output, f"metadata not read\n{run}"
    assert "model_prices_and_context_window" not in run.output, str(run)
    reached_through_proxy(world, run, answer, "aider")


# -- and without the master key -------------------------------------------------------------


def run_with(world: World, client: str, text: str, home: Path, cwd: Path,
             env: dict[str, str]) -> Run:
    files = world.files
    if client == "opencode":
        return run_opencode(files.opencode, text, home=home, cwd=cwd, env=env)
    if client == "claude":
        return run_claude(files.claude_settings, text, home=home, cwd=cwd, env=env)
    if client == "cn":
        return run_continue(files.continue_config, text, home=home, cwd=cwd, env=env)
    return run_aider(files.aider_conf, files.aider_metadata, text, home=home, cwd=cwd, env=env)


@pytest.mark.parametrize("client", ["opencode", "claude", "cn", "aider"])
def test_a_client_with_a_wrong_key_gets_no_answer(world: World, answer: str, tmp_path: Path,
                                                  client: str) -> None:
    """The same files and client with another key: the proxy refuses it (400 "No connected
    db" without a database), nothing reaches the upstream, and no answer is printed,
    whatever the exit code says (aider exits 0)."""
    require_client(client)
    run = run_with(world, client, prompt(answer), tmp_path / "home", tmp_path / "work",
                   client_env(world, key=strong_key()))
    assert not posts(world.upstream), f"{client} reached the upstream with a wrong key\n{run}"
    assert answer not in run.output, str(run)
    assert "No connected db" in run.output or run.code != 0, str(run)
    print(f"\n{client} with a wrong key: no POST upstream, exit {run.code}, "
          f"{run.elapsed:.1f}s")
