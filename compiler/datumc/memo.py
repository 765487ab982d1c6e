"""Answers about objects that never change, kept while the same object comes back.

The language server re-checks a project on every keystroke, and all but one of its
datum documents are the very objects of the last check: what a rule worked out from
one of them is still true. `IdentityMemo` keeps such answers keyed by the object
itself (identity, not equality: two equal documents at different paths are two
documents). It holds a reference to each object it answers for, so an id is never
reused while its entry lives, and it forgets everything once it holds `limit` entries.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 1 << 14


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
