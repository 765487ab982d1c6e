"""The one diagnostic type shared by parse errors, schema errors and lint findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Code(str):
    """A diagnostic code declared beside the stage that emits it, with its name, default
    severity and documentation (`datumc explain`). It is the code string itself, so it
    goes wherever a code does: `Diagnostic(CODE, CODE.severity, ...)`."""

    name: str
    severity: Severity
    doc: str
    configurable: bool

    def __new__(cls, code: str, name: str, severity: Severity, doc: str, *,
                configurable: bool = False) -> Code:
        self = super().__new__(cls, code)
        self.name = name
        self.severity = severity
        self.doc = doc.strip()
        self.configurable = configurable
        return self


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `line` and `column` are 1-based; 0 means "whole file"."""

    code: str
    severity: Severity
    message: str
    path: str
    line: int = 0
    column: int = 0
    hint: str = ""

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def location(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{max(self.column, 1)}"


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted, with exact duplicates removed (two stages may report one thing)."""
    return sorted(set(diags), key=Diagnostic.sort_key)


def summarize(diags: Iterable[Diagnostic]) -> dict[str, int]:
    counts = Counter(d.severity for d in diags)
    return {s.value: counts.get(s, 0) for s in Severity}


def has_errors(diags: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diags)
