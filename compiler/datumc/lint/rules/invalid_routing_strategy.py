"""`routing_strategy` is not one LiteLLM has (router_settings, or `[router]` in datumc.toml).

Why: unlike most settings, an invalid `routing_strategy` is a hard error: the
proxy does not start. Valid in the pinned release: simple-shuffle (default),
least-busy, usage-based-routing, usage-based-routing-v2, latency-based-routing,
cost-based-routing, provider-budget-routing, lar1.

Formerly also DC405 (the datumc.toml form of this rule).

Bad:
    router_settings:
      routing_strategy: round-robin

    [router]
    routing_strategy = "round-robin"

Good:
    router_settings:
      routing_strategy: simple-shuffle
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel

CODE = "DC208"
NAME = "invalid-routing-strategy"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG
REPLACES = ("DC405",)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    router = config.section("router_settings")
    if "routing_strategy" not in router:
        return
    value = router["routing_strategy"]
    valid = vocab().routing_strategies
    if isinstance(value, str) and value in valid:
        return
    hint = (did_you_mean(value, valid, cutoff=0.6) if isinstance(value, str) else "") or (
        "use one of: " + ", ".join(valid))
    path = ("router_settings", "routing_strategy")
    yield config.diag(CODE, SEVERITY,
                      f"routing_strategy {repr(value)[:60]} is not a LiteLLM strategy; the "
                      "proxy will not start", path, hint=hint, value=True)
