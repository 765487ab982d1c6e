"""[credentials.NAME] and [ai_model] credential, proven against the real LiteLLM proxy.

One proxy serves a project built with `datumc build`: datumc.toml shares a key and an
endpoint as `[credentials.shared]` (api_key_env, api_base_env) and a key alone as
`[credentials.key-only]`. The fake upstream (tests/helpers/upstream.py) records each
request's Authorization header, so a chat through the proxy shows which key LiteLLM
sent: the credential's, resolved from its os.environ/ reference inside credential_list.
A datum with its own api_key_env is the control; a datum naming the key-only credential
takes its endpoint from its own api_base_env (a value comes from one place).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

KEYS = {"CRED_SHARED_KEY": "sk-shared-credential-key",
        "CRED_KEY_ONLY_KEY": "sk-key-only-credential-key",
        "CRED_OWN_KEY": "sk-the-datum-own-key"}
BASE_ENV = "CRED_SHARED_BASE"
PROJECT = f"""\
[credentials.shared]
description = "The fake upstream, key and endpoint"
api_key_env = "CRED_SHARED_KEY"
api_base_env = "{BASE_ENV}"

[credentials.key-only]
api_key_env = "CRED_KEY_ONLY_KEY"
"""


def _datum(name: str, **fields: Any) -> str:
    return datum(name, provider="openai_compatible", litellm_model=f"openai/{name}-model",
                 **fields)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("credentials") as up:
        yield up


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    root = write_project(tmp_path_factory.mktemp("credentials") / "project", {
        "shared": _datum("shared", credential="shared"),
        "key-only": _datum("key-only", credential="key-only", api_base_env=BASE_ENV),
        "own": _datum("own", api_key_env="CRED_OWN_KEY", api_base_env=BASE_ENV),
    }, PROJECT)
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    env = {**KEYS, BASE_ENV: upstream.v1}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env, workdir=root)
    yield running
    running.stop()


def _bearer_upstream_saw(proxy: Proxy, upstream: Upstream, model: str) -> str | None:
    word = marker()
    reply = proxy.chat(model, word, timeout=60)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    [seen] = upstream.chats(word)
    assert seen.body["model"] == f"{model}-model", seen.body
    return seen.authorization


def test_the_credential_key_and_endpoint_reach_the_upstream(proxy: Proxy,
                                                            upstream: Upstream) -> None:
    """The datum sets neither key nor endpoint: both come from [credentials.shared]."""
    assert _bearer_upstream_saw(proxy, upstream, "shared") == f"Bearer {KEYS['CRED_SHARED_KEY']}"


def test_a_datum_fills_in_what_its_credential_leaves_out(proxy: Proxy,
                                                         upstream: Upstream) -> None:
    got = _bearer_upstream_saw(proxy, upstream, "key-only")
    assert got == f"Bearer {KEYS['CRED_KEY_ONLY_KEY']}"


def test_a_datum_without_a_credential_sends_its_own_key(proxy: Proxy,
                                                        upstream: Upstream) -> None:
    """The control: the same upstream, another key, so the keys above are the credentials'."""
    assert _bearer_upstream_saw(proxy, upstream, "own") == f"Bearer {KEYS['CRED_OWN_KEY']}"
