"""Injection: no string in a datum or in datumc.toml can add a key, a command or a
manifest to ANY generated file.

The property is differential, so it covers every target in TARGETS and every file
type without knowing their layout: build a project once with harmless placeholder
strings and once with hypothesis' arbitrary strings in the same places, read every
output back as its consumer would (tests/helpers/outputs.py: YAML -> both PyYAML
loaders, compose files -> compose's `$` interpolation, Kubernetes manifests -> the
kubelet's `$(VAR)` expansion, shell -> `bash -n` + the argv each command receives and
how podman parses it, units -> quadlet's key reading, systemd's words, specifiers and
`$VAR`, env files -> assignments), replace each placeholder by its real value in the
first reading, and require the two readings to be equal. A value that changed
structure, split into two words, leaked into a comment's next line, or that an
interpreter would expand or take for an option makes them differ. A value no spelling
can carry must be refused with a clear error (CannotCarryError), never written.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Severity
from datumc.pipeline import compile_project
from datumc.plan.images import ImageRef
from datumc.render.errors import CannotCarryError
from datumc.targets import TARGETS
from datumc.targets.base import Output
from datumc.validate.formats import host_problem, image_problem
from tests.helpers.outputs import (
    image_as_run,
    kind_of,
    materialise,
    read_back,
    substitute,
    systemd_words,
)

EXAMPLES = int(os.environ.get("DATUMC_PROPERTY_EXAMPLES", "100"))
PLACEHOLDER = re.compile(r"zq\d{3}pz")

text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
tricky = st.sampled_from([
    " ", "yes", "no", "null", "~", "1e5", "0x1f", "12:30", "-", "- x", "? x", ": x", "#x",
    "a: b", "{{ x }}", "{% x %}", "'", '"', "\\", "\n", "\r\n", "\t", "\x85", "\u2028",
    "\ufeff", "&a", "*a", "!tag", "%YAML", "---", "...", "|", ">", "@x", "`x`", "😀",
    "$(touch pwned)", "`id`", "${HOME}", "$HOME", ";", "&&", "|| true", "\\n", "%n", "%%",
    "a=b", "[Unit]", "=", "\x00", "\x1b[31m", "os.environ/X", "--privileged", "-v /:/host",
    "\\\n", "' '", '" "', "*", "?", "[a]", "{a,b}", "~root", "!", "#!", "EOF", "'\"'",
    # what compose, the kubelet, systemd and quadlet reinterpret
    "$", "$$", "$$(X)", "$(LITELLM_MASTER_KEY)", "${TAG:-latest}", "${X:?}", "%", "%%n",
    "%h", ".image", ".build", "<<", "--", "-", "\\x25n", "$$HOME",
])
# Keys and values past the 1,024 characters of a YAML implicit key, plain or escaped.
long_strings = st.builds(lambda unit, count: unit * count,
                         st.sampled_from(["k", "\x01", "é", "$(", "%n", '"', "\\"]),
                         st.integers(min_value=300, max_value=1100))
strings = st.one_of(text, tricky, st.lists(st.one_of(tricky, text), min_size=2,
                                            max_size=4).map("".join), long_strings)


def _as_name(value: str) -> str:
    """What a name may hold: no control characters, no surrounding whitespace."""
    kept = (c for c in value
            if not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"))
    return "".join(kept).strip()[:256]


names = strings.map(_as_name).filter(bool)
# The image and the bind address have grammars (validate/formats.py); anything outside
# them is refused at its line (tests/test_interpreters.py), so the property draws from
# inside them. The address also goes into a health-check URL, where an IPv6 ':' is
# bracketed (a legitimate change a plain substitution cannot follow): IPv4 and names.
_IMAGE_PARTS = st.tuples(
    st.sampled_from(["", "ghcr.io/", "localhost:5000/", "reg.example.com/", "[::1]:5000/"]),
    st.lists(st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)*", fullmatch=True), min_size=1,
             max_size=3).map("/".join),
    st.one_of(st.just(""), st.from_regex(r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)),
    st.one_of(st.just(""), st.from_regex(r"@sha256:[0-9a-f]{64}", fullmatch=True)),
)
images = _IMAGE_PARTS.map("".join).filter(lambda s: image_problem(s) is None)
hosts = st.one_of(
    st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t))),
    st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?(\.[A-Za-z0-9]{1,5}){0,3}",
                  fullmatch=True),
).filter(lambda s: host_problem(s) is None and s != "0.0.0.0")
# 0.0.0.0 is left out on purpose: the health checks then probe 127.0.0.1, a change of
# value by design (tests/test_targets_deploy.py covers it), not a change of structure.
# A file name: kept plain so that path normalisation (a legitimate change) stays out of it,
# and within the 255 bytes of a file name (NAME_MAX).
file_names = names.map(lambda s: s.replace("/", "_").replace("\\", "_")).map(
    lambda s: s.encode()[:255].decode(errors="ignore").strip()).filter(
    lambda s: s.strip(".") != "")
RESERVED_PARAMS = {"model", "api_key", "api_base", "api_version", "rpm", "tpm", "timeout",
                   "stream_timeout", "max_retries"}
GENERATED_INFO = {"mode", "access_groups", "max_input_tokens", "supports_vision",
                  "supports_function_calling", "supports_response_schema",
                  "supports_reasoning", "supports_web_search"}

# Every string slot of a datum and of datumc.toml that may reach an output.
NAME_SLOTS = ("name_a", "name_b", "alias", "group", "model_group")
LINE_SLOTS = ("image",)
HOST_SLOTS = ("host",)
FILE_SLOTS = ("env_file",)
TEXT_SLOTS = ("hint", "model", "api_base", "api_version", "param_key", "param_value",
              "nested_key", "nested_value", "meta_key", "meta_value", "list_item",
              "settings_key", "settings_value", "general_key", "general_value",
              "router_key", "router_value")
SLOTS = NAME_SLOTS + LINE_SLOTS + HOST_SLOTS + FILE_SLOTS + TEXT_SLOTS


def _placeholders() -> dict[str, str]:
    return {slot: f"zq{i:03d}pz" for i, slot in enumerate(SLOTS)}


def _project(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two datums and a datumc.toml with `values` in every slot."""
    a = {
        "b00t": {"name": values["name_a"], "type": "ai_model", "hint": values["hint"],
                 "aliases": [values["alias"]]},
        "ai_model": {
            "provider": "openai",
            "litellm_model": "openai/" + values["model"],
            "api_base": values["api_base"],
            "api_key_env": "A_API_KEY",
            "api_version": values["api_version"],
            "capabilities": ["chat", "tools"],
            "access_groups": [values["group"]],
            "fallbacks": [values["name_b"]],
            "parameters": {values["param_key"]: values["param_value"],
                           "extra_body": {values["nested_key"]: values["nested_value"]},
                           "stop": [values["list_item"], "fixed"]},
            "metadata": {values["meta_key"]: values["meta_value"]},
        },
    }
    b = {
        "b00t": {"name": values["name_b"], "type": "ai_model"},
        "ai_model": {"provider": "openai", "litellm_model": "openai/fixed-model",
                     "model_group": values["model_group"], "api_base_env": "B_API_BASE"},
    }
    project = {
        "datumc": {"targets": sorted(TARGETS)},
        "proxy": {"image": values["image"], "host": values["host"],
                  "env_file": values["env_file"]},
        "router": {values["router_key"]: values["router_value"]},
        "litellm_settings": {values["settings_key"]: values["settings_value"]},
        "general_settings": {values["general_key"]: values["general_value"]},
    }
    return a, b, project


def _valid_combination(values: dict[str, str]) -> bool:
    named = [values[s] for s in ("name_a", "name_b", "alias", "model_group")]
    keys = {values["param_key"], "extra_body", "stop"}
    return (
        len(set(named)) == len(named)
        and len(keys) == 3
        and values["param_key"] not in RESERVED_PARAMS
        and values["meta_key"] not in GENERATED_INFO
        and values["settings_key"] not in ("cache", "cache_params")
        and values["general_key"] not in ("master_key", "database_url")
        and values["router_key"] not in {"routing_strategy", "num_retries", "timeout",
                                         "allowed_fails", "cooldown_time", "redis",
                                         "redis_host_env", "redis_port_env",
                                         "redis_password_env", "fallbacks",
                                         "model_group_alias"}
        and not any(PLACEHOLDER.search(v) for v in values.values())
    )


def _render(root: Path, values: dict[str, str]) -> list[Output] | None:
    a, b, project = _project(values)
    (root / "datums").mkdir(parents=True, exist_ok=True)
    (root / "datums/a.ai_model.toml").write_text(tomli_w.dumps(a), encoding="utf-8")
    (root / "datums/b.ai_model.toml").write_text(tomli_w.dumps(b), encoding="utf-8")
    (root / "datumc.toml").write_text(tomli_w.dumps(project), encoding="utf-8")
    outputs = _compiled(root, [t for t in TARGETS if t not in SEPARATE])
    if outputs is None:
        return None
    for target in SEPARATE:  # refused on its own, without losing the example for the rest
        extra = _compiled(root, [target])
        if extra is not None:
            outputs += [o for o in extra if o.relpath.startswith(f"{target}/")]
    return outputs


# Targets whose reader refuses more than the others (Helm's value parsing): built apart.
SEPARATE = ("helm",)


def _chart_image(image: str) -> dict[str, str]:
    """The chart's image values read back, derived from the image by design: it runs
    repository:tag (no tag is :latest), and a pinned image is not pulled again."""
    ref = ImageRef.parse(image)
    pinned = ref.pinned_by_digest or ref.versioned_tag
    return {"reference": image_as_run(image), **({"pullPolicy": "IfNotPresent"} if pinned
                                                 else {})}


def _compiled(root: Path, targets: list[str]) -> list[Output] | None:
    try:
        result = compile_project(root, targets=targets)
    except CannotCarryError as exc:  # a clear refusal: tests/test_interpreters.py
        event(f"refused: {str(exc).split(':', 1)[0]}")
        return None
    if not result.ok:
        errors = sorted({d.code for d in result.diagnostics if d.severity is Severity.ERROR})
        event(f"rejected with {', '.join(errors)}")
        return None
    return result.outputs


def _readings(outputs: list[Output], workdir: Path, name: str, env_file: str) -> dict[str, Any]:
    tree = materialise({o.relpath: o.content for o in outputs}, _fresh(workdir, name), env_file)
    return {o.relpath: read_back(o.relpath, o.content, workdir, tree=tree) for o in outputs}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("injection")


def _fresh(workdir: Path, name: str) -> Path:
    root = workdir / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({
    **{slot: names for slot in NAME_SLOTS}, **{slot: images for slot in LINE_SLOTS},
    **{slot: hosts for slot in HOST_SLOTS}, **{slot: file_names for slot in FILE_SLOTS},
    **{slot: strings for slot in TEXT_SLOTS},
}))
def test_no_value_changes_the_structure_of_any_output(workdir: Path,
                                                      values: dict[str, str]) -> None:
    assume(_valid_combination(values))
    # An os.environ/NAME value is a reference: it adds NAME to .env.example and the
    # Secret by design (test_env_refs_anywhere_reach_the_env_template).
    assume(not any(v.startswith("os.environ/") for v in values.values()))
    placeholders = _placeholders()
    baseline = _render(_fresh(workdir, "baseline"), placeholders)
    assert baseline is not None, "the placeholder project must build"
    hostile = _render(_fresh(workdir, "hostile"), values)
    assume(hostile is not None)
    assert hostile is not None
    for target in SEPARATE:  # refused for this example: compare the other targets
        if not any(o.relpath.startswith(f"{target}/") for o in hostile):
            baseline = [o for o in baseline if not o.relpath.startswith(f"{target}/")]
    assert [o.relpath for o in hostile] == [o.relpath for o in baseline], "files added/removed"
    assert [o.mode for o in hostile] == [o.mode for o in baseline]
    mapping = {placeholders[slot]: values[slot] for slot in SLOTS}
    expected = substitute(
        _readings(baseline, workdir, "tree-baseline", placeholders["env_file"]), mapping)
    actual = _readings(hostile, workdir, "tree-hostile", values["env_file"])
    if "helm/values.yaml" in expected:
        expected["helm/values.yaml"][0]["image"] = _chart_image(values["image"])
    for relpath in expected:
        assert actual[relpath] == expected[relpath], f"{relpath}: a value changed its structure"
    for output in hostile:
        event(f"checked {kind_of(output.relpath)}: {output.relpath}")


def test_every_output_has_a_reader(bundled: Path) -> None:
    """New file types must get a reader, or the property above would fail on them."""
    result = compile_project(bundled, targets=list(TARGETS))
    assert result.ok
    for output in result.outputs:
        kind_of(output.relpath)


# -- the readers themselves can tell a broken output from a good one ---------------------------


def test_yaml_reader_sees_an_unescaped_value(tmp_path: Path) -> None:
    good = read_back("c.yaml", b"a: zq000pz\nb: 1\n", tmp_path)
    bad = read_back("c.yaml", b"a: x\nc: 2\nb: 1\n", tmp_path)  # value 'x\nc: 2' unescaped
    assert substitute(good, {"zq000pz": "x\nc: 2"}) != bad


def test_env_reader_sees_an_injected_line(tmp_path: Path) -> None:
    good = read_back(".env.example", b"# for zq000pz\nA=\n", tmp_path)
    bad = read_back(".env.example", b"# for x\nEVIL=1\nA=\n", tmp_path)
    assert substitute(good, {"zq000pz": "x\nEVIL=1"}) != bad


def test_shell_reader_sees_word_splitting_and_command_injection(tmp_path: Path) -> None:
    good = read_back("run.sh", b"podman run --name zq000pz img\n", tmp_path)
    assert good["(none)"]["calls"] == [["podman", "run", "--name", "zq000pz", "img"]]
    quoted = read_back("run.sh", b"podman run --name 'a b; id' img\n", tmp_path)
    split = read_back("run.sh", b"podman run --name a b; id img\n", tmp_path)
    expected = substitute(good, {"zq000pz": "a b; id"})
    assert quoted == expected
    assert split != expected
    with pytest.raises(AssertionError, match="bash -n"):
        read_back("run.sh", b"podman run 'unterminated\n", tmp_path)


def test_unit_reader_sees_a_new_line_or_section(tmp_path: Path) -> None:
    good = read_back("l.container", b"[Container]\nContainerName=zq000pz\nImage=i\n", tmp_path)
    bad = read_back("l.container", b"[Container]\nContainerName=x\n[Service]\nExecStartPre=evil\n"
                    b"Image=i\n", tmp_path)
    assert substitute(good, {"zq000pz": "x\n[Service]\nExecStartPre=evil"}) != bad
    assert systemd_words(r'"a b" c\x41 %%n %n') == ["a b", "cA", "%n", "<specifier %n>"]
    raw = read_back("l.container", b"[Container]\nImage=a b %n\nExec=$$x $HOME\n", tmp_path)
    assert raw == [("Container", "Image", ("a b <specifier %n>",)),
                   ("Container", "Exec", ("$x", "<variable $HOME>"))]


def test_unknown_output_type_is_refused() -> None:
    with pytest.raises(AssertionError, match="no reader"):
        kind_of("kubernetes/something.toml")


def test_env_refs_anywhere_reach_the_env_template(tmp_path: Path) -> None:
    """The one env inventory: an os.environ/NAME in any value the datums or datumc.toml
    pass to LiteLLM is listed in .env.example and the Secret template, names only."""
    values = _placeholders()
    for slot, name in (("param_value", "P_REF"), ("nested_value", "N_REF"),
                       ("meta_value", "M_REF"), ("settings_value", "S_REF"),
                       ("general_value", "G_REF"), ("router_value", "R_REF")):
        values[slot] = f"os.environ/{name}"
    outputs = _render(_fresh(tmp_path, "refs"), values)
    assert outputs is not None
    files = {o.relpath: o.content.decode() for o in outputs}
    env = read_back(".env.example", files["litellm/.env.example"].encode(), tmp_path)
    secret = files["kubernetes/secret.template.yaml"]
    for name in ("P_REF", "N_REF", "M_REF", "S_REF", "G_REF", "R_REF"):
        assert f"\n{name}=\n" in files["litellm/.env.example"], name
        assert f"  {name}: \"\"" in secret, name
    assert env
