"""[profiles.NAME.datums]: a profile enables, disables and overrides datums.

The build of a profile is the build of the project with its datum files edited as the
profile says; every profile's datum set is linted whichever build runs, and a finding
on what a profile set is reported at its datumc.toml line.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic
from datumc.lint.run import lint_config, lint_stack
from datumc.load.stack import load_stack
from datumc.plan.config import build_config
from datumc.targets import litellm
from datumc.targets.base import RenderContext
from tests.conftest import REPO, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.targets import tree

EXAMPLES = int(os.environ.get("DATUMC_PROPERTY_EXAMPLES", "100"))

HAIKU = """\
[b00t]
name = "anthropic-claude-haiku"
type = "ai_model"
hint = "Hosted, fast and cheap"
aliases = ["fast"]

[ai_model]
provider = "anthropic"
litellm_model = "anthropic/claude-haiku-4-5"
api_key_env = "ANTHROPIC_API_KEY"
capabilities = ["chat", "tools"]
"""
OLLAMA = """\
[b00t]
name = "ollama-qwen"
type = "ai_model"
hint = "Local Qwen on the laptop: the dev profile serves it"
aliases = ["fast"]

[ai_model]
provider = "ollama"
litellm_model = "ollama_chat/qwen2.5:7b"
api_base = "http://localhost:11434"
capabilities = ["chat"]
enabled = false
"""
GPT4O = """\
[b00t]
name = "openai-gpt4o"
type = "ai_model"

[ai_model]
provider = "openai"
litellm_model = "openai/gpt-4o"
api_key_env = "OPENAI_API_KEY"
capabilities = ["chat", "vision", "tools"]
"""
VLLM = """\
[b00t]
name = "vllm-qwen"
type = "ai_model"
aliases = ["qwen"]

[ai_model]
provider = "openai_compatible"
litellm_model = "openai/Qwen/Qwen2.5-7B-Instruct"
api_base_env = "VLLM_API_BASE"
api_key_env = "VLLM_API_KEY"
rpm_limit = 60
fallbacks = ["anthropic-claude-haiku"]
"""
DATUMS = {"anthropic-claude-haiku": HAIKU, "ollama-qwen": OLLAMA, "openai-gpt4o": GPT4O,
          "vllm-qwen": VLLM}
SETTINGS = """\
[proxy]
port = 4000
"""
DEV = """
# dev: no hosted keys on a laptop; `fast` is the local Ollama model, served natively.
[profiles.dev.datumc]
targets = ["litellm"]

[profiles.dev.datums]
enable = ["ollama-qwen"]
disable = ["anthropic-claude-haiku", "openai-gpt4o"]

[profiles.dev.datums.override.vllm-qwen]
ai_model.api_base = "http://localhost:8000/v1"
ai_model.fallbacks = ["ollama-qwen"]
"""
PROD = """
# prod: `fast` moves to GPT-4o; the GPU box takes more traffic.
[profiles.prod.datums.override.anthropic-claude-haiku.b00t]
aliases = []

[profiles.prod.datums.override.openai-gpt4o.b00t]
aliases = ["fast"]

[profiles.prod.datums.override.vllm-qwen.ai_model]
rpm_limit = 600
"""
PROFILES = SETTINGS + DEV + PROD


def _project(root: Path, toml: str = PROFILES, datums: dict[str, str] | None = None) -> Path:
    return write_project(root, datums if datums is not None else DATUMS, toml)


def _line_col(text: str, needle: str, *, after: str = "") -> tuple[int, int]:
    """1-based line and column of the first `needle` (on or after the line holding
    `after`)."""
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _config(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((out / "litellm" / "config.yaml").read_text())
    return loaded


def _ok(root: Path, *args: str) -> str:
    result = run_cli("build", "--target", "litellm", *args, cwd=root)
    assert result.code == 0, result.output
    return result.output


# -- the dev/prod example -------------------------------------------------------------


def test_fast_resolves_to_a_different_datum_in_each_profile(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    for args in ((), ("--profile", "dev"), ("--profile", "prod")):
        output = _ok(root, *args)
        assert " warning " not in output and " error " not in output, output
    build = root / "build"
    aliases = {name: _config(out)["router_settings"]["model_group_alias"]
               for name, out in (("base", build), ("dev", build / "dev"),
                                 ("prod", build / "prod"))}
    assert aliases == {"base": {"fast": "anthropic-claude-haiku", "qwen": "vllm-qwen"},
                       "dev": {"fast": "ollama-qwen", "qwen": "vllm-qwen"},
                       "prod": {"fast": "openai-gpt4o", "qwen": "vllm-qwen"}}
    dev = _config(build / "dev")
    assert [m["model_name"] for m in dev["model_list"]] == ["ollama-qwen", "vllm-qwen"]
    qwen = dev["model_list"][1]["litellm_params"]
    assert qwen["api_base"] == "http://localhost:8000/v1", "api_base replaces api_base_env"
    assert dev["router_settings"]["fallbacks"] == [{"vllm-qwen": ["ollama-qwen"]}]
    prod = _config(build / "prod")
    assert prod["model_list"][2]["litellm_params"]["rpm"] == 600
    for name, out in (("base", build), ("dev", build / "dev"), ("prod", build / "prod")):
        for file in ("config.yaml", ".env.example"):
            assert_golden((out / "litellm" / file).read_bytes(), f"profiles/{name}/{file}")
    for args in ((), ("--profile", "dev"), ("--profile", "prod")):
        assert run_cli("build", "--check", "--target", "litellm", *args, cwd=root).code == 0


def test_dev_env_example_names_only_what_dev_serves(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    _ok(root, "--profile", "dev")
    env = (root / "build" / "dev" / "litellm" / ".env.example").read_text()
    assert "ANTHROPIC_API_KEY" not in env and "OPENAI_API_KEY" not in env
    assert "VLLM_API_KEY" in env and "VLLM_API_BASE" not in env


def test_the_base_build_ignores_datum_profiles(tmp_path: Path) -> None:
    """Byte for byte, every target: the same project without [profiles.*.datums]."""
    with_profiles = _project(tmp_path / "a")
    without = _project(tmp_path / "b", SETTINGS + "\n[profiles.dev.datumc]\n"
                       'targets = ["litellm"]\n\n[profiles.prod.proxy]\nport = 4000\n')
    for root in (with_profiles, without):
        result = run_cli("build", cwd=root)
        assert result.code == 0, result.output
    assert tree(with_profiles / "build") == tree(without / "build")


def test_a_profile_equals_editing_the_files(tmp_path: Path) -> None:
    """dev, spelled out: the files edited as dev says build the same config."""
    root = _project(tmp_path / "proj")
    _ok(root, "--profile", "dev")
    ollama = OLLAMA.replace("enabled = false", "enabled = true")
    vllm = VLLM.replace('api_base_env = "VLLM_API_BASE"', 'api_base = "http://localhost:8000/v1"')
    vllm = vllm.replace('fallbacks = ["anthropic-claude-haiku"]', 'fallbacks = ["ollama-qwen"]')
    edited = _project(tmp_path / "edited", '[datumc]\ntargets = ["litellm"]\n',
                      {"ollama-qwen": ollama, "vllm-qwen": vllm})
    _ok(edited)
    for file in ("config.yaml", ".env.example"):
        assert ((root / "build" / "dev" / "litellm" / file).read_bytes()
                == (edited / "build" / "litellm" / file).read_bytes())


def test_a_profile_enables_and_overrides_a_disabled_datum(tmp_path: Path) -> None:
    toml = SETTINGS + """
[profiles.local.datums]
enable = ["ollama-qwen"]

[profiles.local.datums.override.ollama-qwen.ai_model]
api_base = "http://host.containers.internal:11434"
parameters = { num_ctx = 8192 }
"""
    root = _project(tmp_path / "proj", toml)
    _ok(root, "--profile", "local")
    ollama = next(m for m in _config(root / "build" / "local")["model_list"]
                  if m["model_name"] == "ollama-qwen")
    assert ollama["litellm_params"] == {"model": "ollama_chat/qwen2.5:7b",
                                        "api_base": "http://host.containers.internal:11434",
                                        "num_ctx": 8192}


# -- errors, at their datumc.toml line and column ---------------------------------------


ERRORS = [
    pytest.param(
        '[profiles.dev.datums]\nenable = ["olama-qwen"]\n', '"olama-qwen"',
        "error DC003 profiles.dev.datums.enable[0]: no datum is named 'olama-qwen'",
        "did you mean 'ollama-qwen'?", id="unknown-enable"),
    pytest.param(
        '[profiles.dev.datums]\ndisable = ["vllm-qwen", "qwen"]\n', '"qwen"',
        "error DC003 profiles.dev.datums.disable[1]: no datum is named 'qwen'",
        "'qwen' is an alias or model_group of 'vllm-qwen': a profile names datums by their "
        "[b00t] name", id="an-alias"),
    pytest.param(
        '[profiles.dev.datums.override.vllm-qwn.ai_model]\nrpm_limit = 5\n',
        "vllm-qwn.|ai_model",  # a table header is placed at its last key
        "error DC003 profiles.dev.datums.override.vllm-qwn: no datum is named 'vllm-qwn'",
        "did you mean 'vllm-qwen'?", id="unknown-override"),
    pytest.param(
        '[profiles.dev.datums]\nenable = ["vllm-qwen"]\ndisable = ["vllm-qwen"]\n',
        'disable|"vllm-qwen"',
        "error DC003 profiles.dev.datums.disable[0]: profile 'dev' both enables and "
        "disables 'vllm-qwen'", "keep the datum in one of enable and disable",
        id="enabled-and-disabled"),
    pytest.param(
        '[profiles.dev.datums.override.vllm-qwen.ai_model]\nrpm_limit = "600"\n', '"600"',
        "error DC003 profiles.dev.datums.override.vllm-qwen.ai_model.rpm_limit: must be an "
        "integer, not a string", "remove the quotes", id="override-wrong-type"),
    pytest.param(
        '[profiles.dev.datums.override.vllm-qwen]\nai_model.size = "huge"\n', '"huge"',
        "error DC003 profiles.dev.datums.override.vllm-qwen.ai_model.size: ",
        "", id="override-bad-value"),
    pytest.param(
        '[profiles.dev.datums.override.vllm-qwen.ai_model]\napi_key_env = "${VLLM_KEY}"\n',
        '"${VLLM_KEY}"',
        "error DC104 profiles.dev.datums.override.vllm-qwen.ai_model.api_key_env: ",
        'write the bare name: "VLLM_KEY"', id="override-env-name"),
    pytest.param(
        '[profiles.dev.datums.override.vllm-qwen.b00t]\nname = "qwen"\n', 'name = "qwen"',
        "error DC003 profiles.dev.datums.override.vllm-qwen.b00t.name: a profile cannot "
        "rename a datum", "override aliases", id="override-name"),
    pytest.param(
        '[profiles.dev.datums.override.ollama-qwen.ai_model]\nenabled = true\n', "enabled",
        "error DC003 profiles.dev.datums.override.ollama-qwen.ai_model.enabled: a profile "
        "enables or disables a datum in its [datums] table", "enable = [...]",
        id="override-enabled"),
    pytest.param(
        '[profiles.dev.datums]\nenable = "ollama-qwen"\n', '"ollama-qwen"',
        "error DC003 profiles.dev.datums.enable: must be an array, not a string", "",
        id="not-an-array"),
]


@pytest.mark.parametrize(("toml", "at", "message", "hint"), ERRORS)
def test_profile_datum_errors_are_at_their_line(tmp_path: Path, toml: str, at: str,
                                                message: str, hint: str) -> None:
    text = SETTINGS + "\n[profiles.other.proxy]\nport = 4001\n\n" + toml
    root = _project(tmp_path / "proj", text)
    after, _, needle = at.rpartition("|")
    line, col = _line_col(text, needle, after=after or toml.splitlines()[0])
    for args in ((), ("--profile", "dev"), ("--profile", "other")):
        result = run_cli("build", *args, cwd=root)
        assert result.code == 1, (args, result.output)
        assert f"datumc.toml:{line}:{col}: {message}" in result.stderr, result.stderr
        assert hint in result.stderr
    assert not (root / "build").exists()


def test_unknown_keys_in_a_profile_datums_table_are_warned_at_their_line(
        tmp_path: Path) -> None:
    toml = (SETTINGS + '\n[profiles.dev.datums]\nenabel = ["ollama-qwen"]\n\n'
            "[profiles.dev.datums.override.vllm-qwen.ai_model]\nrpm_limt = 5\n")
    root = _project(tmp_path / "proj", toml)
    result = run_cli("build", "--target", "litellm", "--profile", "dev", cwd=root)
    assert result.code == 0, result.output
    line, _ = _line_col(toml, "enabel")
    assert (f"datumc.toml:{line}:1: warning DC004 unknown key 'enabel' in "
            "[profiles.dev.datums] is ignored") in result.stderr
    assert "did you mean 'enable'?" in result.stderr
    line, _ = _line_col(toml, "rpm_limt")
    assert (f"datumc.toml:{line}:1: warning DC004 unknown key 'rpm_limt' in "
            "[profiles.dev.datums.override.vllm-qwen.ai_model] is ignored") in result.stderr
    assert "did you mean 'rpm_limit'?" in result.stderr


def test_a_datum_that_failed_validation_is_not_reported_again(tmp_path: Path) -> None:
    broken = VLLM.replace("rpm_limit = 60", 'rpm_limit = "60"')
    root = _project(tmp_path / "proj", SETTINGS + '\n[profiles.dev.datums]\n'
                    'disable = ["vllm-qwen"]\n', {**DATUMS, "vllm-qwen": broken})
    diags = [d for d in _lint(root) if d.severity == "error"]
    assert [(d.code, d.path) for d in diags] == [("DC003", "datums/vllm-qwen.ai_model.toml")]


# -- each profile's datum set is linted, whichever build runs -----------------------------


def _lint(root: Path) -> list[Diagnostic]:
    result = run_cli("lint", "--format", "json", cwd=root)
    return [Diagnostic(**d) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_profile_disabling_a_fallback_target_is_reported_at_its_disable_line(
        tmp_path: Path) -> None:
    """vllm-qwen falls back to haiku; `cheap` disables haiku and leaves vllm-qwen's
    fallbacks alone: DC108 for that profile only, at the `disable` entry."""
    toml = SETTINGS + '\n[profiles.cheap.datums]\ndisable = ["openai-gpt4o", ' \
        '"anthropic-claude-haiku"]\n'
    root = _project(tmp_path / "proj", toml)
    line, col = _line_col(toml, '"anthropic-claude-haiku"')
    found = [d for d in _lint(root) if d.code == "DC108"]
    assert [(d.path, d.line, d.column, d.severity) for d in found] == [
        ("datumc.toml", line, col, "error")]
    assert found[0].message == ("'vllm-qwen' in profile 'cheap': fallback "
                                "'anthropic-claude-haiku' is disabled and is not served")
    assert "[profiles.cheap.datums.override.vllm-qwen] ai_model.fallbacks" in found[0].hint
    for args in ((), ("--profile", "cheap")):  # every build checks every profile
        result = run_cli("build", "--target", "litellm", *args, cwd=root)
        assert result.code == 1
        assert f"datumc.toml:{line}:{col}: error DC108 'vllm-qwen' in profile 'cheap'" \
            in result.stderr
    fixed = toml + '\n[profiles.cheap.datums.override.vllm-qwen]\nai_model.fallbacks = []\n'
    (root / "datumc.toml").write_text(fixed)
    assert not [d for d in _lint(root) if d.severity == "error"]


def test_findings_on_an_override_point_at_datumc_toml(tmp_path: Path) -> None:
    toml = SETTINGS + """
[profiles.prod.datums.override.vllm-qwen.ai_model]
parameters = { temprature = 0.2 }

[profiles.prod.datums.override.vllm-qwen.b00t]
aliases = ["qwen", "fast"]
"""
    root = _project(tmp_path / "proj", toml)
    diags = {d.code: d for d in _lint(root)}
    param = diags["DC203"]
    assert (param.path, param.line) == ("datumc.toml", _line_col(toml, "temprature")[0])
    assert param.message.startswith("'vllm-qwen' in profile 'prod': ")
    assert "did you mean 'temperature'?" in param.hint
    alias = diags["DC110"]  # haiku, first in path order, keeps `fast`
    assert (alias.path, alias.line, alias.column) == ("datumc.toml",
                                                      *_line_col(toml, '"fast"'))
    assert alias.message.startswith("'vllm-qwen' in profile 'prod': alias 'fast' is also "
                                    "claimed by 'anthropic-claude-haiku'")


def test_a_finding_only_another_profile_has_names_it(tmp_path: Path) -> None:
    """ollama-qwen (disabled in its file) has a typo in its parameters: only the profile
    that enables it serves it, so the finding is that profile's."""
    ollama = OLLAMA + "\n[ai_model.parameters]\ntemprature = 0.2\n"
    toml = SETTINGS + '\n[profiles.dev.datums]\nenable = ["ollama-qwen"]\n'
    root = _project(tmp_path / "proj", toml, {**DATUMS, "ollama-qwen": ollama})
    line, _ = _line_col(ollama, "temprature")
    found = [d for d in _lint(root) if d.code == "DC203"]
    assert [(d.path, d.line) for d in found] == [("datums/ollama-qwen.ai_model.toml", line)]
    assert found[0].message.startswith("profile 'dev': ai_model.parameters: unknown key")
    own = run_cli("build", "--target", "litellm", "--profile", "dev", cwd=root)
    assert f"datums/ollama-qwen.ai_model.toml:{line}:1: warning DC203 ai_model.parameters" \
        in own.stderr, "the build of dev itself reports it as its own"


def test_a_profile_disabling_a_datum_is_reported_at_info_level(tmp_path: Path) -> None:
    toml = SETTINGS + '\n[profiles.dev.datums]\ndisable = ["openai-gpt4o"]\n'
    root = _project(tmp_path / "proj", toml)
    output = _ok(root, "--profile", "dev")
    line, col = _line_col(toml, '"openai-gpt4o"')
    assert (f"datumc.toml:{line}:{col}: info DC007 profile 'dev' disables 'openai-gpt4o': "
            "it is not emitted") in output


# -- the JSON Schema --------------------------------------------------------------------


def test_json_schema_describes_profile_datums() -> None:
    schema = json.loads((REPO / "schemas" / "datumc.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(tomllib.loads(PROFILES)))
    bad = tomllib.loads('[profiles.dev.datums]\nenabel = ["x"]\n'
                        '[profiles.dev.datums.override.x.aimodel]\nrpm_limit = 1\n')
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    assert "enabel" in messages and "aimodel" in messages


# -- the property: a profile is exactly editing the files --------------------------------

NAMES = ("m0", "m1", "m2", "m3", "m4")
ALIASES = ("fast", "cheap", "smart")


@st.composite
def _projects(draw: st.DrawFn) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Datums, and one profile's [datums] table over them."""
    names = NAMES[:draw(st.integers(2, len(NAMES)))]
    files = {name: _datum(draw, name, names) for name in names}
    flags = draw(st.dictionaries(st.sampled_from(names), st.booleans()))
    table: dict[str, Any] = {
        "enable": [n for n in names if flags.get(n) is True],
        "disable": [n for n in names if flags.get(n) is False],
    }
    overrides = {}
    for name in draw(st.lists(st.sampled_from(names), unique=True)):
        overrides[name] = _override(draw, name, names)
    if overrides:
        table["override"] = overrides
    return files, table


def _datum(draw: st.DrawFn, name: str, names: tuple[str, ...]) -> dict[str, Any]:
    ai_model: dict[str, Any] = {"provider": "openai", "litellm_model": f"openai/{name}",
                                "enabled": draw(st.booleans())}
    if draw(st.booleans()):
        ai_model["api_key_env"] = "OPENAI_API_KEY"
    else:
        ai_model["api_base_env"] = f"{name.upper()}_BASE"
    if draw(st.booleans()):
        ai_model["rpm_limit"] = draw(st.integers(1, 100))
    ai_model["fallbacks"] = draw(st.lists(st.sampled_from([n for n in names if n != name]),
                                          unique=True, max_size=2))
    b00t = {"name": name, "type": "ai_model",
            "aliases": draw(st.lists(st.sampled_from(ALIASES), unique=True, max_size=2))}
    return {"b00t": b00t, "ai_model": ai_model}


def _override(draw: st.DrawFn, name: str, names: tuple[str, ...]) -> dict[str, Any]:
    ai_model: dict[str, Any] = {}
    if draw(st.booleans()):
        ai_model["rpm_limit"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        ai_model["api_base"] = f"https://{name}.example.com/v1"
    if draw(st.booleans()):
        ai_model["fallbacks"] = draw(st.lists(
            st.sampled_from([n for n in names if n != name]), unique=True, max_size=2))
    if draw(st.booleans()):
        ai_model["parameters"] = {"max_tokens": draw(st.integers(1, 4096))}
    out: dict[str, Any] = {"ai_model": ai_model} if ai_model else {}
    if draw(st.booleans()):
        out["b00t"] = {"aliases": draw(st.lists(st.sampled_from(ALIASES), unique=True,
                                                max_size=2))}
    return out


def _edited(files: dict[str, dict[str, Any]], table: dict[str, Any]) -> dict[str, Any]:
    """The datum files edited by hand as the profile says (docs/profiles.md)."""
    out = {name: {k: dict(v) for k, v in data.items()} for name, data in files.items()}
    for name, override in table.get("override", {}).items():
        for section, values in override.items():
            if "api_base" in values:
                out[name][section].pop("api_base_env", None)
            out[name][section].update(values)
    for key, flag in (("enable", True), ("disable", False)):
        for name in table[key]:
            out[name]["ai_model"]["enabled"] = flag
    return out


def _write(root: Path, files: dict[str, Any], toml: str) -> Path:
    return write_project(root, {n: tomli_w.dumps(d) for n, d in files.items()}, toml)


def _outcome(root: Path, profile: str | None) -> tuple[bytes, bytes, Counter[tuple[str, str]]]:
    """The LiteLLM config and .env template the build writes, and what the build's own
    checks find (code and severity: the profile's findings sit at its own lines)."""
    stack, diags = load_stack(root, profile=profile)
    assert stack is not None, diags
    config, found = build_config(stack)
    diags = [*diags, *lint_stack(stack), *found, *lint_config(config.model)]
    outputs = {o.relpath: o.content for o in litellm.outputs(RenderContext(stack, config))}
    return (outputs["litellm/config.yaml"], outputs["litellm/.env.example"],
            Counter((d.code, str(d.severity)) for d in set(diags)))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(project=_projects())
def test_a_profile_is_exactly_editing_the_datum_files(
        project: tuple[dict[str, dict[str, Any]], dict[str, Any]]) -> None:
    files, table = project
    with tempfile.TemporaryDirectory() as tmp:
        profiled = _write(Path(tmp) / "profiled", files,
                          tomli_w.dumps({"profiles": {"p": {"datums": table}}}))
        edited = _write(Path(tmp) / "edited", _edited(files, table), "")
        assert _outcome(profiled, "p") == _outcome(edited, None)
        assert _outcome(profiled, None)[:2] == _outcome(_write(
            Path(tmp) / "plain", files, ""), None)[:2], "the base build ignores the profile"

