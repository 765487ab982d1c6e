"""The leak check's shortcuts give the answers of reading every output in full.

find_leaks decides some (output, secret) pairs from the text alone and reads the rest
through a parser's events instead of building the documents. Both must agree with
`readings_of`, the full reading, on every input: folded, quoted and block scalars,
`$$`, numbers, dates and booleans, tags, anchors, repeated and complex keys.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.secrets import leaks
from datumc.write.output import Output

_TEXT = st.text(alphabet="ab$'\" -:\\!\n\t#&*?[]{},|>0123456789eTx.+", max_size=40)
_SCALAR = st.one_of(
    _TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
)
_DATA = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


def _full(name: str, text: str, value: str) -> bool:
    readings = leaks.readings_of(Output(name, text.encode()))
    return any(value in reading for reading in readings)


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(data, list):
        return [s for item in data for s in _strings(item)]
    return [] if data is None else [str(data)]


@settings(max_examples=300, deadline=None)
@given(data=_DATA, style=st.sampled_from([None, '"', "'", "|", ">"]),
       width=st.integers(8, 80), pick=st.data())
def test_a_plain_yaml_text_decides_alone(data: Any, style: str | None, width: int,
                                         pick: st.DataObject) -> None:
    text = yaml.safe_dump(data, default_style=style, width=width, allow_unicode=True)
    strings = [s for s in _strings(data) if s] or ["x"]
    source = pick.draw(st.sampled_from(strings))
    start = pick.draw(st.integers(0, len(source) - 1))
    value = source[start:pick.draw(st.integers(start + 1, len(source)))]
    if leaks._plain_yaml("config.yaml", text) and leaks._verbatim_only(value):
        assert _full("config.yaml", text, value) == (value in text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab$'\" -:\\!\n#&*?[]{},|>01.~<=", max_size=60))
def test_events_read_what_safe_load_reads(text: str) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        expected: list[str] | None = sorted(_strings(list(yaml.load_all(text, Loader=loader))))
    except (yaml.YAMLError, ValueError):
        expected = None
    try:
        found = leaks._yaml_scalars(text, loader)
    except (yaml.YAMLError, ValueError):
        assert expected is None
        return
    if found is not None:  # else the documents are built, as before
        assert expected == sorted(_strings(found))


def test_find_leaks_still_finds_an_escaped_secret() -> None:
    secret = "sk-datumc-test-4c1f0e9a7b2d4e6f8a1c3b5d"
    escaped = "".join(f"\\x{ord(ch):02x}" for ch in secret)
    text = f'model_list:\n- litellm_params:\n    api_base: "{escaped}"\n'
    assert secret not in text
    assert not leaks._plain_yaml("config.yaml", text)  # the backslash: read in full
    assert _full("config.yaml", text, secret)
