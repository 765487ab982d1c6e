"""The size check of free-form datum tables ([ai_model.parameters], metadata, ...) has
a fast path: `_fits` decides without naming places, and `_too_big` names the first
problem. They must agree on every value, at the real limits and at tiny ones where
every kind of problem (depth, string, key, table, array) is easy to reach."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.validate import datum

VALUES = st.recursive(
    st.one_of(st.text(max_size=5), st.integers(), st.floats(allow_nan=False), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=40,
)


@pytest.mark.parametrize("limits", [None, (2, 3, 3)])
@settings(max_examples=400, deadline=None)
@given(value=VALUES)
def test_the_fast_check_agrees_with_the_one_that_names_the_problem(
    value: Any, limits: tuple[int, int, int] | None,
) -> None:
    saved = datum.MAX_NESTING, datum.MAX_STRING_CHARS, datum.MAX_LIST_ITEMS
    if limits is not None:
        datum.MAX_NESTING, datum.MAX_STRING_CHARS, datum.MAX_LIST_ITEMS = limits
    try:
        assert datum._fits(value) == (datum._too_big(value) is None)
    finally:
        datum.MAX_NESTING, datum.MAX_STRING_CHARS, datum.MAX_LIST_ITEMS = saved
