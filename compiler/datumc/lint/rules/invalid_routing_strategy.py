"""`router_settings.routing_strategy` is not one LiteLLM has.

Why: unlike most settings, an invalid `routing_strategy` is a hard error: the
proxy does not start. Valid in the pinned release: simple-shuffle (default),
least-busy, usage-based-routing, usage-based-routing-v2, latency-based-routing,
cost-based-routing, provider-budget-routing, lar1.

Bad:
    router_settings:
      routing_strategy: round-robin

Good:
    router_settings:
      routing_strategy: simple-shuffle
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import section
from datumc.lint.rule import Scope
from datumc.lint.rules.project_routing_strategy import strategy_problem

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC208"
NAME = "invalid-routing-strategy"
SEVERITY = Severity.ERROR
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    router = section(doc, "router_settings")
    if "routing_strategy" not in router:
        return
    found = strategy_problem(router["routing_strategy"])
    if found is not None:
        yield doc.diag(CODE, SEVERITY, found[0], ("router_settings", "routing_strategy"),
                       hint=found[1], value=True)
