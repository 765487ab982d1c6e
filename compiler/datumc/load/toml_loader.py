"""TOML documents: text + data + key positions (computed only when needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# tomli is the parser the stdlib's tomllib was copied from: same API, same error
# messages. Its wheels are compiled with mypyc and parse datums 2.8x faster, which
# was most of a large build's time. It is pinned below 2.4 (TOML 1.1), so datums
# stay TOML 1.0, as tomllib, tomli_w, taplo and our position scanner read it.
import tomli

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import Key, PositionMap
from datumc.load.shape import toml_shape_problem
from datumc.load.source import Source, read_source
from datumc.load.tomlpos import toml_positions
from datumc.validate.limits import TOO_LARGE

TOML_SYNTAX = Code("DC001", "toml-syntax", Severity.ERROR, """
A datum or datumc.toml is not valid TOML.

Why: nothing can be read from the file, so it cannot be compiled.

Bad:
    [ai_model]
    provider = openai          # strings need quotes

Good:
    [ai_model]
    provider = "openai"
""")
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
# TOML integers are 64-bit: "an integer that cannot be represented losslessly must be
# an error" (TOML 1.0). tomli accepts any size, and Python refuses to convert a decimal
# literal of more than 4,300 digits (a ValueError from inside the parser), or to print
# one (a hexadecimal literal parses, then crashes whatever writes it out).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_BIG_INT = re.compile(r"0[xob]|[0-9_]{19}")  # only text like this can hold one
_LONG_DIGITS = re.compile(r"(?<![.eE0-9_])[0-9_]{4000,}")  # not a float's fraction


@dataclass(slots=True)
class TomlDoc:
    """A parsed TOML file. Positions are scanned lazily: clean files never pay for them."""

    source: Source
    data: dict[str, Any]
    _positions: PositionMap | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        return self.source.display

    @property
    def positions(self) -> PositionMap:
        if self._positions is None:
            self._positions = toml_positions(self.source.text)
        return self._positions

    def at(self, *path: Key) -> tuple[int, int]:
        return self.positions.find(path)

    def value_at(self, *path: Key) -> tuple[int, int]:
        return self.positions.find(path, value=True)

    def diag(
        self,
        code: str,
        severity: Severity,
        message: str,
        path: tuple[Key, ...],
        hint: str = "",
        *,
        value: bool = False,
    ) -> Diagnostic:
        """A diagnostic at the key `path` (or at its value, with `value=True`)."""
        line, col = self.positions.find(path, value=value)
        return Diagnostic(code, severity, message, self.display, line, col, hint)


def parse_toml(source: Source) -> TomlDoc | Diagnostic:
    problem = toml_shape_problem(source.text)
    if problem is not None:
        line, col = PositionMap(source.text).line_col(problem.offset)
        return Diagnostic(
            TOO_LARGE,
            TOO_LARGE.severity,
            f"TOML nests too deeply: {problem.message}",
            source.display,
            line,
            col,
            hint="flatten the nested arrays, tables or dotted keys",
        )
    try:
        data = tomli.loads(source.text)
    except tomli.TOMLDecodeError as exc:
        return _syntax_error(source, str(exc))
    except ValueError:  # a decimal integer past Python's int-string conversion limit
        return _int_out_of_range(source, _long_literal_at(source.text))
    except RecursionError:
        return Diagnostic(
            TOML_SYNTAX,
            TOML_SYNTAX.severity,
            "TOML nests too deeply to parse",
            source.display,
            hint="flatten the nested arrays or tables",
        )
    doc = TomlDoc(source, data)
    if _BIG_INT.search(source.text) is not None:
        path = _int_out_of_range_path(data, ())
        if path is not None:
            return _int_out_of_range(source, doc.value_at(*path))
    return doc


def _int_out_of_range_path(value: Any, path: tuple[Key, ...]) -> tuple[Key, ...] | None:
    """The key path of the first integer outside the 64-bit range, if any."""
    if isinstance(value, int) and not isinstance(value, bool):
        return path if not INT_MIN <= value <= INT_MAX else None
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        found = _int_out_of_range_path(item, (*path, key))
        if found is not None:
            return found
    return None


def _long_literal_at(text: str) -> tuple[int, int]:
    """Where the over-long number literal is: each long run of digits is masked with
    letters of the same length, so the parser reports the first one in a value (a run
    inside a string or a key stays valid there) at its exact line and column."""
    masked = _LONG_DIGITS.sub(lambda m: "x" * len(m.group()), text)
    try:
        tomli.loads(masked)
    except tomli.TOMLDecodeError as exc:
        match = _AT.search(str(exc))
        if match:
            return int(match.group(1)), int(match.group(2))
    except (ValueError, RecursionError):
        pass
    return 0, 0


def _int_out_of_range(source: Source, at: tuple[int, int]) -> Diagnostic:
    return Diagnostic(
        TOML_SYNTAX,
        TOML_SYNTAX.severity,
        f"integer out of range: TOML integers are 64-bit, from {INT_MIN} to {INT_MAX}",
        source.display,
        *at,
        hint="write a smaller number (or a float, e.g. 1e30, where a float is allowed)",
    )


def load_toml(path: Path, *, limit: int, display: str | None = None) -> TomlDoc | Diagnostic:
    source = read_source(path, limit=limit, display=display)
    if isinstance(source, Diagnostic):
        return source
    return parse_toml(source)


def _syntax_error(source: Source, message: str) -> Diagnostic:
    line, col = 0, 0
    match = _AT.search(message)
    if match:
        line, col = int(match.group(1)), int(match.group(2))
        message = message[: match.start()].rstrip()
    return Diagnostic(
        TOML_SYNTAX,
        TOML_SYNTAX.severity,
        f"TOML syntax error: {message[:1].lower()}{message[1:]}",
        source.display,
        line,
        col,
        hint=_syntax_hint(message),
    )


def _syntax_hint(message: str) -> str:
    lowered = message.lower()
    if "cannot overwrite" in lowered or "duplicate" in lowered:
        return "a key or table is defined twice; keep one"
    if "unclosed" in lowered or "expected" in lowered:
        return "check quotes, brackets and commas on this line"
    if "invalid value" in lowered:
        return 'strings need quotes: key = "value"'
    return "see https://toml.io for the syntax"
