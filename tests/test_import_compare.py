"""The semantic comparator: it forgives what LiteLLM cannot see, and nothing else."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from datumc.importer.compare import DiffKind, compare_configs, same

BASE = yaml.safe_load("""\
model_list:
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/A_KEY, rpm: 10}
    model_info: {mode: chat}
  - model_name: b
    litellm_params: {model: openai/b, api_key: os.environ/B_KEY}
  - model_name: b
    litellm_params: {model: openai/b2, api_key: os.environ/B_KEY}
router_settings:
  num_retries: 2
  fallbacks: [{a: [b]}, {b: [a]}]
  model_group_alias: {x: a}
litellm_settings: {drop_params: true}
general_settings: {master_key: os.environ/MK}
""")


def _kinds(original: Any, rebuilt: Any) -> list[tuple[str, str]]:
    return [(d.kind.value, d.path) for d in compare_configs(original, rebuilt).differences]


Edit = Callable[[Any], Any]


def _set(*path: Any) -> Edit:
    """An edit setting BASE[path[:-1]] to path[-1] (a sentinel _DELETE removes the key)."""
    *keys, last, value = path

    def edit(config: Any) -> None:
        target = config
        for key in keys:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)

    return edit


_DELETE = object()
RPM = ("model_list", 0, "litellm_params", "rpm")
FALLBACKS = ("router_settings", "fallbacks")


def _variant(*edits: Edit) -> Any:
    data = copy.deepcopy(BASE)
    for edit in edits:
        edit(data)
    return data


@pytest.mark.parametrize("edit", [
    lambda c: c["model_list"].reverse(),
    lambda c: c["router_settings"]["fallbacks"].reverse(),
    lambda c: c.update(router_settings=dict(reversed(list(c["router_settings"].items())))),
    lambda c: c["litellm_settings"].update(fallbacks=c["router_settings"].pop("fallbacks")),
    _set("model_list", 1, "model_info", {}),
    lambda c: c["router_settings"]["fallbacks"].append({"a": ["b", "c"]}),
])
def test_what_litellm_cannot_see_is_equal(edit: Edit) -> None:
    assert compare_configs(BASE, _variant(edit)).equal


def test_empty_fallbacks_are_no_fallbacks() -> None:
    none = _variant(_set(*FALLBACKS, _DELETE))
    assert compare_configs(none, _variant(_set(*FALLBACKS, []))).equal
    assert compare_configs(none, _variant(_set(*FALLBACKS, _DELETE),
                                          _set("litellm_settings", "fallbacks", []))).equal


def test_quoting_and_style_do_not_matter() -> None:
    text = yaml.safe_dump(BASE, default_flow_style=True)
    quoted = text.replace("os.environ/A_KEY", '"os.environ/A_KEY"')
    assert compare_configs(BASE, yaml.safe_load(quoted)).equal


def test_generated_master_key_is_forgiven_only_when_the_original_has_none() -> None:
    without = _variant(_set("general_settings", "master_key", _DELETE))
    rebuilt = _variant(_set("general_settings", "master_key", "os.environ/LITELLM_MASTER_KEY"))
    assert compare_configs(without, rebuilt).equal
    assert _kinds(BASE, rebuilt) == [("changed", "general_settings.master_key")]


@pytest.mark.parametrize(("edit", "expected"), [
    (_set(*RPM, 11), [("changed", "model_list[a]#1.litellm_params.rpm")]),
    (_set(*RPM, 10.0), [("changed", "model_list[a]#1.litellm_params.rpm")]),
    (_set(*RPM, "10"), [("changed", "model_list[a]#1.litellm_params.rpm")]),
    (_set("litellm_settings", "drop_params", 1), [("changed", "litellm_settings.drop_params")]),
    (lambda c: c["model_list"].pop(), [("missing", "model_list[b]")]),
    (lambda c: c["model_list"].append(c["model_list"][0]), [("extra", "model_list[a]")]),
    (_set("model_list", 0, "model_info", "supports_vision", True),
     [("extra", "model_list[a]#1.model_info.supports_vision")]),
    (_set(*FALLBACKS, 0, "a", ["b", "a"]), [("changed", "fallbacks.a")]),
    (lambda c: c["router_settings"]["fallbacks"].pop(), [("missing", "fallbacks.b")]),
    (_set("router_settings", "model_group_alias", "y", "b"),
     [("extra", "router_settings.model_group_alias.y")]),
    (_set("litellm_settings", "fallbacks", [{"b": ["a"]}]),
     [("extra", "litellm_settings.fallbacks")]),
    (_set("model_list", 0, "litellm_params", "api_key", "os.environ/OTHER"),
     [("changed", "model_list[a]#1.litellm_params.api_key")]),
    (_set("extra", 1), [("extra", "extra")]),
    (_set("litellm_settings", _DELETE), [("missing", "litellm_settings.drop_params")]),
])
def test_real_differences_are_found(edit: Edit, expected: list[tuple[str, str]]) -> None:
    assert _kinds(BASE, _variant(edit)) == expected


def test_secret_to_env_and_null_dropped_are_named_and_masked() -> None:
    original = _variant(
        _set("model_list", 0, "litellm_params", "api_key", "sk-live-0123456789abcd"),
        _set("general_settings", "database_url", None),
    )
    verdict = compare_configs(original, BASE)
    assert verdict.kinds == {DiffKind.SECRET_TO_ENV, DiffKind.NULL_DROPPED}
    text = verdict.describe()
    assert "sk-live-0123456789abcd" not in text
    assert "sk…cd" in text and "os.environ/A_KEY" in text


def test_non_mapping_configs_compare_as_values() -> None:
    assert not compare_configs([1], {"model_list": []}).equal
    assert compare_configs({}, {}).equal


def test_same_is_type_strict() -> None:
    assert same(1, 1) and not same(1, 1.0) and not same(1, True) and not same("1", 1)
    assert same(float("nan"), float("nan"))
    assert same({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})
    assert not same({"a": 1}, {"a": 1, "b": 2})
