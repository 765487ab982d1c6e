"""Progress of long work, reported through a callback so the pipeline stays free of I/O.

The build passes `Console.progress`, which draws a transient line on a terminal and
prints nothing otherwise (pipes, CI logs, pre-commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Progress = Callable[[str], None]
T = TypeVar("T")

# How often a loop reports: often enough to move, rarely enough to cost nothing.
EVERY = 250


def silent(text: str) -> None:
    """The default: no progress reported."""


def counted(items: Iterable[T], total: int, what: str, progress: Progress) -> Iterator[T]:
    """`items`, reporting "what i/total" every EVERY items (only for long runs)."""
    for i, item in enumerate(items):
        if i % EVERY == 0 and total > EVERY and progress is not silent:
            progress(f"{what} {i}/{total}")
        yield item
