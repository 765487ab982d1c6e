"""Completion: provider names, capabilities, `litellm_model` values for the datum's
provider, fallback and alias targets from the project's datums, and credential names:
a datum's from datumc.toml, a LiteLLM YAML's `litellm_credential_name` from the file's
own `credential_list`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from datumc.load.stack import Stack
from datumc.lsp.models import describe, models_for, providers
from datumc.lsp.text import line_at, toml_place
from datumc.lsp.workspace import file_kind
from datumc.validate.vocab import CAPABILITY_ALIASES, Capability

# LSP CompletionItemKind
VALUE, REFERENCE, ENUM_MEMBER = 12, 18, 20
_PROVIDER = re.compile(r"^\s*provider\s*=\s*[\"']([^\"']*)[\"']", re.MULTILINE)
_YAML_TARGETS = re.compile(r"^\s*(-\s*)?(fallbacks|context_window_fallbacks|"
                           r"content_policy_fallbacks|model_group_alias)\b")
# `litellm_credential_name: NAME` in a deployment, and the `credential_name: NAME` of a
# credential_list item defining it (plain, or quoted without escapes).
YAML_CREDENTIAL_USE = re.compile(r"^\s*(?:-\s+)?litellm_credential_name\s*:")
YAML_CREDENTIAL_DEF = re.compile(
    r"^\s*(?:-\s+)?credential_name\s*:\s*(?:\"([^\"\\]*)\"|'([^']*)'|([^\s#\"'][^#]*?))\s*(?:#.*)?$")
TARGET_KEYS = frozenset({"fallbacks", "model_group", "context_window_fallbacks",
                         "content_policy_fallbacks", "default_fallbacks", "model_group_alias"})


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    kind: int
    detail: str = ""
    documentation: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"label": self.label, "kind": self.kind}
        if self.detail:
            out["detail"] = self.detail
        if self.documentation:
            out["documentation"] = {"kind": "markdown", "value": self.documentation}
        return out


def complete(path: Path, text: str, line: int, column: int,
             stack: Stack | None) -> list[Item]:
    kind = file_kind(path)
    if kind in ("datum", "project"):
        place = toml_place(text, line, column)
        if not place.in_value or not place.key:
            return []
        key = place.key[-1]
        if kind == "datum" and key == "provider":
            return [Item(p, ENUM_MEMBER, "provider") for p in providers()]
        if kind == "datum" and key == "capabilities":
            return [*(Item(c.value, ENUM_MEMBER, "capability") for c in Capability),
                    *(Item(a, ENUM_MEMBER, f"alias of {c.value}")
                      for a, c in CAPABILITY_ALIASES.items())]
        if kind == "datum" and key == "litellm_model":
            return _models(text)
        if kind == "datum" and key == "credential":
            return credentials(stack)
        if key in TARGET_KEYS or "fallbacks" in place.table or "model_group_alias" in place.table:
            return targets(stack)
        return []
    if kind == "yaml":
        if YAML_CREDENTIAL_USE.match(line_at(text, line)[:column]):
            return [Item(name, REFERENCE, "credential_list") for name in
                    sorted({n for _, n in yaml_credentials(text)})]
        rows = text.split("\n")[max(0, line - 6):line + 1]
        if any(_YAML_TARGETS.match(r) for r in rows) or ":" in line_at(text, line)[:column]:
            return targets(stack) if any(_YAML_TARGETS.match(r) for r in rows) else []
    return []


def _models(text: str) -> list[Item]:
    match = _PROVIDER.search(text)
    if match is None:
        return []
    return [Item(m, VALUE, "LiteLLM model map") for m in models_for(match.group(1))]


def targets(stack: Stack | None) -> list[Item]:
    """Every model name the project serves: datum names, model groups, aliases."""
    if stack is None:
        return []
    items: dict[str, Item] = {}
    for entry in stack.entries:
        datum = entry.datum
        hint = datum.b00t.hint or datum.ai_model.litellm_model
        items.setdefault(datum.name, Item(datum.name, REFERENCE, hint, _doc(entry.doc.display,
                                                                          datum.ai_model.litellm_model)))
        if datum.ai_model.model_group:
            items.setdefault(datum.ai_model.model_group,
                             Item(datum.ai_model.model_group, REFERENCE, "model group"))
        for alias in datum.aliases:
            items.setdefault(alias, Item(alias, REFERENCE, f"alias of {datum.name}"))
    return sorted(items.values(), key=lambda i: i.label)


def yaml_credentials(text: str) -> list[tuple[int, str]]:
    """(line, name) of each `credential_name:` in a LiteLLM YAML's text, as typed (the
    file may not parse while it is edited)."""
    found = []
    for number, row in enumerate(text.split("\n")):
        match = YAML_CREDENTIAL_DEF.match(row.removesuffix("\r"))
        if match:
            name = next(g for g in match.groups() if g is not None)
            found.append((number, name))
    return found


def credentials(stack: Stack | None) -> list[Item]:
    """The `[credentials.NAME]` tables of the project's datumc.toml, with what each sets."""
    if stack is None:
        return []
    items = []
    for name, credential in sorted(stack.project.credentials.items()):
        given = ", ".join(sorted(credential.given()))
        items.append(Item(name, REFERENCE, credential.description or "credential",
                          f"`[credentials.{name}]` in datumc.toml: sets {given}"))
    return items


def _doc(display: str, model: str) -> str:
    facts = describe(model)
    return f"`{display}`" + (f"\n\n{facts}" if facts else "")
