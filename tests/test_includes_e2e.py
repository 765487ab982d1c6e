"""`[extra_sections] include`, proven against the real LiteLLM proxy.

A project of one datum whose datumc.toml includes extra/models.yaml (one model), which
itself includes more.yaml next to it (another model), is built with `datumc build`.
The project's own extra/ directory is then removed: the proxy, started on
build/litellm/config.yaml from another directory, can only find the models in the
copies the build put next to config.yaml. /v1/models must list both included models
with the datum's, and a chat to each must reach the fake upstream as the model its
file names.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

KEY_ENV = "INCLUDE_UPSTREAM_KEY"
BASE_ENV = "INCLUDE_UPSTREAM_BASE"
PROJECT = """\
[extra_sections]
include = ["extra/models.yaml"]
"""


def _model(name: str, upstream_model: str, nested: str = "") -> str:
    return f"""\
{nested}model_list:
  - model_name: {name}
    litellm_params:
      model: openai/{upstream_model}
      api_base: os.environ/{BASE_ENV}
      api_key: os.environ/{KEY_ENV}
"""


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("includes") as up:
        yield up


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    base = tmp_path_factory.mktemp("includes")
    root = write_project(base / "project", {
        "datum-model": datum("datum-model", provider="openai_compatible",
                             litellm_model="openai/datum-upstream",
                             api_base_env=BASE_ENV, api_key_env=KEY_ENV),
    }, PROJECT)
    (root / "extra").mkdir()
    (root / "extra/models.yaml").write_text(
        _model("included-model", "included-upstream", "include: [more.yaml]\n"))
    (root / "extra/more.yaml").write_text(_model("nested-model", "nested-upstream"))
    built = run_cli("build", cwd=root)
    assert built.code == 0, built.output
    shutil.rmtree(root / "extra")  # the proxy must read the build's copies
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {KEY_ENV: "sk-include-upstream-key", BASE_ENV: upstream.v1}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env,
                          workdir=elsewhere)
    yield running
    running.stop()


def test_models_lists_the_included_models(proxy: Proxy) -> None:
    assert proxy.served() == ["datum-model", "included-model", "nested-model"]


@pytest.mark.parametrize(("name", "upstream_model"), [
    ("included-model", "included-upstream"),
    ("nested-model", "nested-upstream"),
])
def test_a_chat_to_an_included_model_reaches_its_upstream(
        proxy: Proxy, upstream: Upstream, name: str, upstream_model: str) -> None:
    prompt = marker()
    reply = proxy.chat(name, prompt, timeout=60)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    seen = upstream.chats(prompt)
    assert len(seen) == 1, seen
    assert seen[0].body["model"] == upstream_model
    assert seen[0].authorization == "Bearer sk-include-upstream-key"
