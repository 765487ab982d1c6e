"""Key positions in TOML text: every key tomllib sees is found at its line."""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.load.tomlpos import toml_positions

SAMPLE = '''\
# comment
[b00t]
name = "x"   # trailing
"quoted key" = 'lit'
aliases = [
  "a",  # one
  "b",
]

[ai_model]
provider = "openai"
multi = """
line [not.a.table]
"""
inline = { a = 1, b = { c = [1, 2] } }
dotted.key = true

[[ai_model.variants]]
id = "first"

[[ai_model.variants]]
id = "second"
[ai_model.variants.extra]
k = 1
'''


def test_sample_positions() -> None:
    pos = toml_positions(SAMPLE)
    assert pos.find(("b00t",)) == (2, 2)
    assert pos.find(("b00t", "name")) == (3, 1)
    assert pos.find(("b00t", "quoted key")) == (4, 1)
    assert pos.find(("b00t", "aliases", 1)) == (7, 3)
    assert pos.find(("ai_model", "multi")) == (12, 1)
    assert pos.find(("ai_model", "inline", "b", "c", 1)) == (15, 33)
    assert pos.find(("ai_model", "dotted", "key")) == (16, 8)
    assert pos.find(("ai_model", "variants", 0, "id")) == (19, 1)
    assert pos.find(("ai_model", "variants", 1, "id")) == (22, 1)
    assert pos.find(("ai_model", "variants", 1, "extra", "k")) == (24, 1)
    assert pos.find(("ai_model", "provider"), value=True) == (11, 12)
    # Unknown paths fall back to the nearest ancestor.
    assert pos.find(("ai_model", "nope")) == pos.find(("ai_model",))
    assert pos.find(("zzz",)) == (1, 1)


def test_crlf_and_bom_free_text() -> None:
    text = '[b00t]\r\nname = "x"\r\n[ai_model]\r\nprovider = "p"\r\n'
    pos = toml_positions(text)
    assert pos.find(("ai_model", "provider")) == (4, 1)


keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
leaf = st.one_of(st.integers(), st.text(max_size=10), st.booleans(), st.floats(allow_nan=False))
tree = st.recursive(
    leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


@settings(max_examples=200)
@given(st.dictionaries(keys, tree, max_size=4))
def test_every_key_has_an_exact_position(data: dict[str, Any]) -> None:
    text = tomli_w.dumps(data, multiline_strings=False)
    assert tomllib.loads(text) == data
    pos = toml_positions(text)
    lines = text.split("\n")
    for path in _paths(data):
        assert path in pos.offsets, (path, text)
        line, col = pos.find(path)
        assert 1 <= line <= len(lines)
        assert 1 <= col <= len(lines[line - 1]) + 1
