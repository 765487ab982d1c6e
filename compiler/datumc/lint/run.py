"""Run the datum and project rules over a loaded Stack."""

from __future__ import annotations

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import checks_for
from datumc.lint.rule import Scope
from datumc.load.stack import Stack


def lint_stack(stack: Stack) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for scope in (Scope.DATUMS, Scope.PROJECT):
        for check in checks_for(scope):
            out.extend(check(stack))
    return out


def stack_texts(stack: Stack) -> dict[str, str]:
    """Display path -> source text, for inline suppressions."""
    docs = [*(e.doc for e in stack.entries), *stack.rejected]
    texts = {doc.display: doc.source.text for doc in docs}
    if stack.project_doc is not None:
        texts[stack.project_doc.display] = stack.project_doc.source.text
    return texts
