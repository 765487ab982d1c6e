"""No string in any datum field can change the structure of the emitted YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.load.source import Source
from datumc.load.stack import Entry, Stack
from datumc.load.toml_loader import TomlDoc
from datumc.plan.config import build_config
from datumc.render import yamltext
from datumc.targets import litellm as litellm_target
from datumc.targets.base import RenderContext
from datumc.validate.datum import Datum
from datumc.validate.project import Project

# Any unicode text TOML can carry: no surrogates (TOML forbids them).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
tricky = st.sampled_from([
    "", " ", "yes", "no", "null", "~", "1e5", "0x1f", "12:30", "-", "- x", "? x", ": x", "#x",
    "a: b", "{{ x }}", "{% x %}", "'", '"', "\\", "\n", "\r\n", "\t", "\x85", "\u2028",
    "\ufeff", "&a", "*a", "!tag", "%YAML", "---", "...", "|", ">", "@x", "`x`", "😀", "é",
    "os.environ/X", "a\x00b", "\x7f", "\U0010ffff",
])
strings = st.one_of(text, tricky, st.lists(tricky, min_size=2, max_size=4).map("".join))
scalars = st.one_of(
    strings, st.integers(-(2**63), 2**63 - 1), st.booleans(),
    st.floats(allow_nan=False), st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(strings, inner, max_size=3)
    ),
    max_leaves=8,
)


def _normalise(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_block_emitter_round_trips_any_value(value: Any) -> None:
    doc = {"key": value, "other": "sentinel"}
    parsed = yaml.safe_load(yamltext.block(doc, 0))
    assert parsed == _normalise(doc)


# Keys past the 1,024 characters of an implicit key, plain, quoted and escaped.
long_keys = st.builds(lambda unit, count: unit * count,
                      st.sampled_from(["k", "\x01", "é", '"', "\\", " ", "<<", "? "]),
                      st.integers(min_value=200, max_value=1200))
keyed_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(strings, long_keys), inner, max_size=3),
    ),
    max_leaves=8,
)
LOADERS: list[type[yaml.SafeLoader] | type[yaml.CSafeLoader]] = [
    yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(keyed_values)
def test_keys_of_any_length_read_back_in_both_loaders(value: Any) -> None:
    """Block and flow style, read by PyYAML's pure loader and by libyaml."""
    text = f"{yamltext.block({'key': value}, 0)}\nflow: {yamltext.flow(value)}\n"
    for loader in LOADERS:
        assert yaml.load(text, Loader=loader) == _normalise({"key": value, "flow": value})


@settings(max_examples=300)
@given(strings)
def test_any_string_is_one_scalar(value: str) -> None:
    emitted = yamltext.scalar(value)
    assert yaml.safe_load(f"k: {emitted}\nsentinel: 1\n") == {"k": value, "sentinel": 1}


def _stack(fields: dict[str, Any]) -> Stack:
    data = {
        "b00t": {"name": fields["name"], "type": "ai_model", "hint": fields["hint"],
                 "aliases": [fields["alias"]]},
        "ai_model": {
            "provider": fields["provider"],
            "litellm_model": fields["model"],
            "api_base": fields["api_base"],
            "api_key_env": "KEY_ENV",
            "api_version": fields["api_version"],
            "access_groups": [fields["group"]],
            "parameters": {fields["param_key"]: fields["param_value"]},
            "metadata": {fields["meta_key"]: fields["meta_value"]},
        },
    }
    datum = Datum.model_validate(data)
    source = Source(Path("x.ai_model.toml"), "x.ai_model.toml", "")
    return Stack(Path(), Project(), None, (Entry(TomlDoc(source, data), datum),))


names = strings.filter(
    lambda s: 0 < len(s) <= 256 and s == s.strip()
    and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in s)
)
reserved = {"model", "api_key", "api_base", "api_version", "rpm", "tpm", "timeout",
            "stream_timeout", "max_retries"}
generated_info = {"mode", "access_groups", "max_input_tokens"}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({
    "name": names, "alias": names, "hint": strings, "provider": names,
    "model": strings.filter(bool),
    "api_base": strings, "api_version": strings, "group": names,
    "param_key": strings.filter(lambda k: k not in reserved),
    "param_value": values,
    "meta_key": strings.filter(lambda k: k not in generated_info), "meta_value": values,
}))
def test_datum_strings_read_back_unchanged_from_config(fields: dict[str, Any]) -> None:
    stack = _stack(fields)
    config, diags = build_config(stack)
    assert not diags
    rendered = litellm_target.outputs(RenderContext(stack, config))[0].content.decode()
    parsed = yaml.safe_load(rendered)
    assert set(parsed) == {"model_list", "router_settings", "general_settings"} or set(
        parsed) == {"model_list", "general_settings"}
    [deployment] = parsed["model_list"]
    assert deployment["model_name"] == fields["name"]
    params = deployment["litellm_params"]
    assert params["model"] == fields["model"]
    assert params["api_base"] == fields["api_base"]
    assert params["api_version"] == fields["api_version"]
    assert params[fields["param_key"]] == _normalise(fields["param_value"])
    assert set(params) == {"model", "api_base", "api_key", "api_version", fields["param_key"]}
    info = deployment["model_info"]
    assert info["access_groups"] == [fields["group"]]
    assert info[fields["meta_key"]] == _normalise(fields["meta_value"])
    assert parsed["general_settings"] == {"master_key": "os.environ/LITELLM_MASTER_KEY"}
    if fields["alias"] != fields["name"]:
        assert parsed["router_settings"]["model_group_alias"] == {fields["alias"]: fields["name"]}
