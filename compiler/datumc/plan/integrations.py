"""[observability] -> litellm_settings callbacks; [alerting] -> general_settings alerting.

The keys are the ones a pass-through table would set, so whatever reads the planned
litellm_settings (the env inventory, lint, the prometheus wiring) sees one shape. The same key
in [observability]/[alerting] and in [litellm_settings]/[general_settings] is an error
(plan/settings.py reports it, naming the table to use).
"""

from __future__ import annotations

from typing import Any, Final

from datumc.data.integrations import default_alert_types
from datumc.load.stack import Stack
from datumc.plan.model import Origins
from datumc.plan.model_list import env_ref
from datumc.plan.sources import project_origin
from datumc.validate.observability import SLACK_WEBHOOK_ENV

# [observability] field -> litellm_settings key (proxy/proxy_server.py:6634, :6687, :6714)
CALLBACK_FIELDS: Final = {"callbacks": "callbacks", "success_callbacks": "success_callback",
                          "failure_callbacks": "failure_callback"}
# Where datumc derives each key: for the message when a pass-through table sets it too.
DERIVED_FROM: Final = {
    **{key: f"[observability] {field}" for field, key in CALLBACK_FIELDS.items()},
    "alerting": "[alerting]",
    "alert_types": "[alerting] alert_types",
    "alerting_threshold": "[alerting] alerting_threshold",
    "alert_to_webhook_url": "[alerting] slack_webhook_env",
    "guardrails": "the [[guardrails]] tables",
}


def observability_settings(stack: Stack, origins: Origins) -> dict[str, Any]:
    section = stack.project.observability
    out: dict[str, Any] = {}
    if section is None:
        return out
    for field, key in CALLBACK_FIELDS.items():
        names = getattr(section, field)
        if names is not None:
            out[key] = list(names)
            origins[("litellm_settings", key)] = project_origin(stack, "observability", field)
    return out


def alerting_settings(stack: Stack, origins: Origins) -> dict[str, Any]:
    """general_settings for Slack alerts (proxy_server.py:7378-7391 reads them)."""
    section = stack.project.alerting
    if section is None:
        return {}
    at = ("general_settings",)
    out: dict[str, Any] = {"alerting": ["slack"]}
    origins[(*at, "alerting")] = project_origin(stack, "alerting", verbatim=False)
    if section.alert_types is not None:
        out["alert_types"] = list(section.alert_types)
        origins[(*at, "alert_types")] = project_origin(stack, "alerting", "alert_types")
    if section.alerting_threshold is not None:
        out["alerting_threshold"] = section.alerting_threshold
        origins[(*at, "alerting_threshold")] = project_origin(
            stack, "alerting", "alerting_threshold")
    if section.slack_webhook_env != SLACK_WEBHOOK_ENV:
        out["alert_to_webhook_url"] = webhook_routes(section.slack_webhook_env,
                                                     section.alert_types)
        origins[(*at, "alert_to_webhook_url")] = project_origin(
            stack, "alerting", "slack_webhook_env", verbatim=False)
    return out


def webhook_routes(env: str, types: list[str] | None) -> dict[str, str]:
    """Every alert type sent -> os.environ/ENV: SlackAlerting.send_alert takes the URL from
    alert_to_webhook_url before SLACK_WEBHOOK_URL (slack_alerting.py:1548-1553), and resolves
    os.environ/ references in it (SlackAlerting/utils.py:36-51)."""
    return dict.fromkeys(types if types is not None else default_alert_types(), env_ref(env))


def alerting_facts(channel: str, facts: Any, general: dict[str, Any]) -> Any:
    """The env facts of one alerting channel; Slack's SLACK_WEBHOOK_URL is optional when
    alert_to_webhook_url routes every alert type sent (slack_alerting.py:1548)."""
    if channel != "slack" or not isinstance(facts, dict) or not _routed(general):
        return facts
    required = [n for n in facts.get("required", ()) if n != SLACK_WEBHOOK_ENV]
    return {**facts, "required": required,
            "optional": sorted({*facts.get("optional", ()), SLACK_WEBHOOK_ENV})}


def _routed(general: dict[str, Any]) -> bool:
    routes, types = general.get("alert_to_webhook_url"), general.get("alert_types")
    sent = types if isinstance(types, list) else default_alert_types()
    return isinstance(routes, dict) and all(t in routes for t in sent)
