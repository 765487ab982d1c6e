"""Inline suppression: `# datumc: disable=CODE[,CODE]` on the line, or `disable-file=`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = re.compile(r"#\s*datumc:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+)")


@dataclass(frozen=True, slots=True)
class Suppressions:
    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()

    def covers(self, line: int, keys: tuple[str, str]) -> bool:
        codes = self.whole_file | self.by_line.get(line, frozenset())
        return bool(codes) and (keys[0] in codes or keys[1] in codes or "all" in codes)


def parse_suppressions(text: str) -> Suppressions:
    if "datumc:" not in text:
        return Suppressions()
    by_line: dict[int, frozenset[str]] = {}
    whole: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, codes in _MARK.findall(line):
            names = frozenset(_normalise(c) for c in codes.split(",") if c.strip())
            if kind == "disable-file":
                whole |= names
            else:
                by_line[number] = by_line.get(number, frozenset()) | names
    return Suppressions(by_line, frozenset(whole))


def _normalise(code: str) -> str:
    code = code.strip()
    return code.upper() if re.fullmatch(r"[A-Za-z]+\d+", code) else code.lower()
