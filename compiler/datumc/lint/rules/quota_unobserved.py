"""A datum's `rpd_limit` that LiteLLM's request counter cannot attribute to it.

Why: the quota rules count `litellm_proxy_total_requests_metric` by its
`requested_model` label, which LiteLLM 1.106 sets to the model name (or alias) the
client asked for. That does not single a datum out when the datum is a wildcard
route (`openai/*`: the label carries each concrete name), when several datums
share one model_group (the label names the group, so their requests are counted
together), or when `[litellm_settings]` drops the metric or the label
(`prometheus_exclude_metrics`, `prometheus_exclude_labels`,
`prometheus_metrics_config`). datumc then writes no rule for the quota.

Bad:
    [b00t]
    name = "openai/*"
    [ai_model]
    rpd_limit = 1000

Good:
    [b00t]
    name = "gpt-4o"           # one model_name per quota
    [ai_model]
    rpd_limit = 1000
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.metrics import prometheus_enabled
from datumc.plan.quotas import FIELD, planned_data, quotas, unobserved

CODE = "DC409"
NAME = "quota-unobserved"
SEVERITY = Severity.WARNING
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    found = quotas(stack)
    if not found:
        return
    data = planned_data(stack)
    if not prometheus_enabled(data):
        return  # DC408 says so
    for quota in found:
        reason = unobserved(quota, stack, data)
        if reason is not None:
            yield quota.entry.diag(
                CODE, SEVERITY,
                f"rpd_limit = {quota.rpd_limit} cannot be watched: {reason}; datumc writes "
                "no alerting rule for it",
                "ai_model", FIELD,
                hint="serve the datum under its own model_name (no '*', no shared "
                "model_group), and keep the requested_model label",
            )
