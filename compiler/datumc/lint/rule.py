"""The Rule type. A rule is a module with CODE, NAME, SEVERITY, SCOPE, a docstring and check().

Each scope has a typed check (a Protocol below). A rule about one concept that shows
up in several kinds of input (an invalid env var name in a LiteLLM config and in a
.env file) keeps one code: its module adds `EXTRA_CHECKS = {Scope.ENV: check_env}`
next to its main `check`. Config rules (Scope.CONFIG) run on the one config model,
so they see a hand-written config.yaml and the config the datums plan alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from datumc.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from datumc.load.env_loader import EnvDoc
    from datumc.load.stack import Stack
    from datumc.load.yaml_loader import YamlDoc
    from datumc.plan.model import ConfigModel


class Scope(StrEnum):
    CORE = "core"  # emitted by a stage (loading, validation, planning, writing)
    DATUMS = "datums"  # check(stack): datum fields that never reach the config
    CONFIG = "config"  # check(config): the LiteLLM config model, on every path
    YAML = "yaml"  # check(doc): the text of a hand-written YAML (quoting, duplicate keys)
    ENV = "env"  # check(doc, needed): a .env file
    PROJECT = "project"  # check(stack): deployment settings in datumc.toml


class DatumCheck(Protocol):
    def __call__(self, stack: Stack, /) -> Iterable[Diagnostic]: ...


class ConfigCheck(Protocol):
    def __call__(self, config: ConfigModel, /) -> Iterable[Diagnostic]: ...


class YamlCheck(Protocol):
    def __call__(self, doc: YamlDoc, /) -> Iterable[Diagnostic]: ...


class EnvCheck(Protocol):
    def __call__(self, doc: EnvDoc, needed: Mapping[str, str] | None,
                 /) -> Iterable[Diagnostic]: ...


ProjectCheck = DatumCheck
AnyCheck = Callable[..., Iterable[Diagnostic]]
# The type each scope's check takes, by name (the registry test reads the annotations).
CHECK_INPUT = {Scope.DATUMS: "Stack", Scope.PROJECT: "Stack", Scope.CONFIG: "ConfigModel",
               Scope.YAML: "YamlDoc", Scope.ENV: "EnvDoc"}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    scope: Scope
    doc: str
    check: AnyCheck | None = None
    configurable: bool = True
    extra_checks: Mapping[Scope, AnyCheck] = field(default_factory=dict)
    # Codes of earlier releases whose findings this rule now reports: `[lint]` settings
    # and suppression comments naming them still apply.
    replaces: tuple[str, ...] = ()

    def matches(self, key: str) -> bool:
        return key.upper() == self.code or key.lower() == self.name

    def check_for(self, scope: Scope) -> AnyCheck | None:
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
        replaces=tuple(getattr(module, "REPLACES", ())),
    )
