"""The Rule type. A rule is a module with CODE, NAME, SEVERITY, SCOPE, a docstring and check().

A rule about one concept that shows up in several kinds of file (an invalid env var
name in a datum, a LiteLLM YAML and a .env file) keeps one code: its module adds
`EXTRA_CHECKS = {Scope.YAML: check_yaml, ...}` next to its main `check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any

from datumc.diagnostics import Diagnostic, Severity


class Scope(StrEnum):
    CORE = "core"  # emitted by loading/validation, not by a check()
    DATUMS = "datums"  # check(stack) over all datums
    YAML = "yaml"  # check(doc) over a hand-written LiteLLM config
    ENV = "env"  # check(doc, needed) over a .env file
    PROJECT = "project"  # check(stack) over datumc.toml and deployment settings


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    scope: Scope
    doc: str
    check: Callable[..., Iterable[Diagnostic]] | None = None
    configurable: bool = True
    extra_checks: Mapping[Scope, Callable[..., Iterable[Diagnostic]]] = field(
        default_factory=dict
    )

    def matches(self, key: str) -> bool:
        return key.upper() == self.code or key.lower() == self.name

    def check_for(self, scope: Scope) -> Callable[..., Iterable[Diagnostic]] | None:
        """The check to run on inputs of `scope`, if this rule has one."""
        if scope is self.scope:
            return self.check
        return self.extra_checks.get(scope)

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return (self.scope, *self.extra_checks)


def from_module(module: ModuleType) -> Rule:
    doc = (module.__doc__ or "").strip()
    check: Any = getattr(module, "check", None)
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        scope=module.SCOPE,
        doc=doc,
        check=check,
        configurable=getattr(module, "CONFIGURABLE", True),
        extra_checks=dict(getattr(module, "EXTRA_CHECKS", {})),
    )
