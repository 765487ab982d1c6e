"""The walk every secret and reference rule reads: each string of a config, with its path
and whether it is a list item (LiteLLM resolves os.environ/ refs in mappings only)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from datumc.plan.model import walk_strings


def _reference(data: Any, path: tuple[Any, ...], in_list: bool) -> list[Any]:
    """The definition, one call per node."""
    if isinstance(data, str):
        return [(path, data, in_list)]
    out: list[Any] = []
    if isinstance(data, dict):
        for key, value in data.items():
            part = key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)
            out.extend(_reference(value, (*path, part), False))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            out.extend(_reference(item, (*path, index), not isinstance(item, dict)))
    return out


class _Text(str):
    """A str subclass, as some loaders hand out."""


_KEYS = st.text(max_size=3) | st.integers(-3, 3) | st.booleans() | st.none() | st.floats(0, 2)
_LEAVES = (st.text(max_size=4) | st.builds(_Text, st.text(max_size=3)) | st.integers()
           | st.booleans() | st.none() | st.floats(allow_nan=False) | st.tuples(st.text()))
_DATA = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=20)


@given(_DATA, st.booleans())
def test_the_walk_finds_every_string_once_in_order(data: Any, in_list: bool) -> None:
    assert list(walk_strings(data, ("model_list", 0), in_list)) == _reference(
        data, ("model_list", 0), in_list)
