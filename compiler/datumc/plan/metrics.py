"""What the planned config makes LiteLLM 1.106 export on /metrics/, and who may read it.

Read from the planned `litellm_settings`, not from the datumc.toml table that set them,
so every table that plans into these keys counts alike.
"""

from __future__ import annotations

from typing import Any, Final

PROMETHEUS: Final = "prometheus"
# LiteLLM mounts its Prometheus app at /metrics (integrations/prometheus.py:4833);
# /metrics without the slash redirects.
METRICS_PATH: Final = "/metrics/"
# The counter the quota rules read: every request a client sent to the proxy, success
# or failure (integrations/prometheus.py:433-437, incremented at 1718-1724 and
# 2916-2922). prometheus_client adds `_total` to a counter's sample name.
REQUESTS_METRIC: Final = "litellm_proxy_total_requests_metric"
REQUESTS_SAMPLE: Final = f"{REQUESTS_METRIC}_total"
# Its model label: the model group the client asked for, `model_group` in the logging
# payload (integrations/prometheus.py:1558; types/integrations/prometheus.py:490), which
# the router sets to the requested name (router.py:4016-4021).
MODEL_LABEL: Final = "requested_model"


def litellm_settings(data: dict[str, Any]) -> dict[str, Any]:
    settings = data.get("litellm_settings")
    return settings if isinstance(settings, dict) else {}


def names_prometheus(value: Any) -> bool:
    return value == PROMETHEUS or (isinstance(value, list) and PROMETHEUS in value)


def prometheus_enabled(data: dict[str, Any]) -> bool:
    """LiteLLM serves /metrics/ only when `callbacks` or `success_callback` in
    litellm_settings names `prometheus` (proxy/common_utils/callback_utils.py:402-405
    mounts it then). No premium license is asked for (integrations/prometheus.py)."""
    settings = litellm_settings(data)
    return any(names_prometheus(settings.get(key)) for key in ("callbacks", "success_callback"))


def metrics_need_auth(data: dict[str, Any]) -> bool:
    """LiteLLM 1.106 asks for a key on /metrics unless `require_auth_for_metrics_endpoint`
    is false: litellm/__init__.py:191 defaults it to True, and
    proxy/middleware/prometheus_auth_middleware.py:51 runs user_api_key_auth then (401
    without a valid key). datumc always sets general_settings.master_key."""
    return litellm_settings(data).get("require_auth_for_metrics_endpoint") is not False


def requests_unlabelled(data: dict[str, Any]) -> str | None:
    """Why the requests counter would not carry the model name, if a setting drops it:
    prometheus_exclude_metrics / prometheus_exclude_labels (integrations/prometheus.py:
    1059-1081, 1389-1394) or a prometheus_metrics_config group (1018-1057, 1311-1318)."""
    settings = litellm_settings(data)
    if _lists(settings.get("prometheus_exclude_metrics"), REQUESTS_METRIC):
        return f"prometheus_exclude_metrics drops {REQUESTS_METRIC}"
    if _lists(settings.get("prometheus_exclude_labels"), MODEL_LABEL):
        return f"prometheus_exclude_labels drops the {MODEL_LABEL} label"
    return _metrics_config_problem(settings.get("prometheus_metrics_config"))


def _lists(value: Any, item: str) -> bool:
    return isinstance(value, list) and item in value


def _metrics_config_problem(groups: Any) -> str | None:
    if not isinstance(groups, list) or not groups:
        return None
    dicts = [g for g in groups if isinstance(g, dict)]
    mine = [g for g in dicts if _lists(g.get("metrics"), REQUESTS_METRIC)]
    if not mine:
        return f"prometheus_metrics_config enables metrics, but not {REQUESTS_METRIC}"
    for group in mine:
        labels = group.get("include_labels")
        if isinstance(labels, list) and MODEL_LABEL not in labels:
            return (f"prometheus_metrics_config's include_labels for {REQUESTS_METRIC} "
                    f"leave out {MODEL_LABEL}")
    return None
