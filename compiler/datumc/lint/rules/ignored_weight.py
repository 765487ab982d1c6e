"""A deployment `weight` in a model group whose routing strategy is not simple-shuffle.

Why: LiteLLM 1.106 reads `litellm_params.weight` only in its simple-shuffle strategy
(router_strategy/simple_shuffle.py:17-65); least-busy, usage-based, latency-based and
cost-based routing pick by their own measure and never look at it. The weight then
does nothing, and the traffic split it promises does not happen. The strategy of a
group is its `routing_groups` entry's, else `routing_strategy` (`[router]` in
datumc.toml).

Bad:
    [router]                              # datumc.toml
    routing_strategy = "latency-based-routing"

    [ai_model]                            # a datum of that group
    weight = 3

Good:
    [router]
    routing_strategy = "simple-shuffle"   # or drop weight from the datums
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel
from datumc.plan.routing import SHUFFLE, group_strategy, model_groups

CODE = "DC233"
NAME = "ignored-weight"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for name, group in model_groups(config).items():
        strategy = group_strategy(config, name)
        if strategy == SHUFFLE:
            continue
        for deployment in group:
            if deployment.params.get("weight") is not None:
                yield config.diag(
                    CODE, SEVERITY,
                    f"weight of '{config.label(deployment)}' is ignored: model group "
                    f"'{name}' routes by {strategy}, and only simple-shuffle reads weights",
                    (*deployment.path, "litellm_params", "weight"),
                    hint="use routing_strategy simple-shuffle, or remove the weight",
                )
