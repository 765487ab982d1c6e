"""compiler/datumc/data/litellm_env.json: the env LiteLLM reads implicitly per config feature.

One test regenerates the snapshot from the installed LiteLLM (skipped without it); the rest
check, offline, facts verified in LiteLLM 1.106.0's source.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.snapshots import assert_snapshot_current

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "snapshot_litellm_env.py"
SNAPSHOT = REPO / "compiler" / "datumc" / "data" / "litellm_env.json"

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return data


def test_snapshot_is_what_the_script_produces_now() -> None:
    assert_snapshot_current(SCRIPT, SNAPSHOT)


def test_shape(snapshot: dict[str, Any]) -> None:
    assert set(snapshot) == {"litellm_version", "note", "callbacks", "alerting", "providers",
                             "proxy"}
    assert snapshot["litellm_version"] == "1.106.0"
    entries = [snapshot["proxy"], *(e for section in ("callbacks", "alerting", "providers")
                                    for e in snapshot[section].values())]
    for entry in entries:
        required, optional = entry["required"], entry["optional"]
        assert required == sorted(required) and optional == sorted(optional)
        assert not set(required) & set(optional)
        assert all(name.isupper() and name.isidentifier() for name in required + optional)
        assert set(entry.get("conditional", {})) <= set(required + optional)
    for section in ("callbacks", "alerting"):
        for entry in snapshot[section].values():
            assert entry["source"].startswith(("litellm/", "litellm_enterprise/"))


@pytest.mark.parametrize(("callback", "required"), [
    # langfuse/langfuse.py:248-249: the basic-auth pair, no fallback
    ("langfuse", {"LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"}),
    # langsmith.py:454: runs without an API key are skipped
    ("langsmith", {"LANGSMITH_API_KEY"}),
    # datadog/datadog.py:253-256: raises without either (outside agent mode)
    ("datadog", {"DD_API_KEY", "DD_SITE"}),
    # litellm_logging.py: `if "LOGFIRE_TOKEN" not in os.environ: raise`, same for langtrace
    ("logfire", {"LOGFIRE_TOKEN"}),
    ("langtrace", {"LANGTRACE_API_KEY"}),
    # gcs_bucket/gcs_bucket_base.py:164: "GCS_BUCKET_NAME is not set in the environment"
    ("gcs_bucket", {"GCS_BUCKET_NAME"}),
])
def test_callback_required(snapshot: dict[str, Any], callback: str, required: set[str]) -> None:
    assert set(snapshot["callbacks"][callback]["required"]) == required


def test_callback_facts(snapshot: dict[str, Any]) -> None:
    callbacks = snapshot["callbacks"]
    # langfuse.py:256: the host falls back to https://cloud.langfuse.com
    assert "LANGFUSE_HOST" in callbacks["langfuse"]["optional"]
    # prometheus needs no credentials; otel falls back to a console exporter
    assert callbacks["prometheus"]["required"] == callbacks["otel"]["required"] == []
    assert {"OTEL_EXPORTER", "OTEL_ENDPOINT", "OTEL_HEADERS"} <= set(callbacks["otel"]["optional"])
    # the otel-compatible callbacks build their own config: no OTEL_* fallbacks leak into them
    assert not any(n.startswith("OTEL_") for n in callbacks["arize"]["optional"])
    # "opentelemetry" is only a registry alias; the proxy's callback name is "otel"
    assert "opentelemetry" not in callbacks


def test_alerting(snapshot: dict[str, Any]) -> None:
    alerting = snapshot["alerting"]
    # SlackAlerting.send_alert raises "Missing SLACK_WEBHOOK_URL / ALERTING_WEBHOOK_URL"
    assert alerting["slack"]["required"] == ["SLACK_WEBHOOK_URL"]
    assert "ALERTING_WEBHOOK_URL" in alerting["slack"]["optional"]
    # SlackAlerting.send_webhook_alert raises "Missing webhook_url from environment"
    assert alerting["webhook"]["required"] == ["WEBHOOK_URL"]
    # proxy/utils.py send_email raises without SMTP_HOST / SMTP_SENDER_EMAIL
    assert {"SMTP_HOST", "SMTP_SENDER_EMAIL"} <= set(alerting["email"]["required"])


@pytest.mark.parametrize(("provider", "key"), [
    ("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY"), ("groq", "GROQ_API_KEY"),
    ("openrouter", "OPENROUTER_API_KEY"), ("mistral", "MISTRAL_API_KEY"),
    ("deepseek", "DEEPSEEK_API_KEY"), ("gemini", "GEMINI_API_KEY"),
])
def test_provider_key(snapshot: dict[str, Any], provider: str, key: str) -> None:
    # litellm.validate_environment: `missing_keys.append(key)` for the provider
    assert snapshot["providers"][provider]["required"] == [key]


def test_provider_facts(snapshot: dict[str, Any]) -> None:
    providers = snapshot["providers"]
    # validate_environment: GOOGLE_API_KEY or GEMINI_API_KEY; ANTHROPIC_AUTH_TOKEN also counts
    assert providers["gemini"]["alternatives"] == {"GEMINI_API_KEY": ["GOOGLE_API_KEY"]}
    assert "ANTHROPIC_AUTH_TOKEN" in providers["anthropic"]["alternatives"]["ANTHROPIC_API_KEY"]
    # bedrock: access keys, or a role/profile/web identity
    assert providers["bedrock"]["required"] == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    assert "AWS_ROLE_ARN" in providers["bedrock"]["alternatives"]["AWS_ACCESS_KEY_ID"]
    # main.py:1377: api_version falls back to litellm.AZURE_DEFAULT_API_VERSION
    assert providers["azure"]["required"] == ["AZURE_API_BASE", "AZURE_API_KEY"]
    assert "AZURE_API_VERSION" in providers["azure"]["optional"]
    # main.py:4486: OLLAMA_API_BASE falls back to http://localhost:11434
    assert providers["ollama"]["required"] == []


def test_proxy(snapshot: dict[str, Any]) -> None:
    proxy = snapshot["proxy"]
    # proxy_server.py:1399 + the master-key boot check refuse to start without one
    assert proxy["required"] == ["LITELLM_MASTER_KEY"]
    assert {"LITELLM_SALT_KEY", "DATABASE_URL", "STORE_MODEL_IN_DB", "UI_USERNAME", "UI_PASSWORD",
            "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"} <= set(proxy["optional"])
    assert "REDIS_HOST" in proxy["conditional"]
