"""`[observability]` and `[alerting]` in datumc.toml: LiteLLM's logging callbacks and Slack alerts.

[observability] callbacks / success_callbacks / failure_callbacks become litellm_settings
`callbacks` / `success_callback` / `failure_callback` (LiteLLM 1.106 reads them in
proxy/proxy_server.py:6634, :6687 and :6714). [alerting] becomes general_settings `alerting:
["slack"]` with `alert_types`, `alerting_threshold` and, for a webhook variable other than
SLACK_WEBHOOK_URL, `alert_to_webhook_url` (read at proxy_server.py:7378-7391).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from datumc.data import env_facts
from datumc.data.integrations import alert_types
from datumc.validate.datum import EnvVarName
from datumc.validate.limits import MAX_LIST_ITEMS

SLACK_WEBHOOK_ENV: Final = "SLACK_WEBHOOK_URL"
_TABLE = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def did_you_mean(value: str, known: Iterable[str], *, cutoff: float) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def _callback(value: str) -> str:
    """A callback LiteLLM knows, or the dotted path of your own handler (module.instance)."""
    known = env_facts()["callbacks"]
    if "." in value or value in known:
        return value
    hint = did_you_mean(value, known, cutoff=0.6)
    raise ValueError(f"{value[:60]!r} is not a callback LiteLLM has"
                     + (f"; {hint}" if hint else "; use a LiteLLM callback name (langfuse, "
                        "datadog, otel, ...) or the dotted path of your handler"))


def _alert_type(value: str) -> str:
    if value in alert_types():
        return value
    hint = did_you_mean(value, alert_types(), cutoff=0.6)
    raise ValueError(f"{value[:60]!r} is not a LiteLLM alert type"
                     + (f"; {hint}" if hint else " (see AlertType: llm_exceptions, "
                        "llm_too_slow, budget_alerts, ...)"))


CallbackName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_callback)]
AlertTypeName = Annotated[
    str, Field(min_length=1, max_length=64, json_schema_extra={"enum": list(alert_types())}),
    AfterValidator(_alert_type),
]
Callbacks = Annotated[list[CallbackName], Field(max_length=MAX_LIST_ITEMS)]


class ObservabilitySection(BaseModel):
    """`[observability]`: LiteLLM logging integrations (langfuse, datadog, otel, ...)."""

    model_config = _TABLE

    callbacks: Callbacks | None = Field(
        default=None, description="Callbacks run on success and failure -> litellm_settings "
        "callbacks (names LiteLLM knows, or module.instance of your handler).",
    )
    success_callbacks: Callbacks | None = Field(
        default=None, description="Callbacks run on success only -> litellm_settings "
        "success_callback.",
    )
    failure_callbacks: Callbacks | None = Field(
        default=None, description="Callbacks run on failure only -> litellm_settings "
        "failure_callback.",
    )


class AlertingSection(BaseModel):
    """`[alerting]`: Slack alerts from the proxy -> general_settings alerting = ["slack"]."""

    model_config = _TABLE

    slack_webhook_env: EnvVarName = Field(
        default=SLACK_WEBHOOK_ENV, description="Env var holding the Slack webhook URL. Another "
        "name than SLACK_WEBHOOK_URL is routed per alert type (alert_to_webhook_url).",
    )
    alert_types: Annotated[list[AlertTypeName], Field(min_length=1, max_length=64)] | None = (
        Field(default=None, description="Alert types sent (LiteLLM's AlertType: llm_exceptions, "
              "llm_too_slow, budget_alerts, ...). Unset: LiteLLM's defaults.")
    )
    alerting_threshold: Annotated[int, Field(ge=1, le=86400)] | None = Field(
        default=None, description="Seconds before a request counts as slow or hanging "
        "(LiteLLM's default: 300).",
    )
