"""Emit values for systemd unit files and podman quadlet units (`*.container`).

A unit file is line based: one `Key=value` per line, `#` comments, and a
trailing backslash continues a line. Neither systemd nor quadlet has an escape
for a line break inside a plain value. Each key is read by its own rules:

* systemd expands specifiers (`%n`, `%h`, ...; `%%` is a literal `%`) in most
  values, Description= included, and `$NAME`/`${NAME}` (`$$` is a literal `$`)
  in Exec*= command lines only. Environment= gives `$` no meaning.
* quadlet (podman's pkg/systemd/quadlet) turns every [Container] key it knows
  into podman arguments on the generated service's ExecStart= line, escaping
  quotes and blanks there but leaving `%` and `$` alone: systemd then expands
  both in Image=, ContainerName=, Volume=, EnvironmentFile=, Exec=,
  Environment=, Label=, ... It reads Image= and ContainerName= whole but strips
  every double quote at either end and Unicode spaces at the end, Volume= and
  PublishPort= whole, and splits EnvironmentFile=, Exec=, Environment= and Label= into words (quotes
  group, C escapes are decoded).

So:

* `value()` (Description=, and other keys systemd alone reads) refuses line
  breaks and every other control character, surrounding whitespace (the parser
  trims it) and a trailing backslash (it would swallow the next line), and
  doubles `%`.
* `arg()` (Image=, ContainerName=, Volume= parts) is `value()` with `$` doubled
  too, and refuses a value that starts or ends with `"` or ends with a Unicode space.
* `image()` (Image=) is `arg()`, and refuses an image quadlet would read as
  another unit (a name ending in `.image` or `.build`) or podman as an option
  (a leading `-`).
* `word()` is one word of a key quadlet splits (Exec=, EnvironmentFile=,
  Environment=, Label=): quoted when needed, `$` and `%` doubled.

A refusal of what the schema already rejects raises `UnitValueError` (reaching it
means a bug); a value the schema accepts but no spelling carries raises
`CannotCarryError`: the build stops with a message either way, and writes nothing.
"""

from __future__ import annotations

import re

from datumc.render.errors import CannotCarryError, operand, shown

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


# Go's unicode.IsSpace beyond what `value()` already refuses: quadlet's Lookup trims these
# from the end of a value (strings.TrimRightFunc(v, unicode.IsSpace)).
_GO_SPACE = frozenset("\u00a0\u1680\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B))


def arg(text: str) -> str:
    """A [Container] value quadlet reads whole and passes as one podman argument.

    quadlet's Lookup is `strings.Trim(strings.TrimRightFunc(v, unicode.IsSpace), "\"")`:
    every double quote at either end and any Unicode space at the end are dropped, so a
    value that has them cannot be written."""
    if text.startswith('"') or text.endswith('"'):
        raise CannotCarryError(
            f"{shown(text)} cannot be written to a quadlet unit: quadlet strips the double "
            "quotes at either end of a value"
        )
    if text and text[-1] in _GO_SPACE:
        raise CannotCarryError(
            f"{shown(text)} cannot be written to a quadlet unit: quadlet trims the space "
            f"U+{ord(text[-1]):04X} at the end of a value"
        )
    return value(text).replace("$", "$$")


def image(text: str) -> str:
    """Image=: `arg()`, unless quadlet or podman would read the name as something else."""
    if text.endswith((".image", ".build")):
        raise CannotCarryError(
            f"the image {shown(text)} cannot be written to a quadlet unit: quadlet reads an "
            "Image= ending in .image or .build as another quadlet unit"
        )
    return arg(operand(text))


def word(text: str) -> str:
    """One word of a key quadlet splits into podman arguments (Exec=, EnvironmentFile=):
    quoted when needed, `$` and `%` doubled."""
    _check(text)
    escaped = text.replace("%", "%%")
    if _SAFE_WORD.fullmatch(text):
        return escaped
    inner = escaped.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{inner}"'
