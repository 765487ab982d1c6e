"""Aliases that cannot work as written: taken twice, shadowed by a model, or dangling.

Why: aliases become `router_settings.model_group_alias`, one name -> one model.
- An alias that is also a model name is ignored: the model wins.
- An alias claimed by two datums goes to the first one in path order; the other
  claim is silently lost (a warning, not an error: b00t corpora do this, e.g. two
  Qwen 3.6 datums both calling themselves "qwen36", and must still compile).
- A `[router] model_group_alias` entry in datumc.toml that points at an unknown or
  disabled model sends requests nowhere.

Bad:
    # qwen36-local.model.toml          # qwen36-27b-local.model.toml
    aliases = ["qwen36"]               aliases = ["qwen36"]

Good:
    aliases = ["qwen36"]               aliases = ["qwen36-27b"]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Entry, Stack

CODE = "DC110"
NAME = "alias-conflict"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    yield from _datum_aliases(stack)
    yield from _project_aliases(stack)


def _datum_aliases(stack: Stack) -> Iterator[Diagnostic]:
    claimed: dict[str, Entry] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        for alias in entry.datum.aliases:
            if alias in (public, entry.name):
                continue
            owner = stack.public_names.get(alias)
            if owner:
                yield _at(entry, alias,
                          f"alias '{alias}' is the name of model '{alias}' "
                          f"({owner[0].doc.display}); the alias is ignored",
                          "remove the alias, or rename one of them")
                continue
            first = claimed.setdefault(alias, entry)
            if first is not entry and first.datum.public_name != public:
                yield _at(entry, alias,
                          f"alias '{alias}' is also claimed by '{first.name}' "
                          f"({first.doc.display}), which keeps it; this claim is ignored",
                          "give each datum its own aliases")


def _at(entry: Entry, alias: str, message: str, hint: str) -> Diagnostic:
    for table in ("b00t", "ai_model"):
        section = entry.doc.data.get(table, {})
        aliases = section.get("aliases", []) if isinstance(section, dict) else []
        if isinstance(aliases, list) and alias in aliases:
            return entry.diag(CODE, SEVERITY, message, table, "aliases", aliases.index(alias),
                              hint=hint)
    return entry.diag(CODE, SEVERITY, message, "b00t", "aliases", hint=hint)


def _project_aliases(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    table: Any = (stack.project.router.model_extra or {}).get("model_group_alias")
    if doc is None or not isinstance(table, dict):
        return
    for alias, target in table.items():
        name = target.get("model") if isinstance(target, dict) else target
        if not isinstance(name, str) or name in stack.public_names:
            continue
        entry = stack.by_name.get(name)
        what = "is disabled" if entry is not None else "is not a defined model"
        yield doc.diag(
            CODE, SEVERITY,
            f"[router] model_group_alias '{alias}' points at '{name}', which {what}",
            ("router", "model_group_alias", str(alias)),
            hint="point it at the name of an enabled datum (or its model_group)",
        )
