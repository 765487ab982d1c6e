"""Routing: tags, weight, order, max_parallel_requests, context-window and content-policy
fallbacks, retry policies and tag filtering; what the build writes, what lint finds (on
datums and on hand-written YAML alike), what import maps back, and that LiteLLM's own
Router reads every key. The real proxy's routing is proven in tests/test_routing_e2e.py.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.diagnostics import Severity
from datumc.importer.plan import import_text
from datumc.plan.routing import ROUTING_PARAMS
from datumc.validate.datum import RETRY_KEYS
from tests.conftest import datum, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.lint import codes, lint_project, lint_yaml, only

Project = Callable[..., Path]
ROUTED = datum("eu-a", api_key_env="EU_KEY", model_group="chat", tags=["eu", "default"],
               weight=3, order=1, max_parallel_requests=8,
               context_window_fallbacks=["long"], content_policy_fallbacks=["lenient"],
               retry={"rate_limit": 3, "timeout": 0})
SECOND = datum("eu-b", api_key_env="EU_KEY", model_group="chat", tags=["us"], weight=1,
               order=2)
LONG = datum("long", api_key_env="LONG_KEY", tags=["default"])
LENIENT = datum("lenient", api_key_env="LENIENT_KEY", tags=["default"])
PROJECT = """\
[router]
enable_tag_filtering = true
retry_policy = { default = 2, BadRequestErrorRetries = 0 }
"""
ALL = {"eu-a": ROUTED, "eu-b": SECOND, "long": LONG, "lenient": LENIENT}


def _build(root: Path) -> tuple[int, str, Any]:
    result = run_cli("build", "--target", "litellm", cwd=root)
    path = root / "build/litellm/config.yaml"
    config = yaml.safe_load(path.read_text()) if result.code == 0 else None
    return result.code, result.output, config


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -- the build ----------------------------------------------------------------------------


def test_golden_routed_project(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", ALL, PROJECT)
    code, output, _ = _build(root)
    assert code == 0, output
    assert_golden((root / "build/litellm/config.yaml").read_bytes(), "routing/config.yaml")


def test_fields_become_litellm_params_and_router_settings(tmp_path: Path) -> None:
    code, output, config = _build(write_project(tmp_path / "proj", ALL, PROJECT))
    assert code == 0, output
    first, second = (d["litellm_params"] for d in config["model_list"][:2])
    assert {k: first[k] for k in ROUTING_PARAMS.values()} == {
        "tags": ["eu", "default"], "weight": 3, "order": 1, "max_parallel_requests": 8}
    assert second["tags"] == ["us"] and "max_parallel_requests" not in second
    router = config["router_settings"]
    assert router["enable_tag_filtering"] is True
    assert router["context_window_fallbacks"] == [{"chat": ["long"]}]
    assert router["content_policy_fallbacks"] == [{"chat": ["lenient"]}]
    assert "fallbacks" not in router
    # Either spelling in datumc.toml; LiteLLM's names in the config.
    assert router["retry_policy"] == {"BadRequestErrorRetries": 0, "DefaultRetries": 2}
    assert router["model_group_retry_policy"] == {
        "chat": {"TimeoutErrorRetries": 0, "RateLimitErrorRetries": 3}}


def test_unset_fields_write_nothing(tmp_path: Path) -> None:
    code, output, config = _build(write_project(tmp_path / "proj", {"plain": datum("plain")}))
    assert code == 0, output
    assert set(config["model_list"][0]["litellm_params"]) == {"model"}
    assert "router_settings" not in config


@pytest.mark.parametrize(("line", "field", "message"), [
    ("weight = 0", "weight", "greater than or equal to 1"),
    ("weight = 1.5", "weight", "must be an integer, not a number"),
    ('order = "1"', "order", "must be an integer, not a string"),
    ("order = -1", "order", "greater than or equal to 1"),
    ("max_parallel_requests = 0", "max_parallel_requests", "greater than or equal to 1"),
    ('tags = "eu"', "tags", "must be an array"),
])
def test_a_bad_routing_value_is_a_schema_error(tmp_path: Path, line: str, field: str,
                                               message: str) -> None:
    text = datum("bad").replace("[ai_model]\n", f"[ai_model]\n{line}\n")
    code, output, _ = _build(write_project(tmp_path / "proj", {"bad": text}))
    assert code == 1
    assert "DC003" in output and f"bad.ai_model.toml:{_line(text, line)}:" in output, output
    assert f"ai_model.{field}" in output and message in output, output


def test_a_bad_retry_count_is_a_schema_error(tmp_path: Path) -> None:
    text = datum("bad") + "\n[ai_model.retry]\nrate_limit = -1\n"
    code, output, _ = _build(write_project(tmp_path / "proj", {"bad": text}))
    assert code == 1
    assert "DC003" in output and "ai_model.retry.rate_limit" in output, output


def test_litellms_names_in_ai_model_retry_are_unknown_keys(tmp_path: Path) -> None:
    text = datum("x") + "\n[ai_model.retry]\nRateLimitErrorRetries = 3\n"
    code, output, config = _build(write_project(tmp_path / "proj", {"x": text}))
    assert code == 0, output
    assert "DC004" in output and "RateLimitErrorRetries" in output
    assert "router_settings" not in config


def test_router_may_not_set_what_the_datums_derive(tmp_path: Path) -> None:
    project = ('[router]\ncontext_window_fallbacks = [{ chat = ["x"] }]\n'
               'model_group_retry_policy = { chat = { RateLimitErrorRetries = 1 } }\n')
    code, output, _ = _build(write_project(tmp_path / "proj", ALL, project))
    assert code == 1
    assert "may not set 'context_window_fallbacks'" in output, output
    assert "may not set 'model_group_retry_policy'" in output, output


# -- lint: the fallback rules cover every kind ----------------------------------------------


@pytest.mark.parametrize("kind", ["context_window_fallbacks", "content_policy_fallbacks"])
def test_dc108_unknown_target_of_each_kind(project: Project, kind: str) -> None:
    text = datum("a", **{kind: ["lnog"]})
    root = project({"a": text, "long": LONG})
    [found] = only(lint_project(root), "DC108")
    assert found.line == _line(text, '"lnog"') and found.severity is Severity.ERROR
    assert "'lnog' is not a defined model" in found.message
    assert found.hint == "did you mean 'long'?"


def test_dc109_cycle_in_context_window_fallbacks(project: Project) -> None:
    a = datum("a", context_window_fallbacks=["b"])
    root = project({"a": a, "b": datum("b", context_window_fallbacks=["a"])})
    [found] = only(lint_project(root), "DC109")
    assert found.message == "context-window fallback cycle: a -> b -> a"
    assert found.path.endswith("a.ai_model.toml") and found.line == _line(a, "\"b\"")


def test_dc109_each_kind_is_its_own_graph(project: Project) -> None:
    """a -> b for context windows and b -> a for content policy is no cycle."""
    root = project({"a": datum("a", context_window_fallbacks=["b"]),
                    "b": datum("b", content_policy_fallbacks=["a"])})
    assert "DC109" not in codes(lint_project(root))


def test_dc109_on_hand_written_yaml(tmp_path: Path) -> None:
    text = _yaml("""\
router_settings:
  content_policy_fallbacks: [{a: [b]}, {b: [a]}]
litellm_settings:
  fallbacks: [{a: [a]}]
""")
    diags = only(lint_yaml(tmp_path, text), "DC109")
    assert sorted(d.message for d in diags) == [
        "'a' falls back to itself", "content-policy fallback cycle: a -> b -> a"]
    assert {d.line for d in diags} == {_line(text, "content_policy"), _line(text, "[{a: [a]}]")}


def test_dc109_a_cycle_passed_through_datumc_toml(project: Project) -> None:
    root = project({"a": datum("a"), "b": datum("b")},
                   '[router]\ncontext_window_fallbacks = [{ a = ["b"] }, { b = ["a"] }]\n')
    [found] = only(lint_project(root), "DC109")
    assert found.path.endswith("datumc.toml") and found.line == 2


def test_dc209_checks_hand_written_fallback_kinds(tmp_path: Path) -> None:
    text = _yaml("router_settings:\n  context_window_fallbacks: [{a: [lnog]}]\n")
    [found] = only(lint_yaml(tmp_path, text), "DC209")
    assert "'lnog'" in found.message


# -- lint: tags and weights ---------------------------------------------------------------


def test_dc231_tags_while_filtering_is_off(project: Project) -> None:
    text = datum("a", tags=["eu"])
    [found] = only(lint_project(project({"a": text})), "DC231")
    assert found.severity is Severity.INFO and found.line == _line(text, "tags")
    assert "do not route" in found.message and "enable_tag_filtering" in found.hint


def test_dc231_silent_when_the_group_turns_filtering_on(tmp_path: Path) -> None:
    text = _yaml("""\
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/K, tags: [eu]}
    model_info: {enable_tag_filtering: true}
""", models=True)
    assert "DC231" not in codes(lint_yaml(tmp_path, text))
    assert "DC231" in codes(lint_yaml(tmp_path, text.replace(
        "{enable_tag_filtering: true}", "{enable_tag_filtering: false}")))


def test_dc232_filtering_on_and_no_tags_anywhere(project: Project) -> None:
    root = project({"a": datum("a")}, "[router]\nenable_tag_filtering = true\n")
    [found] = only(lint_project(root), "DC232")
    assert found.path.endswith("datumc.toml") and found.line == 2
    assert "no deployment has tags" in found.message


def test_dc232_a_group_without_tags_refuses_tagged_requests(project: Project) -> None:
    untagged = datum("plain")
    root = project({"a": datum("a", tags=["eu"]), "plain": untagged},
                   "[router]\nenable_tag_filtering = true\n")
    [found] = only(lint_project(root), "DC232")
    assert found.path.endswith("plain.ai_model.toml") and found.line == _line(untagged, "name")
    assert "'plain'" in found.message and "refused" in found.message


def test_dc232_silent_with_allow_fail_open(tmp_path: Path) -> None:
    text = _yaml("""\
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/K}
    model_info: {allow_fail_open: true}
router_settings: {enable_tag_filtering: true}
""", models=True)
    assert "DC232" not in codes(lint_yaml(tmp_path, text))


def test_dc233_weight_under_another_strategy(project: Project) -> None:
    text = datum("a", model_group="g", weight=3)
    root = project({"a": text, "b": datum("b", model_group="g", weight=1)},
                   '[router]\nrouting_strategy = "least-busy"\n')
    found = only(lint_project(root), "DC233")
    assert len(found) == 2 and found[0].line == _line(text, "weight")
    assert "least-busy" in found[0].message


def test_dc233_follows_routing_groups(tmp_path: Path) -> None:
    models = """\
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/K, weight: 2}
"""
    shuffle = _yaml(models + "router_settings: {routing_strategy: latency-based-routing, "
                    "routing_groups: [{group_name: g, models: [a], "
                    "routing_strategy: simple-shuffle}]}\n", models=True)
    assert "DC233" not in codes(lint_yaml(tmp_path, shuffle))
    busy = _yaml(models + "router_settings: {routing_groups: [{group_name: g, models: [a], "
                 "routing_strategy: least-busy}]}\n", models=True)
    assert "DC233" in codes(lint_yaml(tmp_path, busy))


def test_dc118_one_retry_policy_per_group(project: Project) -> None:
    other = datum("b", model_group="g") + "\n[ai_model.retry]\nrate_limit = 5\n"
    root = project({"a": datum("a", model_group="g", retry={"rate_limit": 3}), "b": other,
                    "c": datum("c", model_group="g", retry={"rate_limit": 3})})
    [found] = only(lint_project(root), "DC118")
    assert found.path.endswith("b.ai_model.toml") and found.line == _line(other, "[ai_model.retry]")
    assert "a.ai_model.toml" in found.message


def _yaml(body: str, *, models: bool = False) -> str:
    head = "model_list:\n" if models else """\
model_list:
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/K}
  - model_name: b
    litellm_params: {model: openai/b, api_key: os.environ/K}
"""
    return head + body + "general_settings: {master_key: os.environ/LITELLM_MASTER_KEY}\n"


# -- import ---------------------------------------------------------------------------------


def test_import_maps_routing_back() -> None:
    result = import_text("""\
model_list:
  - model_name: chat
    litellm_params: {model: openai/a, tags: [eu], weight: 3, order: 1,
                     max_parallel_requests: 4}
  - model_name: chat
    litellm_params: {model: openai/b, weight: 0.5, order: 0}
  - model_name: long
    litellm_params: {model: openai/long}
router_settings:
  enable_tag_filtering: true
  context_window_fallbacks: [{chat: [long]}]
  retry_policy: {RateLimitErrorRetries: 2}
  model_group_retry_policy: {chat: {TimeoutErrorRetries: 1}}
litellm_settings:
  content_policy_fallbacks: [{chat: [long]}]
""", "config.yaml")
    assert result.ok, [str(d) for d in result.diagnostics]
    texts = {o.relpath: tomllib.loads(o.content.decode()) for o in result.outputs}
    first, second, _ = (v["ai_model"] for k, v in sorted(texts.items()) if "ai_model" in k)
    assert {k: first[k] for k in ("tags", "weight", "order", "max_parallel_requests")} == {
        "tags": ["eu"], "weight": 3, "order": 1, "max_parallel_requests": 4}
    assert first["context_window_fallbacks"] == first["content_policy_fallbacks"] == ["long"]
    assert first["retry"] == {"timeout": 1} and "retry" not in second
    # A weight or order the field does not take stays a parameter, as written.
    assert second["parameters"] == {"weight": 0.5, "order": 0}
    router = texts["datumc.toml"]["router"]
    assert router == {"enable_tag_filtering": True, "retry_policy": {"rate_limit": 2}}


# -- LiteLLM reads every key -------------------------------------------------------------------


needs_litellm = pytest.mark.skipif(importlib.util.find_spec("litellm") is None,
                                   reason="litellm not installed")


@needs_litellm
def test_retry_names_are_litellms() -> None:
    from litellm.types.router import RetryPolicy

    assert set(RETRY_KEYS.values()) == set(RetryPolicy.model_fields)


@needs_litellm
def test_litellms_router_reads_the_built_settings(tmp_path: Path) -> None:
    """The built config handed to litellm.Router as the proxy does (model_list plus
    router_settings as keyword arguments): each setting lands where routing reads it."""
    import litellm

    code, output, config = _build(write_project(tmp_path / "proj", ALL, PROJECT))
    assert code == 0, output
    for deployment in config["model_list"]:
        deployment["litellm_params"]["api_key"] = "sk-test-not-used"
    router = litellm.Router(model_list=config["model_list"], **config["router_settings"])
    assert router.enable_tag_filtering is True
    assert router.context_window_fallbacks == [{"chat": ["long"]}]
    assert router.content_policy_fallbacks == [{"chat": ["lenient"]}]
    assert router.retry_policy is not None and router.retry_policy.DefaultRetries == 2
    assert router.model_group_retry_policy is not None
    group = router.model_group_retry_policy["chat"]
    rate_limit = group["RateLimitErrorRetries"] if isinstance(group, dict) \
        else group.RateLimitErrorRetries
    assert rate_limit == 3
    [first] = [d for d in router.get_model_list() or []
               if d["litellm_params"].get("order") == 1]
    assert first["litellm_params"]["weight"] == 3
    assert first["litellm_params"]["tags"] == ["eu", "default"]
    assert first["litellm_params"]["max_parallel_requests"] == 8
