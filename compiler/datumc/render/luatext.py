"""Emit Lua table constructors from plain data, and read their strings back.

Every string becomes a double-quoted Lua literal in which only a small safe alphabet
stays as it is; every other byte of its UTF-8 form is written as a three-digit decimal
escape (`\\ddd`, Lua 5.1 to 5.4 and LuaJIT alike). Three digits always, so a digit after
an escape is never read as part of it. A quote, a backslash, a line break or `]]`
therefore never reaches the reader: no value can end the string, add a key or run code.
Keys that are Lua names are written bare; any other key as `["..."]`.

`strings()` is the reader the leak check uses: every string literal of a file datumc
wrote, with its escapes undone as Lua does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-.,:/@+=%()*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Lua 5.4's reserved words: never a bare key.
_RESERVED = frozenset([
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
    "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
])


def string(value: str) -> str:
    """A Lua string literal that reads back as exactly `value` (as UTF-8 bytes)."""
    return '"' + "".join(chr(b) if b in _SAFE else f"\\{b:03d}"
                         for b in value.encode("utf-8")) + '"'


def scalar(value: Any) -> str:
    if isinstance(value, str):
        return string(value)
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Lua has no literal for inf or nan")
        return repr(value)
    raise TypeError(f"cannot emit {type(value).__name__} as Lua")


def key(name: Any) -> str:
    if isinstance(name, str) and _NAME.fullmatch(name) and name not in _RESERVED:
        return name
    return f"[{scalar(name)}]"


def table(value: Any, indent: int = 0) -> str:
    """`value` (a dict, list or scalar) as a Lua expression, nested tables indented."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{key(k)} = {table(v, indent + 2)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "{}"
        return "{\n" + "\n".join(f"{inner}{table(v, indent + 2)}," for v in value) + f"\n{pad}}}"
    return scalar(value)


_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11,
           "\\": 92, '"': 34, "'": 39, "\n": 10}


def strings(text: str) -> Iterator[str]:
    """Every short string literal in `text` (Lua source datumc wrote), decoded: the
    `\\ddd`, `\\xXX`, `\\u{X}` and one-letter escapes undone. Comments are skipped."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "\"'":
            value, i = _short(text, i + 1, ch)
            yield value
        else:
            i += 1


def _short(text: str, i: int, quote: str) -> tuple[str, int]:
    out = bytearray()
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == quote:
            return out.decode("utf-8", "replace"), i + 1
        if ch == "\n":
            raise ValueError("unfinished string")
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt.isdigit():
            digits = re.match(r"[0-9]{1,3}", text[i + 1:])
            assert digits is not None
            out.append(int(digits.group()) & 0xFF)
            i += 1 + len(digits.group())
        elif nxt == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif nxt == "u":
            end = text.index("}", i)
            out += chr(int(text[i + 3:end], 16)).encode("utf-8")
            i = end + 1
        elif nxt == "z":
            i += 2
            while i < n and text[i].isspace():
                i += 1
        elif nxt in _SIMPLE:
            out.append(_SIMPLE[nxt])
            i += 2
        else:
            raise ValueError(f"invalid escape \\{nxt}")
    raise ValueError("unfinished string")
