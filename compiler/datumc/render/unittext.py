"""Emit values for systemd unit files and podman quadlet units (`*.container`).

A unit file is line based: one `Key=value` per line, `#` comments, and a
trailing backslash continues a line. Neither systemd nor quadlet has an escape
for a line break inside a plain value, so:

* `value()` (Image=, Volume=, ContainerName=, Description=) refuses line breaks
  and every other control character, surrounding whitespace (the parser trims
  it) and a trailing backslash (it would swallow the next line). It doubles `%`:
  quadlet passes values on to the generated service, where systemd would expand
  `%h`, `%n`, ... as specifiers.
* `word()` is one argument of a command line (Exec=). Quadlet splits it like
  systemd does: words are separated by spaces, double quotes group, backslash
  escapes inside quotes. `$` is doubled (systemd expands `$VAR` in ExecStart=)
  and so is `%`.

A refusal raises `UnitValueError`: the schema already rejects such input, so
reaching it means a bug, and a build must stop rather than emit a broken unit.
"""

from __future__ import annotations

import re

_SAFE_WORD = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


class UnitValueError(ValueError):
    """The text cannot be written into a unit file without changing its meaning."""


def _forbidden(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029"


def _check(text: str) -> None:
    bad = next((ch for ch in text if _forbidden(ch)), None)
    if bad is not None:
        raise UnitValueError(f"a unit file value cannot hold the character U+{ord(bad):04X}")


def value(text: str) -> str:
    """A whole `Key=value` value that reads back as exactly `text`."""
    _check(text)
    if text != text.strip(" \t"):
        raise UnitValueError("a unit file value cannot start or end with whitespace")
    if text.endswith("\\"):
        raise UnitValueError("a unit file value cannot end with a backslash")
    return text.replace("%", "%%")


def word(text: str) -> str:
    """One command-line argument for Exec=: quoted when needed, `$` and `%` doubled."""
    _check(text)
    escaped = text.replace("%", "%%")
    if _SAFE_WORD.fullmatch(text):
        return escaped
    inner = escaped.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{inner}"'
