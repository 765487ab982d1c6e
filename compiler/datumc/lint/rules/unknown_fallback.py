"""Fallback to a model that is not defined, or not enabled.

Checked: `fallbacks`, `context_window_fallbacks` and `content_policy_fallbacks`.

Why: LiteLLM accepts `fallbacks: [{a: [missing]}]` at startup and fails only when
the fallback is needed, at request time, when the primary is already down.
datumc leaves such targets out of router_settings.fallbacks and reports them.
A fallback names a datum (or its model_group); an alias is not enough, since
datumc resolves fallbacks to served model names.

Bad:
    [ai_model]
    fallbacks = ["olama-qwen"]        # typo: no datum has this name

Good:
    [ai_model]
    fallbacks = ["ollama-qwen"]       # the name (or model_group) of an enabled datum
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Entry, Stack
from datumc.plan.routing import FALLBACK_LABELS, fallback_kinds

CODE = "DC108"
NAME = "unknown-fallback"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    known = set(stack.by_name) | set(stack.public_names)
    aliases = _aliases(stack)
    kinds = fallback_kinds(stack)
    for entry in stack.enabled:
        for kind in kinds:
            for index, target in enumerate(getattr(entry.datum.ai_model, kind)):
                if target in stack.rejected_names and target not in known:
                    continue  # that datum failed validation; its own errors say why
                found = _problem(stack, known, aliases, kind, target)
                if found is not None:
                    message, hint = found
                    yield entry.diag(CODE, SEVERITY, message, "ai_model", kind, index,
                                     hint=hint)


def _problem(stack: Stack, known: set[str], aliases: dict[str, Entry], kind: str,
             target: str) -> tuple[str, str] | None:
    """(message, hint) when `target` of a `kind` list is not a served model."""
    label = FALLBACK_LABELS[kind]
    other = stack.by_name.get(target)
    if other is not None and not other.datum.ai_model.enabled:
        return (f"{label} '{target}' is disabled and is not served",
                f"enable it in {other.doc.display}, or remove it from {kind}")
    if target not in known and target in aliases:
        owner = aliases[target]
        return (f"{label} '{target}' is an alias of '{owner.name}', not a model name",
                f"write {kind} = [..., \"{owner.datum.public_name}\", ...]")
    if target not in known:
        close = difflib.get_close_matches(target, sorted(known), n=1)
        return (f"{label} '{target}' is not a defined model",
                f"did you mean '{close[0]}'?" if close else "add a datum with that name")
    return None


def _aliases(stack: Stack) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for entry in stack.enabled:
        for alias in entry.datum.aliases:
            out.setdefault(alias, entry)
    return out
