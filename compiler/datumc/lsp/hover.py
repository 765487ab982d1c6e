"""Hover: a key's description (from the pydantic models), a DC code's `datumc explain`
text, and what LiteLLM's model map says of a model."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from datumc.lsp.models import describe
from datumc.lsp.text import code_at, key_word_at, line_at, string_at, toml_place, word_at
from datumc.lsp.workspace import file_kind

_YAML_MODEL = re.compile(r"^\s*-?\s*model\s*:\s*[\"']?([^\"'#\s]+)")


def hover(path: Path, text: str, line: int, column: int) -> str | None:
    """Markdown for the cursor at (line, character index), or None."""
    row = line_at(text, line)
    code = code_at(row, column)
    if code is not None:
        return explain(code)
    kind = file_kind(path)
    if kind in ("datum", "project"):
        return _toml_hover(kind, text, row, line, column)
    if kind == "yaml":
        match = _YAML_MODEL.match(row)
        if match and match.start(1) <= column <= match.end(1):
            return describe(match.group(1))
    return None


def explain(code: str) -> str | None:
    from datumc.commands.explain import render
    from datumc.lint.registry import find_rules

    rules = find_rules(code)
    if not rules:
        return None
    return "\n".join(f"```text\n{render(rule)}```" for rule in rules)


def _toml_hover(kind: str, text: str, row: str, line: int, column: int) -> str | None:
    place = toml_place(text, line, column)
    if place.in_value:
        if place.key and place.key[-1] == "litellm_model":
            found = string_at(row, column)
            if found is not None:
                return describe(found[2])
        return None
    root: type[BaseModel] = _root(kind)
    if place.on_key and place.key:
        word = key_word_at(row, column)
        keys = place.key
        if word in keys:
            keys = keys[:keys.index(word) + 1]
        return field_doc(root, (*place.table, *keys))
    if not place.key and row.lstrip().startswith("["):
        word = word_at(row, column)
        table = place.table
        for index, part in enumerate(table):
            if part in word.split("."):
                return field_doc(root, table[:index + 1])
    return None


def _root(kind: str) -> type[BaseModel]:
    if kind == "project":
        from datumc.validate.project import Project

        return Project
    from datumc.validate.datum import Datum

    return Datum


def field_doc(root: type[BaseModel], path: tuple[str, ...]) -> str | None:
    """`**a.b.c**` and the field's description, for a key path in `root`'s schema."""
    model: type[BaseModel] | None = root
    description = ""
    for part in path:
        if model is None:
            return None
        found = model.model_fields.get(part)
        if found is None:
            return None
        description = found.description or ""
        model = _submodel(found.annotation)
    if not description and model is not None:
        description = (model.__doc__ or "").strip()
    if not description:
        return f"**{'.'.join(path)}**"
    return f"**{'.'.join(path)}**\n\n{description}"


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (through Optional, Annotated, list, dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        args = (args[1],)
    for arg in args:
        found = _submodel(arg)
        if found is not None:
            return found
    return None
