"""Run the datum and project rules over a loaded Stack."""

from __future__ import annotations

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import rules_for
from datumc.lint.rule import Scope
from datumc.stack import Stack


def lint_stack(stack: Stack) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for scope in (Scope.DATUMS, Scope.PROJECT):
        for rule in rules_for(scope):
            assert rule.check is not None
            out.extend(rule.check(stack))
    return out


def stack_texts(stack: Stack) -> dict[str, str]:
    """Display path -> source text, for inline suppressions."""
    texts = {e.doc.display: e.doc.source.text for e in stack.entries}
    if stack.project_doc is not None:
        texts[stack.project_doc.display] = stack.project_doc.source.text
    return texts
