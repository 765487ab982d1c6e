"""[ai_model.aws], [ai_model.vertex], [ai_model.azure], proven against the real LiteLLM proxy.

One proxy runs the config `datumc build` wrote for a Bedrock, a Vertex AI and an Azure
datum. It must start, serve the three models (/v1/models) and hold each deployment's
cloud params as its own (/model/info). The Azure deployment reaches the fake upstream
(tests/helpers/upstream.py) at its api_base, with the datum's version in the
`api-version` query. Bedrock and Vertex AI are not called: their clouds are not
reachable from a test, so what is proven for them is that LiteLLM loads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import datum, require_tool, run_cli, write_project
from helpers.proxy import Proxy, marker, start_proxy
from helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

API_VERSION = "2024-10-21"  # not LiteLLM 1.106's default (2025-02-01-preview)
AWS = {"region": "eu-central-1", "access_key_id_env": "E2E_AWS_KEY_ID",
       "secret_access_key_env": "E2E_AWS_SECRET"}
VERTEX = {"project": "acme-e2e", "location": "europe-west4",
          "credentials_file": "secrets/vertex-sa.json"}
NAMES = ["bedrock-e2e", "gemini-e2e", "azure-e2e"]


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("azure") as up:
        yield up


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    root = write_project(tmp_path_factory.mktemp("cloud") / "project", {
        "bedrock": datum("bedrock-e2e", provider="bedrock",
                         litellm_model="bedrock/anthropic.claude-3-haiku-20240307-v1:0",
                         aws=AWS),
        "vertex": datum("gemini-e2e", provider="vertex_ai",
                        litellm_model="vertex_ai/gemini-1.5-pro", vertex=VERTEX),
        "azure": datum("azure-e2e", provider="azure", litellm_model="azure/gpt-4o-e2e",
                       api_base_env="E2E_AZURE_BASE", api_key_env="E2E_AZURE_KEY",
                       azure={"api_version": API_VERSION}),
    })
    (root / "secrets").mkdir()
    (root / "secrets/vertex-sa.json").write_text('{"type": "service_account"}\n')
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    env = {"E2E_AWS_KEY_ID": "AKIAE2ETESTKEYID0000", "E2E_AWS_SECRET": "e2e-aws-secret",
           "E2E_AZURE_BASE": upstream.url, "E2E_AZURE_KEY": "e2e-azure-key"}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env, workdir=root)
    yield running
    running.stop()


def test_the_proxy_serves_every_cloud_deployment(proxy: Proxy) -> None:
    assert proxy.served() == sorted(NAMES)


def test_the_proxy_holds_the_cloud_params_of_each_deployment(proxy: Proxy) -> None:
    params = {m["model_name"]: m["litellm_params"] for m in proxy.model_info()}
    assert params["bedrock-e2e"]["aws_region_name"] == "eu-central-1"
    assert params["gemini-e2e"]["vertex_project"] == "acme-e2e"
    assert params["gemini-e2e"]["vertex_location"] == "europe-west4"
    assert params["azure-e2e"]["api_version"] == API_VERSION


def test_azure_sends_the_datum_api_version(proxy: Proxy, upstream: Upstream) -> None:
    text = marker()
    reply = proxy.chat("azure-e2e", text, timeout=60)
    assert reply.status == 200, f"{reply}\n{proxy.tail()}"
    # Seen.is_chat reads the path without a query string: match on the prompt instead.
    [seen] = [s for s in upstream.requests if s.method == "POST" and text in s.prompt()]
    url = urlsplit(seen.path)
    assert url.path == "/openai/deployments/gpt-4o-e2e/chat/completions", seen.path
    assert parse_qs(url.query)["api-version"] == [API_VERSION]
    assert seen.headers.get("api-key") == "e2e-azure-key"
