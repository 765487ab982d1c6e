"""Prometheus files for the podman and compose targets, and the quota alerting rules.

With the prometheus callback in the planned config, build/<target>/prometheus/ gets
`prometheus.yml`: one scrape job on the proxy's /metrics/ (published on this
machine's port), sending the master key from a `credentials_file` the operator
writes (never from the file itself) when LiteLLM asks for one. Datums with
`rpd_limit` add `quota-rules.yml`, which prometheus.yml loads; the kubernetes target
carries the same groups in a PrometheusRule (`rule_groups`).

Each quota gets a warning at `[quotas] warn_share` of rpd_limit and a critical
alert at `critical_share`: the requests asked of the model (its name and
aliases) over the last 24 h, summed over every proxy process Prometheus scrapes.
"""

from __future__ import annotations

from typing import Any, Final

from datumc.plan.metrics import (
    METRICS_PATH,
    MODEL_LABEL,
    REQUESTS_SAMPLE,
    metrics_need_auth,
    prometheus_enabled,
)
from datumc.plan.quotas import Quota, observable
from datumc.render import promql
from datumc.targets import deploy
from datumc.targets.base import Output, RenderContext

CONFIG_TEMPLATE: Final = "prometheus/prometheus.yml.j2"
RULES_TEMPLATE: Final = "prometheus/rules.yml.j2"
templates: Final = (CONFIG_TEMPLATE, RULES_TEMPLATE)

DIRECTORY: Final = "prometheus"
CONFIG_FILE: Final = "prometheus.yml"
RULES_FILE: Final = "quota-rules.yml"
JOB: Final = "litellm"
WINDOW: Final = "24h"
GROUP: Final = "litellm-daily-quotas"
# alert name, severity, the [quotas] field with its share of rpd_limit
LEVELS: Final = (
    ("LiteLLMDailyQuotaWarning", "warning", "warn_share"),
    ("LiteLLMDailyQuotaCritical", "critical", "critical_share"),
)


def enabled(ctx: RenderContext) -> bool:
    return prometheus_enabled(ctx.config.data)


def outputs(ctx: RenderContext, target_dir: str) -> list[Output]:
    """build/<target_dir>/prometheus/: nothing unless the proxy exports metrics."""
    if not enabled(ctx):
        return []
    groups = rule_groups(ctx)
    at = f"{target_dir}/{DIRECTORY}"
    out = [Output(f"{at}/{CONFIG_FILE}", ctx.render(
        CONFIG_TEMPLATE, **_config_variables(ctx, at, bool(groups))).encode())]
    if groups:
        out.append(Output(f"{at}/{RULES_FILE}",
                          ctx.render(RULES_TEMPLATE, rules={"groups": groups}).encode()))
    return out


def credentials_file(ctx: RenderContext) -> str | None:
    """The file (beside prometheus.yml) Prometheus reads the master key from, when
    LiteLLM asks for one: named after the env var that holds the key."""
    if not metrics_need_auth(ctx.config.data):
        return None
    return ctx.stack.project.proxy.master_key_env


def _config_variables(ctx: RenderContext, at: str, rules: bool) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": JOB, "metrics_path": METRICS_PATH}
    credentials = credentials_file(ctx)
    if credentials is not None:
        job["authorization"] = {"type": "Bearer", "credentials_file": credentials}
    job["static_configs"] = [{"targets": [f"localhost:{deploy.proxy(ctx.stack).port}"]}]
    document: dict[str, Any] = {}
    if rules:
        document["rule_files"] = [RULES_FILE]
    document["scrape_configs"] = [job]
    here = deploy.relative(ctx.out / at, ctx.stack.root)
    return {"document": document, "here": here, "credentials": credentials,
            "master_key_env": ctx.stack.project.proxy.master_key_env}


def rule_groups(ctx: RenderContext) -> list[dict[str, Any]]:
    """The quota rules as Prometheus rule groups (empty: no quota to watch)."""
    if not enabled(ctx):
        return []
    rules = [rule for quota in observable(ctx.stack, ctx.config.data)
             for rule in _quota_rules(ctx, quota)]
    return [{"name": GROUP, "rules": rules}] if rules else []


def requests_expr(quota: Quota) -> str:
    """The model's requests over the last 24 h, summed over every series and process.

    increase() counts from a series' first sample, so it misses the value a series is
    born with. LiteLLM starts a series at its first request for each key, user, client
    IP and user agent (its labels), and a new pod starts them all again: a series with
    no sample 24 h ago counts with its whole value instead."""
    series = f"{REQUESTS_SAMPLE}{{{promql.matcher(MODEL_LABEL, quota.names)}}}"
    return f"sum((increase({series}[{WINDOW}]) and {series} offset {WINDOW}) or {series})"


def _quota_rules(ctx: RenderContext, quota: Quota) -> list[dict[str, Any]]:
    shares = ctx.stack.project.quotas
    out = []
    for alert, severity, field in LEVELS:
        share: float = getattr(shares, field)
        out.append({
            "alert": alert,
            "expr": f"{requests_expr(quota)} >= {share!r} * {quota.rpd_limit}",
            "labels": {"severity": severity, "model": promql.template_text(quota.model),
                       "rpd_limit": str(quota.rpd_limit)},
            "annotations": {"summary": _summary(quota, share)},
        })
    return out


def _summary(quota: Quota, share: float) -> str:
    value = '{{ printf "%.0f" $value }}'
    after = (f" requests in the last 24 h: at least {share:.0%} of its rpd_limit of "
             f"{quota.rpd_limit} a day, which LiteLLM does not enforce.")
    return (promql.template_text(f'Model "{quota.model}": ') + value
            + promql.template_text(after))
