"""Inline suppression comments.

- `# datumc: disable=CODE[,CODE]` at the end of a line silences it (TOML, YAML);
- `# datumc: disable-next-line=CODE` on its own line silences the line below (the way
  to do it in .env files, where podman/docker `--env-file` would take a trailing
  comment as part of the value);
- `# datumc: disable-file=CODE` anywhere silences the whole file.

CODE is a rule code (`DC301`) or name (`quoted-env-value`); `all` matches every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = re.compile(
    r"#\s*datumc:\s*(disable-next-line|disable-file|disable)\s*=\s*([A-Za-z0-9_,\s-]+)"
)


@dataclass(frozen=True, slots=True)
class Suppressions:
    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()

    def covers(self, line: int, keys: tuple[str, ...]) -> bool:
        """`keys`: the finding's code, its rule's name, and codes the rule replaced."""
        codes = self.whole_file | self.by_line.get(line, frozenset())
        return bool(codes) and ("all" in codes or any(k in codes for k in keys))


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
                continue
            target = number + 1 if kind == "disable-next-line" else number
            by_line[target] = by_line.get(target, frozenset()) | names
    return Suppressions(by_line, frozenset(whole))


def _normalise(code: str) -> str:
    code = code.strip()
    return code.upper() if re.fullmatch(r"[A-Za-z]+\d+", code) else code.lower()
