"""Positions and what is under the cursor, on the raw text of a buffer.

LSP positions are 0-based and count UTF-16 code units; datumc's diagnostics are
1-based and count characters. Everything here takes and returns LSP positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9_.\-/]+")
_KEY_CHARS = re.compile(r"[A-Za-z0-9_\-]+")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_CODE = re.compile(r"\bDC\d{3}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    """A range on one line, in LSP units (0-based line, UTF-16 characters)."""

    line: int
    start: int
    end: int


def lines(text: str) -> list[str]:
    return text.split("\n")


def line_at(text: str, line: int) -> str:
    rows = lines(text)
    return rows[line].removesuffix("\r") if 0 <= line < len(rows) else ""


def to_utf16(line_text: str, column: int) -> int:
    """A character index on a line as UTF-16 code units."""
    prefix = line_text[:column]
    # surrogatepass: an unsaved buffer may hold a lone surrogate (one code unit; DC002).
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def from_utf16(line_text: str, units: int) -> int:
    """UTF-16 code units on a line as a character index."""
    count = 0
    for index, ch in enumerate(line_text):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


def token_span(line_text: str, column: int) -> tuple[int, int, str] | None:
    """The token starting at character `column`: a quoted string (quotes included in
    the span, not in the returned text) or a bare word; None when there is none."""
    if column >= len(line_text):
        return None
    ch = line_text[column]
    if ch in "\"'":
        end = line_text.find(ch, column + 1)
        if end == -1:
            return None
        return column, end + 1, line_text[column + 1:end]
    match = _WORD.match(line_text, column)
    if match is None:
        return None
    return column, match.end(), match.group()


def string_at(line_text: str, column: int) -> tuple[int, int, str] | None:
    """The quoted string around character `column` (span without the quotes)."""
    for match in re.finditer(r"\"([^\"\\]*)\"|'([^']*)'", line_text):
        if match.start() <= column <= match.end():
            start = match.start() + 1
            end = match.end() - 1
            return start, end, line_text[start:end]
    return None


def word_at(line_text: str, column: int) -> str:
    for match in _WORD.finditer(line_text):
        if match.start() <= column <= match.end():
            return match.group()
    return ""


def code_at(line_text: str, column: int) -> str | None:
    """A DC code under the cursor (in a comment, a [lint] table, ...)."""
    for match in _CODE.finditer(line_text):
        if match.start() <= column <= match.end():
            return match.group().upper()
    return None


@dataclass(frozen=True, slots=True)
class Place:
    """Where the cursor is in a TOML document: the table, the key of the line (dotted
    keys split), whether it is in the value, and the key whose (array) value it is in."""

    table: tuple[str, ...]
    key: tuple[str, ...]
    in_value: bool
    on_key: bool


def toml_place(text: str, line: int, column: int) -> Place:
    rows = [r.removesuffix("\r") for r in lines(text)]
    current = rows[line] if 0 <= line < len(rows) else ""
    owner_line = line
    if "=" not in _code_part(current) and not _TABLE.match(current):
        # Inside a multi-line array: the key is where the unclosed `[` opened.
        depth = _code_part(current[:column]).count("[") - _code_part(current[:column]).count("]")
        for index in range(min(line, len(rows)) - 1, -1, -1):
            row = _code_part(rows[index])
            if _TABLE.match(rows[index]):
                break
            depth += row.count("[") - row.count("]")
            if "=" in row:
                if depth > 0:
                    owner_line = index
                break
    table: tuple[str, ...] = ()
    for row in reversed(rows[:owner_line + 1]):
        match = _TABLE.match(row)
        if match:
            table = _split_key(match.group(1))
            break
    owner = rows[owner_line] if owner_line < len(rows) else ""
    head, eq, _ = _code_part(owner).partition("=")
    key: tuple[str, ...] = ()
    on_key = False
    in_value = owner_line != line
    if eq and not _TABLE.match(owner):
        key = _split_key(head)
        if owner_line == line:
            in_value = column > len(head)
            on_key = not in_value
    if _TABLE.match(current) and owner_line == line:
        key = ()
    return Place(table, key, in_value, on_key)


def _code_part(row: str) -> str:
    """The row without a trailing comment and without quoted strings."""
    stripped = re.sub(r"\"([^\"\\]|\\.)*\"|'[^']*'", '""', row)
    return stripped.split("#", 1)[0]


def _split_key(text: str) -> tuple[str, ...]:
    parts = [p.strip().strip("\"'") for p in text.strip().split(".")]
    return tuple(p for p in parts if p)


def key_word_at(line_text: str, column: int) -> str:
    for match in _KEY_CHARS.finditer(line_text):
        if match.start() <= column <= match.end():
            return match.group()
    return ""
