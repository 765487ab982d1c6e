"""One generated file, as every target plans it and the writer writes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Output:
    """One generated file, relative to the output directory."""

    relpath: str
    content: bytes
    mode: int = 0o644
