"""Daily request quotas: `[ai_model] rpd_limit`, which LiteLLM does not enforce.

datumc turns each one into alerting rules on LiteLLM's own request counter
(plan/metrics.py): the requests a model was asked for over the last 24 h, against
the quota. The counter's model label is the name the client asked for, so a quota
is watched under the model's name and each of its aliases. It cannot be watched
when that label would not single the datum out (`unobserved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datumc.load.stack import Entry, Stack
from datumc.plan.config import build_config
from datumc.plan.metrics import MODEL_LABEL, REQUESTS_METRIC, requests_unlabelled

FIELD = "rpd_limit"


@dataclass(frozen=True, slots=True)
class Quota:
    entry: Entry
    model: str  # the model_name it is served under
    names: tuple[str, ...]  # every value the counter's model label can take for it
    rpd_limit: int


def quotas(stack: Stack) -> list[Quota]:
    """The enabled datums with an rpd_limit, in datum order."""
    out = []
    for entry in stack.enabled:
        limit = entry.datum.ai_model.rpd_limit
        if limit is not None:
            model = entry.datum.public_name
            names = tuple(dict.fromkeys([model, *entry.datum.aliases]))
            out.append(Quota(entry, model, names, limit))
    return out


def unobserved(quota: Quota, stack: Stack, data: dict[str, Any]) -> str | None:
    """Why the request counter cannot tell this datum's requests apart, if it cannot."""
    wildcard = [name for name in quota.names if "*" in name]
    if wildcard:
        # A `*` name is a pattern route (router.py:10028-10032): the label carries the
        # name each client asked for, never the pattern.
        return (f"'{wildcard[0]}' is a wildcard route: {MODEL_LABEL} carries the name each "
                "client asked for, not the pattern")
    shared = stack.public_names.get(quota.model, [])
    if len(shared) > 1:
        return (f"{len(shared)} deployments serve '{quota.model}': {MODEL_LABEL} names the "
                "model group, so their requests are counted together")
    reason = requests_unlabelled(data)
    return f"{reason}, so {REQUESTS_METRIC} cannot count it" if reason else None


def observable(stack: Stack, data: dict[str, Any]) -> list[Quota]:
    """The quotas the rules can watch."""
    return [q for q in quotas(stack) if unobserved(q, stack, data) is None]


def planned_data(stack: Stack) -> dict[str, Any]:
    """The planned config of `stack`, as LiteLLM will read it."""
    config, _ = build_config(stack)
    return config.data
