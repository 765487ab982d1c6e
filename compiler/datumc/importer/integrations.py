"""litellm_settings callbacks -> [observability]; general_settings Slack alerting -> [alerting];
the top-level guardrails list -> [[guardrails]].

Runs on the pass-through tables the importer already built, and moves what datumc's tables
say exactly (so the build writes the same keys back); anything else stays verbatim.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from datumc.importer.secrets import env_ref_name
from datumc.plan.guardrails import PARAM_FIELDS
from datumc.plan.integrations import CALLBACK_FIELDS, webhook_routes
from datumc.secrets.detect import sensitive
from datumc.validate.guardrails import Guardrails
from datumc.validate.observability import SLACK_WEBHOOK_ENV, AlertingSection, ObservabilitySection

# litellm_params key -> [[guardrails]] field (the planner's map, inverted)
_GUARDRAIL_FIELDS: Final = {key: field for field, key in PARAM_FIELDS.items()}


def take_observability(settings: dict[str, Any]) -> dict[str, Any]:
    """Callback lists -> [observability] fields (removed from `settings`)."""
    table: dict[str, Any] = {}
    for field, key in CALLBACK_FIELDS.items():
        value = settings.get(key)
        if isinstance(value, list) and _valid(ObservabilitySection, {field: value}):
            table[field] = settings.pop(key)
    return table


def take_alerting(general: dict[str, Any]) -> dict[str, Any]:
    """alerting = ["slack"] with alert_types, alerting_threshold and an alert_to_webhook_url
    that sends every type to one variable -> [alerting] (removed from `general`)."""
    if general.get("alerting") != ["slack"]:
        return {}
    table: dict[str, Any] = {"slack_webhook_env": SLACK_WEBHOOK_ENV}
    for key in ("alert_types", "alerting_threshold"):
        if key in general:
            table[key] = general[key]
    routes = general.get("alert_to_webhook_url")
    if routes is not None:
        env = _one_env(routes)
        if env is None or env == SLACK_WEBHOOK_ENV or routes != webhook_routes(
                env, table.get("alert_types")):
            return {}
        table["slack_webhook_env"] = env
    if not _valid(AlertingSection, table):
        return {}
    for key in ("alerting", "alert_types", "alerting_threshold", "alert_to_webhook_url"):
        general.pop(key, None)
    return table


def take_guardrails(root: dict[str, Any]) -> list[dict[str, Any]]:
    """The guardrails list as [[guardrails]] tables, when every item fits one (a name, a
    provider, env references for api_key/api_base, no secret among the other params);
    else [] and the list stays in [extra_sections] verbatim."""
    items = root.get("guardrails")
    if not isinstance(items, list) or not items:
        return []
    tables = [_guardrail_table(item) for item in items]
    if any(t is None for t in tables):
        return []
    try:
        TypeAdapter(Guardrails).validate_python(tables)  # each table, and unique names
    except ValidationError:
        return []
    return [t for t in tables if t is not None]


def _guardrail_table(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or set(item) != {"guardrail_name", "litellm_params"}:
        return None
    params = item["litellm_params"]
    if not isinstance(params, dict):
        return None
    table: dict[str, Any] = {"name": item["guardrail_name"]}
    rest: dict[str, Any] = {}
    for key, value in params.items():
        field = _GUARDRAIL_FIELDS.get(key) if isinstance(key, str) else None
        if field is not None and field.endswith("_env"):
            name = env_ref_name(value)
            if name is None:
                return None  # a hardcoded key: [extra_sections] moves it to an env var
            table[field] = name
        elif field is not None:
            table[field] = value
        elif not isinstance(key, str) or not _plain(key, value):
            return None
        else:
            rest[key] = value
    return {**table, **({"params": rest} if rest else {})}


def _plain(key: str, value: Any) -> bool:
    """A scalar or a list of scalars that is no secret (else the pass-through handles it)."""
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, str | int | float | bool) and not sensitive(key, v)
               for v in values)


def _one_env(routes: Any) -> str | None:
    names = {env_ref_name(v) for v in routes.values()} if isinstance(routes, dict) else set()
    return next(iter(names)) if len(names) == 1 else None


def _valid(model: type[ObservabilitySection | AlertingSection], data: dict[str, Any]) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True
