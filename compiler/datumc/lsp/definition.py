"""Go to definition: from a fallback or alias value (any quoted model name) to the
datum that defines that name, from a datum's `credential` to its `[credentials.NAME]`
table in datumc.toml, and in a LiteLLM YAML from `litellm_credential_name` to the
`credential_name` of the file's credential_list item."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datumc.load.stack import Entry, Stack
from datumc.load.toml_loader import TomlDoc
from datumc.lsp.completion import YAML_CREDENTIAL_USE, yaml_credentials
from datumc.lsp.text import line_at, string_at, to_utf16, word_at

_CREDENTIAL = re.compile(r"\s*(ai_model\s*\.\s*)?credential\s*=")


@dataclass(frozen=True, slots=True)
class Target:
    path: Path
    line: int  # 0-based
    start: int  # UTF-16
    end: int


def definition(text: str, line: int, column: int, stack: Stack | None,
               path_of: dict[str, Path], path: Path | None = None) -> Target | None:
    row = line_at(text, line)
    if path is not None and YAML_CREDENTIAL_USE.match(row):
        return _yaml_credential(text, row, path)
    if stack is None:
        return None
    found = string_at(row, column)
    name = found[2] if found is not None else word_at(row, column).rstrip(":,")
    if not name:
        return None
    if _CREDENTIAL.match(row):
        return _credential(stack, name, path_of)
    entry = _defining(stack, name)
    if entry is None:
        return None
    key: tuple[str, ...] = ("b00t", "name")
    if entry.name != name:
        if entry.datum.ai_model.model_group == name:
            key = ("ai_model", "model_group")
        elif name in entry.datum.b00t.aliases:
            key = ("b00t", "aliases")
        elif name in entry.datum.ai_model.aliases:
            key = ("ai_model", "aliases")
    return _in_toml(entry.doc, entry.doc.value_at(*key), path_of, _quoted)


def _yaml_credential(text: str, row: str, path: Path) -> Target | None:
    """The `credential_name:` line defining the name `row` uses, in the same file."""
    value = row.split(":", 1)[1].split("#", 1)[0].strip().strip("\"'")
    for number, name in yaml_credentials(text):
        if name == value:
            target_row = line_at(text, number)
            start = target_row.rfind(name)
            return _span(path, target_row, number, start, start + len(name))
    return None


def _credential(stack: Stack, name: str, path_of: dict[str, Path]) -> Target | None:
    """The name in the `[credentials.NAME]` header (or `NAME = {...}` line) defining it."""
    doc = stack.project_doc
    if doc is None or name not in stack.project.credentials:
        return None

    def named(row: str, column: int) -> tuple[int, int]:
        start = row.find(name, column)
        return (column, column) if start == -1 else (start, start + len(name))

    return _in_toml(doc, doc.at("credentials", name), path_of, named)


def _quoted(row: str, column: int) -> tuple[int, int]:
    """The quoted string at `column` (without its quotes), else just that place."""
    found = string_at(row, column + 1)
    return (found[0], found[1]) if found else (column, column)


def _in_toml(doc: TomlDoc, at: tuple[int, int], path_of: dict[str, Path],
             span: Callable[[str, int], tuple[int, int]]) -> Target:
    """What `span` finds on the row of `at` (1-based line and column, as the document's
    positions give them), in the file the editor knows the document by."""
    line = max(at[0] - 1, 0)
    row = line_at(doc.source.text, line)
    start, end = span(row, max(at[1] - 1, 0))
    return _span(path_of.get(doc.display, doc.source.path), row, line, start, end)


def _span(path: Path, row: str, line: int, start: int, end: int) -> Target:
    """Characters `start` to `end` of a row, counted as the protocol counts (UTF-16)."""
    return Target(path, line, to_utf16(row, start), to_utf16(row, end))


def _defining(stack: Stack, name: str) -> Entry | None:
    entry = stack.by_name.get(name)
    if entry is not None:
        return entry
    for candidate in stack.entries:
        if candidate.datum.ai_model.model_group == name:
            return candidate
    for candidate in stack.entries:
        if name in candidate.datum.aliases:
            return candidate
    return None
