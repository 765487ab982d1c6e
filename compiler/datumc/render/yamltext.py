"""Emit YAML text from plain data, so that reading it back gives exactly that data.

Every string goes through `scalar()`: it stays plain only when it is made of a
small safe alphabet *and* PyYAML's own resolver reads it back as a string;
otherwise it is double-quoted with every special or non-printable character
escaped. No datum value can therefore add a key, end a block or open a comment.

A mapping key is written as an implicit key (`key: value`) only while it is short
enough for every reader: YAML 1.2 (section 7.4.2), PyYAML, libyaml and go-yaml refuse an
implicit key longer than 1024 characters. A longer key takes the explicit form
(`? key` then `: value`, or `{? key: value}` in flow style), which has no length limit.
A quoted key is never special: `"<<"` is a plain string key, not a merge key.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

import yaml

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@+-]*")
# Numbers and booleans as YAML 1.2 readers (kubectl, compose) see them; PyYAML's
# YAML 1.1 resolver below catches the rest.
_OTHER_NON_STRINGS = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
    r"|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[yYnN]"
)
_RESOLVER = yaml.resolver.Resolver()
# Longest key text written in the implicit form; the limit is 1024, the margin leaves room
# for a reader that also counts the `:` or the indentation.
IMPLICIT_KEY_MAX = 1000
_STR_TAG = "tag:yaml.org,2002:str"

# PyYAML reads these as line breaks or refuses them: always escape.
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
    "\ufeff": "\\ufeff",
}


def _printable(ch: str) -> bool:
    """PyYAML's definition of a printable character, minus line breaks."""
    code = ord(ch)
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _escape_char(ch: str) -> str:
    known = _ESCAPES.get(ch)
    if known is not None:
        return known
    if _printable(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quoted(value: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `value`."""
    return '"' + "".join(_escape_char(ch) for ch in value) + '"'


@lru_cache(maxsize=65536)
def string(value: str) -> str:
    if (
        _PLAIN.fullmatch(value)
        and not _OTHER_NON_STRINGS.fullmatch(value)
        and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        == _STR_TAG
    ):
        return value
    return quoted(value)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if exponent[0] not in "+-":
            exponent = "+" + exponent
        text = f"{mantissa}e{exponent}"
    return text


def scalar(value: Any) -> str:
    """One YAML scalar for a str, bool, int, float, None or TOML date/time."""
    if isinstance(value, str):
        return string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dt.date | dt.time):
        return quoted(value.isoformat())
    raise TypeError(f"cannot emit {type(value).__name__} as YAML")


def flow(value: Any) -> str:
    """A value on one line: scalars plain or quoted, collections in flow style."""
    if isinstance(value, str):  # the most common value: straight to the cached writer
        return string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(_flow_entry(_key(k), v) for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _key(key: Any) -> str:
    return string(key) if isinstance(key, str) else scalar(key)


def _explicit(key: str) -> bool:
    """True when `key` (emitted text) is too long for an implicit key."""
    return len(key) > IMPLICIT_KEY_MAX


def _flow_entry(key: str, value: Any) -> str:
    return f"{'? ' if _explicit(key) else ''}{key}: {flow(value)}"


def _is_nested(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value)
    if isinstance(value, list | tuple):
        return any(isinstance(v, dict | list | tuple) for v in value)
    return False


def block(mapping: dict[Any, Any], indent: int) -> str:
    """A block mapping, every line indented by `indent` spaces; no trailing newline."""
    return "\n".join(_block_lines(mapping, indent))


def _block_lines(mapping: dict[Any, Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, value in mapping.items():
        text = string(key) if isinstance(key, str) else scalar(key)
        if _explicit(text) or _is_nested(value):
            lines.extend(_entry_lines(text, value, indent))
        else:  # `key: value` on one line: what most entries are, without the detour
            lines.append(f"{pad}{text}: {flow(value)}")
    return lines


def _entry_lines(key: str, value: Any, indent: int) -> list[str]:
    """One `key: value` entry: `? key` / `: value` when the key is too long."""
    pad = " " * indent
    head = [f"{pad}? {key}", f"{pad}:"] if _explicit(key) else [f"{pad}{key}:"]
    if not _is_nested(value):
        return [*head[:-1], f"{head[-1]} {flow(value)}"]
    if isinstance(value, dict):
        return head + _block_lines(value, indent + 2)
    return head + _seq_lines(value, indent + 2)


def block_seq(items: list[Any], indent: int) -> str:
    return "\n".join(_seq_lines(items, indent))


def _seq_lines(items: list[Any] | tuple[Any, ...], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = _block_lines(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        elif _is_nested(item):
            inner = _seq_lines(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {flow(item)}")
    return lines


# YAML (and Python's str.splitlines) end a line at these too: a comment holding one
# would let the rest of a value start a new line of YAML.
_LINE_BREAKS = frozenset("\x85\u2028\u2029")


def comment(text: str) -> str:
    """Text safe inside a `#` comment: one line, no control characters, no line breaks."""
    return "".join(ch if _printable(ch) and ch not in _LINE_BREAKS else " " for ch in text)
