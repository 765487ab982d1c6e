"""Key positions for TOML text that `tomllib` has already accepted.

`tomllib` returns plain dicts with no positions. This scanner walks the same text
once and records where each key (and each array item) starts, so that a schema
error at `("ai_model", "rpm_limt")` can be reported at its line and column.
It trusts the text to be valid TOML: on anything odd it stops early, and lookups
fall back to the nearest known ancestor.
"""

from __future__ import annotations

import tomli  # the parser toml_loader uses: quoted keys must decode the same way

from datumc.load.positions import KeyPath, PositionMap

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_WS = " \t"


class _Stop(Exception):
    """The scanner met text it does not understand; keep what was found."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.pos = PositionMap(text)
        self.table: KeyPath = ()
        self.aot_index: dict[tuple[str, ...], int] = {}
        # array-of-tables paths strictly under each path: reset when the parent repeats
        self.aot_under: dict[tuple[str, ...], set[tuple[str, ...]]] = {}

    # -- low-level helpers -------------------------------------------------
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.text[self.i] in _WS:
            self.i += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.text.find("\n", self.i)
            self.i = self.n if end == -1 else end

    def skip_blank(self) -> None:
        """Whitespace, newlines and comments (inside arrays and between statements)."""
        while self.i < self.n:
            ch = self.text[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif ch == "#":
                self.skip_comment()
            else:
                return

    # -- keys ----------------------------------------------------------------
    def key_part(self) -> str:
        ch = self.peek()
        if ch in ('"', "'"):
            start = self.i
            self.string()
            raw = self.text[start : self.i]
            if "\\" not in raw:
                return raw[1:-1]
            return str(tomli.loads(f"k = {raw}")["k"])
        start = self.i
        while self.i < self.n and self.text[self.i] in _BARE_KEY:
            self.i += 1
        if start == self.i:
            raise _Stop
        return self.text[start : self.i]

    def dotted_key(self) -> list[tuple[str, int]]:
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_ws()
            start = self.i
            parts.append((self.key_part(), start))
            self.skip_ws()
            if self.peek() != ".":
                return parts
            self.i += 1

    def concrete(self, logical: tuple[str, ...]) -> KeyPath:
        """Insert the current array-of-tables index after each array prefix."""
        out: list[str | int] = []
        for depth in range(1, len(logical) + 1):
            out.append(logical[depth - 1])
            idx = self.aot_index.get(logical[:depth])
            if idx is not None:
                out.append(idx)
        return tuple(out)

    # -- statements -----------------------------------------------------------
    def run(self) -> PositionMap:
        try:
            while True:
                self.skip_blank()
                if self.i >= self.n:
                    break
                if self.peek() == "[":
                    self.header()
                else:
                    self.key_value(self.table)
        except (_Stop, tomli.TOMLDecodeError, IndexError, RecursionError):
            pass
        return self.pos

    def header(self) -> None:
        is_array = self.peek(1) == "["
        self.i += 2 if is_array else 1
        parts = self.dotted_key()
        self.i += 2 if is_array else 1
        logical = tuple(p for p, _ in parts)
        start = parts[-1][1]
        if is_array:
            self._next_item(logical)
            path = self.concrete(logical)
            self.pos.add(path[:-1], start)
        else:
            path = self.concrete(logical)
        self._add_prefixes(path, start)
        self.table = path

    def _next_item(self, logical: tuple[str, ...]) -> None:
        """A new `[[logical]]` item; arrays of tables under it start counting again."""
        if logical not in self.aot_index:
            for depth in range(1, len(logical)):
                self.aot_under.setdefault(logical[:depth], set()).add(logical)
        self.aot_index[logical] = self.aot_index.get(logical, -1) + 1
        for key in self.aot_under.pop(logical, ()):
            self.aot_index.pop(key, None)

    def _add_prefixes(self, path: KeyPath, offset: int) -> None:
        for depth in range(1, len(path) + 1):
            self.pos.add(path[:depth], offset)

    def key_value(self, base: KeyPath) -> None:
        parts = self.dotted_key()
        path = base
        for name, start in parts:
            path = (*path, name)
            self.pos.add(path, start)
        self.skip_ws()
        if self.peek() != "=":
            raise _Stop
        self.i += 1
        self.skip_ws()
        self.value(path)

    # -- values -----------------------------------------------------------------
    def value(self, path: KeyPath) -> None:
        self.pos.add_value(path, self.i)
        ch = self.peek()
        if ch in ('"', "'"):
            self.string()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            self.bare_value()

    def string(self) -> None:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.i):
            self.i += 3
            end = self._find_close(quote * 3, escapes=quote == '"')
            self.i = end + 3
            while self.peek() == quote and self.text.startswith(quote * 3, self.i - 2):
                self.i += 1
            return
        self.i += 1
        self.i = self._find_close(quote, escapes=quote == '"') + 1

    def _find_close(self, closing: str, *, escapes: bool) -> int:
        j = self.i
        while j < self.n:
            ch = self.text[j]
            if escapes and ch == "\\":
                j += 2
                continue
            if self.text.startswith(closing, j):
                return j
            j += 1
        raise _Stop

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.i += 1
                return
            item = (*path, index)
            self.pos.add(item, self.i)
            self.value(item)
            index += 1
            self.skip_blank()
            if self.peek() == ",":
                self.i += 1

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self.skip_blank()
            ch = self.peek()
            if ch == "}":
                self.i += 1
                return
            if ch == ",":
                self.i += 1
                continue
            if not ch:
                raise _Stop
            self.key_value(path)

    def bare_value(self) -> None:
        start = self.i
        while self.i < self.n and self.text[self.i] not in ",]}\n#":
            self.i += 1
        if start == self.i:
            raise _Stop


def toml_positions(text: str) -> PositionMap:
    """Positions of every key, table header and array item in valid TOML `text`."""
    return _Scanner(text).run()
