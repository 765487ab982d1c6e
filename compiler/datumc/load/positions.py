"""A map from key paths to 1-based (line, column) positions in a source file."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

Key = str | int
KeyPath = tuple[Key, ...]


@dataclass(slots=True)
class PositionMap:
    """Key path -> character offset, resolved to line/column on demand."""

    text: str
    offsets: dict[KeyPath, int] = field(default_factory=dict)
    value_offsets: dict[KeyPath, int] = field(default_factory=dict)
    _line_starts: list[int] | None = None

    def add(self, path: KeyPath, offset: int) -> None:
        self.offsets.setdefault(path, offset)

    def add_value(self, path: KeyPath, offset: int) -> None:
        self.value_offsets.setdefault(path, offset)

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self._starts()
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def find(self, path: Sequence[Key], *, value: bool = False) -> tuple[int, int]:
        """Position of `path`, or of its nearest known ancestor; (1, 1) as a last resort."""
        probe = tuple(path)
        while True:
            table = self.value_offsets if value else self.offsets
            offset = table.get(probe)
            if offset is None and value:
                offset = self.offsets.get(probe)
            if offset is not None:
                return self.line_col(offset)
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts


def dotted(path: Sequence[Key]) -> str:
    """("model_list", 0, "litellm_params", "rpm") -> "model_list[0].litellm_params.rpm".

    A key that is not printable (a quoted TOML or YAML key may hold a newline) is shown
    as its repr, so a key can never forge a second line of output."""
    out = ""
    for part in path:
        if isinstance(part, str) and not part.isprintable():
            part = repr(part)
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
