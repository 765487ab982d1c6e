"""Answers about objects that never change, kept while the same object comes back.

The language server re-checks a project on every keystroke, and all but one of its
datum documents are the very objects of the last check: what a rule worked out from
one of them is still true. `IdentityMemo` keeps such answers keyed by the object
itself (identity, not equality: two equal documents at different paths are two
documents). It holds a reference to each object it answers for, so an id is never
reused while its entry lives, and it forgets everything once it holds `limit` entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Final, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 1 << 14
# File systems stamp with the kernel's coarse clock, at most one tick (4 ms at HZ=250,
# 10 ms at HZ=100) behind: a file stamped within this much of now may change again
# without a new stamp (git's "racy" case), so an answer about it is not kept.
RACY_NS: Final = 50_000_000


def recent(stamps: Iterable[int | None], now_ns: int | None = None) -> bool:
    """Whether any of these modification times (None: gone) is within RACY_NS of
    `now_ns` (default: now)."""
    now = time.time_ns() if now_ns is None else now_ns
    return max((s for s in stamps if s is not None), default=0) >= now - RACY_NS


class IdentityMemo(Generic[T, R]):
    """`memo(obj, key, compute)`: compute(obj) once per (obj, key) while obj lives here."""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._entries: dict[tuple[int, Hashable], tuple[T, R]] = {}
        self._limit = limit

    def __call__(self, obj: T, key: Hashable, compute: Callable[[T], R]) -> R:
        slot = (id(obj), key)
        found = self._entries.get(slot)
        if found is not None and found[0] is obj:
            return found[1]
        if len(self._entries) >= self._limit:
            self._entries.clear()
        result = compute(obj)
        self._entries[slot] = (obj, result)
        return result

    def __len__(self) -> int:
        return len(self._entries)
