"""Apply [lint] settings and inline suppressions to a list of diagnostics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.registry import RULES, find_rules
from datumc.lint.suppress import Suppressions, parse_suppressions
from datumc.validate.project import LintSection


def _levels(lint: LintSection) -> dict[str, Severity | None]:
    out: dict[str, Severity | None] = {}
    for key in lint.disable:
        for rule in find_rules(key):
            out[rule.code] = None
    for key, level in lint.severity.items():
        for rule in find_rules(key):
            out[rule.code] = None if level == "off" else Severity(level)
    return out


def apply_policy(
    diags: Iterable[Diagnostic], *, texts: Mapping[str, str], lint: LintSection | None = None,
    suppressed: list[Diagnostic] | None = None,
) -> list[Diagnostic]:
    """Drop disabled and suppressed findings; re-level the rest as configured. Findings an
    inline comment silences are added to `suppressed` when it is given."""
    levels = _levels(lint) if lint is not None else {}
    cache: dict[str, Suppressions] = {}
    out = []
    for diag in diags:
        rule = RULES.get(diag.code)
        if rule is not None and rule.configurable:
            if diag.code in levels:
                level = levels[diag.code]
                if level is None:
                    continue
                diag = diag.with_severity(level)
            if _suppressed(diag, (diag.code, rule.name, *rule.replaces), texts, cache):
                if suppressed is not None:
                    suppressed.append(diag)
                continue
        out.append(diag)
    return out


def _suppressed(
    diag: Diagnostic, keys: tuple[str, ...], texts: Mapping[str, str],
    cache: dict[str, Suppressions],
) -> bool:
    text = texts.get(diag.path)
    if text is None:
        return False
    sup = cache.get(diag.path)
    if sup is None:
        sup = cache[diag.path] = parse_suppressions(text)
    return sup.covers(diag.line, keys)
