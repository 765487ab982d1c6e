"""RULES: every code datumc can emit, with its doc. Registration is explicit."""

from __future__ import annotations

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
    return [r for r in RULES.values() if r.scope is scope and r.check is not None]
