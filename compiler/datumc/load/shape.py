"""A linear pre-scan of TOML text that refuses pathological nesting before parsing.

`tomllib` recurses once per nested array or inline table, and spends time
quadratic in the length of a dotted key (`a.b.c....`, `[a.b.c....]`): a 100 KB
datum made of one long dotted key takes minutes to parse. This scan runs in one
pass, skipping strings and comments, and finds the deepest bracket nesting and the
longest dotted key. Text that is not valid TOML is left for `tomllib` to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datumc.validate.limits import MAX_PARSE_DEPTH

# Characters that matter to the scan; everything else is skipped in one regex step.
_INTERESTING = re.compile(r"[\[\]{}\"'#.=,\n]")
_OPEN = "[{"
_CLOSE = "]}"
_RESET = "=,\n"


@dataclass(frozen=True, slots=True)
class ShapeProblem:
    offset: int
    message: str


def toml_shape_problem(text: str, *, limit: int = MAX_PARSE_DEPTH) -> ShapeProblem | None:
    """Where `text` nests brackets or dotted keys deeper than `limit`, if it does."""
    if text.count(".") < limit and text.count("[") + text.count("{") <= limit:
        return None  # the common case: too few dots and brackets to ever go past the limit
    return _Scan(text, limit).run()


class _Scan:
    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.depth = 0
        self.dots = 0

    def run(self) -> ShapeProblem | None:
        i = 0
        text = self.text
        while True:
            match = _INTERESTING.search(text, i)
            if match is None:
                return None
            i = match.start()
            ch = text[i]
            if ch in "\"'":
                end = _string_end(text, i)
                if end < 0:
                    return None  # unterminated: tomllib reports it
                i = end
                continue
            if ch == "#":
                newline = text.find("\n", i)
                if newline < 0:
                    return None
                i = newline
                continue
            problem = self._structural(ch, i)
            if problem is not None:
                return problem
            i += 1

    def _structural(self, ch: str, i: int) -> ShapeProblem | None:
        if ch in _OPEN:
            self.depth += 1
            self.dots = 0
            if self.depth > self.limit:
                return ShapeProblem(i, f"arrays or tables nest deeper than {self.limit} levels")
        elif ch in _CLOSE:
            self.depth = max(0, self.depth - 1)
            self.dots = 0
        elif ch in _RESET:
            self.dots = 0
        elif ch == ".":
            self.dots += 1
            if self.dots >= self.limit:
                return ShapeProblem(i, f"a dotted key has more than {self.limit} parts")
        return None


def _string_end(text: str, start: int) -> int:
    """The offset just past the string starting at `start`, or -1 if it never ends."""
    quote = text[start]
    basic = quote == '"'
    if text.startswith(quote * 3, start):
        close = quote * 3
        j = start + 3
        while True:
            k = text.find(close, j)
            if k < 0:
                return -1
            if basic and _escaped(text, k, start + 3):
                j = k + 1
                continue
            k += 3
            for _ in range(2):  # up to two quotes may sit just inside the closing three
                if text.startswith(quote, k):
                    k += 1
            return k
    j = start + 1
    while j < len(text):
        ch = text[j]
        if ch == "\n":
            return -1
        if basic and ch == "\\":
            j += 2
            continue
        if ch == quote:
            return j + 1
        j += 1
    return -1


def _escaped(text: str, at: int, floor: int) -> bool:
    """Whether the character at `at` is escaped by an odd run of backslashes."""
    count = 0
    j = at - 1
    while j >= floor and text[j] == "\\":
        count += 1
        j -= 1
    return count % 2 == 1
