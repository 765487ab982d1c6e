"""`[router] routing_strategy` is not one LiteLLM has.

Why: an invalid `routing_strategy` is a hard error: the proxy does not start.
The valid names come from the pinned LiteLLM release: simple-shuffle (default),
least-busy, usage-based-routing, usage-based-routing-v2, latency-based-routing,
cost-based-routing, provider-budget-routing, and lar1.

Bad:
    [router]
    routing_strategy = "round-robin"

Good:
    [router]
    routing_strategy = "simple-shuffle"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import did_you_mean
from datumc.lint.rule import Scope
from datumc.lint.walk import project_tables
from datumc.load.stack import Stack

CODE = "DC405"
NAME = "project-invalid-routing-strategy"
SEVERITY = Severity.ERROR
SCOPE = Scope.PROJECT


def strategy_problem(value: object) -> tuple[str, str] | None:
    """(message, hint) when `value` is not a routing strategy; shared with the YAML rule."""
    valid = vocab().routing_strategies
    if isinstance(value, str) and value in valid:
        return None
    shown = repr(value)[:60]
    hint = (did_you_mean(value, valid, cutoff=0.6) if isinstance(value, str) else "") or (
        "use one of: " + ", ".join(valid))
    return f"routing_strategy {shown} is not a LiteLLM strategy; the proxy will not start", hint


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    for base, table in project_tables(doc.data):
        router = table.get("router")
        if not isinstance(router, dict) or "routing_strategy" not in router:
            continue
        found = strategy_problem(router["routing_strategy"])
        if found is not None:
            yield doc.diag(CODE, SEVERITY, found[0], (*base, "router", "routing_strategy"),
                           hint=found[1], value=True)
