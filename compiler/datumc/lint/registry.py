"""RULES: every code datumc can emit, with its doc. Registration is explicit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from datumc.diagnostics import Diagnostic
from datumc.importer.codes import IMPORT_RULES
from datumc.lint.core import CORE_RULES
from datumc.lint.rule import Rule, Scope, from_module
from datumc.lint.rules import RULE_MODULES

RULES: dict[str, Rule] = {rule.code: rule for rule in CORE_RULES}
RULES.update((r.code, r) for r in (from_module(m) for m in RULE_MODULES))
RULES.update((rule.code, rule) for rule in IMPORT_RULES)


def find_rule(key: str) -> Rule | None:
    rule = RULES.get(key.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == key.lower()), None)


def rules_for(scope: Scope) -> list[Rule]:
    """Rules with a check for inputs of `scope`; call `rule.check_for(scope)`."""
    return [r for r in RULES.values() if r.check_for(scope) is not None]


def checks_for(scope: Scope) -> list[Callable[..., Iterable[Diagnostic]]]:
    """The check functions to run on inputs of `scope`, in registry order."""
    out = []
    for rule in RULES.values():
        check = rule.check_for(scope)
        if check is not None:
            out.append(check)
    return out
