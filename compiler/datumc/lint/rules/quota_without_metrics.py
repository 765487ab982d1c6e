"""A datum's `rpd_limit` while the proxy exports no metrics: nothing watches the quota.

Why: LiteLLM does not enforce a requests-per-day limit. datumc watches `rpd_limit`
with Prometheus alerting rules on the proxy's own request counter
(`litellm_proxy_total_requests_metric`), which LiteLLM exports on /metrics/ only with
the `prometheus` callback. Without it no rule is written and the quota is only a
comment: the provider's 429s are the first sign it ran out.

Bad:
    [ai_model]
    rpd_limit = 1000          # datumc.toml names no prometheus callback

Good:
    # datumc.toml ([litellm_settings] callbacks works too)
    [observability]
    callbacks = ["prometheus"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.metrics import prometheus_enabled
from datumc.plan.quotas import FIELD, planned_data, quotas

CODE = "DC408"
NAME = "quota-without-metrics"
SEVERITY = Severity.WARNING
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    found = quotas(stack)
    if not found or prometheus_enabled(planned_data(stack)):
        return
    for quota in found:
        yield quota.entry.diag(
            CODE, SEVERITY,
            f"rpd_limit = {quota.rpd_limit} is not watched: LiteLLM does not enforce it, and "
            "without the prometheus callback datumc writes no alerting rule for it",
            "ai_model", FIELD,
            hint='add "prometheus" to callbacks in [observability] (or [litellm_settings]) '
            "in datumc.toml",
        )
