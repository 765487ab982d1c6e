"""RULES: every code datumc can emit, with its doc. Registration is explicit."""

from __future__ import annotations

from typing import cast

from datumc.importer.codes import IMPORT_RULES
from datumc.lint.core import CORE_RULES
from datumc.lint.rule import (
    AnyCheck,
    ConfigCheck,
    DatumCheck,
    EnvCheck,
    ProjectCheck,
    Rule,
    Scope,
    YamlCheck,
    from_module,
)
from datumc.lint.rules import RULE_MODULES

RULES: dict[str, Rule] = {rule.code: rule for rule in CORE_RULES}
RULES.update((r.code, r) for r in (from_module(m) for m in RULE_MODULES))
RULES.update((rule.code, rule) for rule in IMPORT_RULES)
# Retired code -> the rules that report its findings now.
REPLACED: dict[str, list[Rule]] = {}
for _rule in RULES.values():
    for _old in _rule.replaces:
        REPLACED.setdefault(_old, []).append(_rule)


def find_rule(key: str) -> Rule | None:
    rule = RULES.get(key.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == key.lower()), None)


def find_rules(key: str) -> list[Rule]:
    """The rules a `[lint]` key or suppression names: a code, a name, or a retired code."""
    rule = find_rule(key)
    return [rule] if rule is not None else list(REPLACED.get(key.upper(), ()))


def rules_for(scope: Scope) -> list[Rule]:
    """Rules with a check for inputs of `scope`; call `rule.check_for(scope)`."""
    return [r for r in RULES.values() if r.check_for(scope) is not None]


def _checks(scope: Scope) -> list[AnyCheck]:
    out = []
    for rule in RULES.values():
        check = rule.check_for(scope)
        if check is not None:
            out.append(check)
    return out


def datum_checks() -> list[DatumCheck]:
    return cast(list[DatumCheck], _checks(Scope.DATUMS))


def project_checks() -> list[ProjectCheck]:
    return cast(list[ProjectCheck], _checks(Scope.PROJECT))


def config_checks() -> list[ConfigCheck]:
    return cast(list[ConfigCheck], _checks(Scope.CONFIG))


def yaml_checks() -> list[YamlCheck]:
    return cast(list[YamlCheck], _checks(Scope.YAML))


def env_checks() -> list[EnvCheck]:
    return cast(list[EnvCheck], _checks(Scope.ENV))
