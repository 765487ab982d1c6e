"""Each interpreter that reads a generated file, one class of reinterpretation each, run for
real where it runs here: podman-compose (compose's `$` interpolation), `kubectl kustomize`
(the manifests the kubelet gets; its `$(VAR)` expansion is modelled from its source),
`systemd-analyze verify` (systemd's quoting, escapes and specifiers; `$VAR` is modelled),
PyYAML's two loaders (implicit keys of at most 1024 characters), and LiteLLM's own
command-line parser (every target's arguments). Each test also shows the hazard on the
unescaped value, so it can fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml

from datumc.render import composetext, kubetext, unittext, yamltext
from datumc.render.errors import CannotCarryError
from datumc.render.jinja import environment
from datumc.targets import kubernetes
from tests.conftest import REPO, datum, require_tool, run_cli, write_project
from tests.helpers.interpreters import (
    compose_text,
    dollars,
    kube_text,
    podman_run,
    quadlet_lookup,
    quadlet_value,
    split_words,
)
from tests.helpers.outputs import read_back, unit_assignments
from tests.helpers.targets import SCALED_TOML, by_kind, kustomize, require_module, tool

DOLLARS = ["reg/x:${TAG:-v1}", "$HOME", "${HOME}", "a$$b", "$(id)", "${X:?boom}", "$", "x$",
           "$$", "$X$Y", "${"]


def _build(root: Path, proxy: dict[str, Any], **datum_extra: Any) -> Path:
    project = {"proxy": proxy}
    write_project(root, {"a": datum("a", api_key_env="OPENAI_API_KEY", **datum_extra)},
                  tomli_w.dumps(project))
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.output
    return root / "build"


# -- compose: `$` interpolation ----------------------------------------------------------------


def _compose_config(compose: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """`podman-compose config` of `compose` (written as is), with TAG, X and Y set."""
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(compose))
    result = tool("podman-compose", "--dry-run", "-f", path, "config", cwd=tmp_path)
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def _command_service(command: list[str]) -> dict[str, Any]:
    return {"services": {"s": {"image": "x", "command": command}}}


@pytest.fixture
def compose_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TAG", "X", "Y", "HOME"):
        monkeypatch.setenv(name, "evil")


@pytest.mark.usefixtures("compose_env")
def test_podman_compose_reads_escaped_values_as_written(tmp_path: Path) -> None:
    escaped = _compose_config(_command_service([composetext.text(s) for s in DOLLARS]), tmp_path)
    assert escaped["services"]["s"]["command"] == DOLLARS


@pytest.mark.usefixtures("compose_env")
def test_podman_compose_interpolates_what_the_model_marks(tmp_path: Path) -> None:
    """The hazard, and the reader's model of it: a raw `$` changes exactly where
    compose_text() marks a substitution."""
    samples = [s for s in DOLLARS if "{" not in s or "}" in s]  # "${" is a template error
    raw = _compose_config(_command_service(samples), tmp_path)["services"]["s"]["command"]
    for sample, read in zip(samples, raw, strict=True):
        assert (read != sample.replace("$$", "$")) == ("<variable" in compose_text(sample))
    assert raw[0] == "reg/x:evil"


@pytest.mark.usefixtures("compose_env")
def test_compose_runs_the_image_run_sh_runs(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    out = _build(root, {"image": "reg/x:v1", "env_file": "a$X${TAG:-v1}.env"})
    (root / "a$X${TAG:-v1}.env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    result = tool("podman-compose", "--dry-run", "-f", out / "compose/compose.yaml", "config",
                  cwd=tmp_path)
    litellm = yaml.safe_load(result.stdout)["services"]["litellm"]
    assert litellm["image"] == "reg/x:v1"
    assert litellm["env_file"] == ["../../a$X${TAG:-v1}.env"]


@pytest.mark.parametrize(("key", "value"), [
    ("image", "reg/x:${TAG:-v1}"), ("image", "$HOME"), ("host", "$HOME"), ("host", "${X}")])
def test_a_dollar_in_an_image_or_host_is_refused_at_its_line(tmp_path: Path, key: str,
                                                             value: str) -> None:
    """Neither grammar has a `$`: the value is refused before anything is written."""
    root = write_project(tmp_path / "proj", {"a": datum("a", api_key_env="OPENAI_API_KEY")},
                         tomli_w.dumps({"proxy": {key: value}}))
    result = run_cli("build", cwd=root)
    assert result.code == 1, result.output
    assert f"datumc.toml:2:{len(key) + 4}: error DC003 proxy.{key}" in result.output
    assert not (root / "build").exists()


def test_a_dollar_in_a_compose_key_is_refused() -> None:
    """compose-go keeps keys as written, podman-compose interpolates them."""
    assert composetext.escaped({"A": ["$x", {"B": "$"}]}) == {"A": ["$$x", {"B": "$$"}]}
    with pytest.raises(CannotCarryError, match="podman-compose"):
        composetext.escaped({"A$B": "v"})


# -- Kubernetes: `$(VAR)` in command, args, env ------------------------------------------------

KUBE = ["$(LITELLM_MASTER_KEY)", "$$(X)", "$$", "$(", "a$", "$x", "$$$(((", "(X)$"]


def test_the_master_key_cannot_become_the_host(tmp_path: Path) -> None:
    """Refused as a host at its line; and were it written, the args filter keeps it."""
    root = write_project(tmp_path / "proj", {"a": datum("a", api_key_env="OPENAI_API_KEY")},
                         tomli_w.dumps({"proxy": {"host": "$(LITELLM_MASTER_KEY)"}}))
    result = run_cli("lint", cwd=root)
    assert result.code == 1 and "datumc.toml:2:8: error DC003 proxy.host" in result.output
    assert kube_text(kubetext.text("$(LITELLM_MASTER_KEY)")) == "$(LITELLM_MASTER_KEY)"
    assert kube_text("$(LITELLM_MASTER_KEY)") == "<variable $(LITELLM_MASTER_KEY)>"


def test_the_redis_password_reference_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "datumc.toml").write_text(SCALED_TOML)
    shutil.copytree(REPO / "datums", root / "datums")
    assert run_cli("build", cwd=root).code == 0
    redis = by_kind(kustomize(root / "build/kubernetes"), "Deployment", "litellm-redis")
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert kube_text(args[-1]) == "<variable $(REDIS_PASSWORD)>"


def test_args_and_env_survive_kustomize_and_expand_to_what_was_written(tmp_path: Path) -> None:
    env = [{"name": f"V{i}", "value": v} for i, v in enumerate(KUBE)]
    template = environment().from_string(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: c\n      image: i\n      args:\n{{ args | kube_args(8) }}\n"
        "      env:\n{{ env | kube_env(8) }}\n")
    (tmp_path / "pod.yaml").write_text(template.render(args=KUBE, env=env))
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - pod.yaml\n")
    (container,) = by_kind(kustomize(tmp_path), "Pod")["spec"]["containers"]
    assert [kube_text(a) for a in container["args"]] == KUBE
    assert [kube_text(e["value"]) for e in container["env"]] == KUBE


def test_kube_escape_touches_only_what_the_kubelet_expands() -> None:
    assert kubetext.text("$HOME a$ $1") == "$HOME a$ $1"
    assert kubetext.text(kubetext.reference("A")) == "$(A)"
    with pytest.raises(ValueError):
        kubetext.reference("A)$(B")


# -- systemd and quadlet: specifiers, `$VAR`, quoting ------------------------------------------

# systemd refuses `'`, `"` and `\` in an executable's path, where verify shows its reading:
# those are checked as arguments instead.
UNIT_WORDS = ["a b", "%n", "%%", "100%", "$HOME", "${X}", "$$", "`id`", ";", "é", "%", "$",
              "$$x %%n"]
QUOTED_WORDS = ["\\", '"', "'", "x\\", "\\x25n", "a'b\"c", '\\"', "\\n"]
PREFIX = "/nonexistent/w="  # no `//` or `..` for systemd to normalise
_NOT_EXECUTABLE = re.compile(r"^(\S+)\.service: Command (.*) is not executable", re.M)


def _verify(units: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    analyze = require_tool("systemd-analyze")
    for name, text in units.items():
        (tmp_path / f"{name}.service").write_text(text)
    paths = [str(tmp_path / f"{name}.service") for name in units]
    return subprocess.run([analyze, "verify", "--man=no", "--generators=no", *paths],
                          capture_output=True, text=True, timeout=60, check=False)


def _systemd_paths(exec_lines: list[str], tmp_path: Path) -> list[str]:
    """systemd's own reading of each ExecStart= command: the executable path it names
    after unquoting, C escapes and specifiers (verify reports it as not executable)."""
    units = {f"w{i}": f"[Service]\nExecStart={line}\n" for i, line in enumerate(exec_lines)}
    found = dict(_NOT_EXECUTABLE.findall(_verify(units, tmp_path).stderr))
    return [found[name] for name in units]


def test_systemd_reads_every_unit_word_as_written(tmp_path: Path) -> None:
    lines = [unittext.word(PREFIX + w) for w in UNIT_WORDS]
    paths = _systemd_paths(lines, tmp_path)
    assert [dollars(p) for p in paths] == [PREFIX + w for w in UNIT_WORDS]


def test_systemd_reads_quotes_and_backslashes_in_arguments(tmp_path: Path) -> None:
    line = " ".join(unittext.word(w) for w in QUOTED_WORDS)
    assert split_words(line) == QUOTED_WORDS
    result = _verify({"q": f"[Service]\nExecStart=/bin/true {line}\n"}, tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    hazard = _verify({"h": "[Service]\nExecStart=/bin/true a'b\n"}, tmp_path)
    assert "Unbalanced quoting" in hazard.stderr


def test_systemd_expands_an_unescaped_specifier(tmp_path: Path) -> None:
    """The hazard: `%n` in a command line is the unit's name."""
    assert _systemd_paths(["/nonexistent/%n"], tmp_path) == ["/nonexistent/w0.service"]


def test_systemd_values_keep_their_percent_signs(tmp_path: Path) -> None:
    units = {"d0": f"[Unit]\nDescription={unittext.value('100% %z')}\n"
                   "[Service]\nExecStart=/bin/true\n"}
    assert "Failed to resolve" not in _verify(units, tmp_path).stderr
    units = {"d1": "[Unit]\nDescription=100% %z\n[Service]\nExecStart=/bin/true\n"}
    assert "Failed to resolve unit specifiers" in _verify(units, tmp_path).stderr


# podman pkg/systemd/parser/split.go escapeWords: how quadlet writes ExecStart=.
_QUADLET_ESCAPES = {"\a": "\\a", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                    "\v": "\\v", "\f": "\\f", "\\": "\\\\", " ": "\\x20", '"': '\\"', "'": "'"}


def _quadlet_word(word: str) -> str:
    escape = [c for c in word if ord(c) <= 128 and (c.isspace() or not c.isprintable()
                                                     or c in "\"'\\")]
    if not escape:
        return word
    return '"' + "".join(_QUADLET_ESCAPES.get(c, c) for c in word) + '"'


HOSTILE_PROXY = {"image": "reg.example:5000/x/y:v1@sha256:" + "a" * 64, "host": "::",
                 "env_file": "my env %h %% $HOME ${X} $(id) `id`;.env"}


def test_the_quadlet_service_passes_podman_what_run_sh_passes(tmp_path: Path) -> None:
    """.container -> quadlet's reading (modelled from its source) and its escaping of
    ExecStart= -> systemd's reading (real) -> `$` expansion (modelled): the podman
    arguments are the ones run.sh gives podman."""
    out = _build(tmp_path / "proj", HOSTILE_PROXY)
    unit = (out / "podman/litellm.container").read_text()
    raw = {key: value for section, key, value in unit_assignments(unit) if section == "Container"}
    words = [w for key in ("ContainerName", "EnvironmentFile", "Image", "Exec")
             for w in _quadlet_read(key, raw[key])]
    paths = _systemd_paths([_quadlet_word(PREFIX + w) for w in words], tmp_path)
    argv = [dollars(p.removeprefix(PREFIX)) for p in paths]
    run = _run_sh_argv(tmp_path / "proj", out)
    assert argv[0] == run["options"][run["options"].index("--name") + 1]
    assert argv[1].endswith(HOSTILE_PROXY["env_file"])
    assert argv[2:] == [run["image"], *run["args"]]


def _quadlet_read(key: str, value: str) -> list[str]:
    """quadlet's words for a key, before systemd (quadlet_value without systemd's steps)."""
    return quadlet_lookup(value) if key in ("ContainerName", "Image") else split_words(value)


def _run_sh_argv(root: Path, out: Path) -> dict[str, Any]:
    (root / HOSTILE_PROXY["env_file"]).write_text("LITELLM_MASTER_KEY=sk-test\n")
    script = out / "podman/run.sh"
    (run,) = read_back("podman/run.sh", script.read_bytes(), root, tree=root)["(none)"]["runs"]
    return dict(run)


# -- YAML: implicit keys of at most 1024 characters --------------------------------------------

LONG_KEYS = ["k" * 1100, "\x01" * 300, "é" * 1100, '"' * 600, "k" * 1000, "k" * 1001]
SPECIAL_KEYS = ["<<", "?", ":", "? x", "- x", "a: b", "#", "&a", "*a", "!t", "", " "]
LOADERS: list[type[yaml.SafeLoader] | type[yaml.CSafeLoader]] = [
    yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]


def _loaded(text: str) -> list[Any]:
    return [yaml.load(text, Loader=loader) for loader in LOADERS]


@pytest.mark.parametrize("length", [1000, 1001, 1022, 1024, 1025, 4000])
def test_keys_of_any_length_read_back_with_both_loaders(length: int) -> None:
    key = "k" * length
    block = {"m": {key: 1, "b": {key: [1, {key: {}}]}, "l": [{key: 2}, [{key: 3}]]}}
    text = f"{yamltext.block(block, 0)}\nf: {yamltext.flow({key: [1], 'x': {key: 2}})}\n"
    expected = {**block, "f": {key: [1], "x": {key: 2}}}
    assert _loaded(text) == [expected] * len(LOADERS)


def test_pyyaml_refuses_an_implicit_key_over_1024_characters() -> None:
    """The hazard: the limit is real in both loaders."""
    for loader in LOADERS:
        assert yaml.load(f"{'k' * 1024}: 1\n", Loader=loader) == {"k" * 1024: 1}
        with pytest.raises(yaml.YAMLError):
            yaml.load(f"{'k' * 1025}: 1\n", Loader=loader)


def test_long_and_special_keys_reach_litellm_and_the_configmap(tmp_path: Path) -> None:
    metadata = {key: i for i, key in enumerate(LONG_KEYS + SPECIAL_KEYS)}
    out = _build(tmp_path / "proj", {}, metadata=metadata,
                 parameters={"extra_body": {"k" * 2000: {"<<": {"x": 1}}}})
    config = (out / "litellm/config.yaml").read_text()
    for loaded in _loaded(config):
        deployment = loaded["model_list"][0]
        assert {k: deployment["model_info"][k] for k in metadata} == metadata
        assert deployment["litellm_params"]["extra_body"] == {"k" * 2000: {"<<": {"x": 1}}}
    configmap = by_kind(kustomize(out / "kubernetes"), "ConfigMap")
    assert configmap["data"]["config.yaml"] == config
    assert run_cli("lint", out / "litellm/config.yaml").code == 0


# -- podman and LiteLLM's command line ---------------------------------------------------------


@pytest.mark.parametrize(("image", "reason"), [
    ("--privileged", "not a container image reference"),
    ("-v/:/host", "not a container image reference"),
    ("reg/x.image", "another unit"), ("reg/x.build", "another unit"),
    ('"reg/x"', "not a container image reference"),
])
@pytest.mark.parametrize("command", ["lint", "build"])
def test_an_image_podman_or_quadlet_would_misread_is_refused(tmp_path: Path, image: str,
                                                               reason: str, command: str) -> None:
    root = write_project(tmp_path / "proj", {"a": datum("a", api_key_env="OPENAI_API_KEY")},
                         tomli_w.dumps({"proxy": {"image": image}}))
    result = run_cli(command, cwd=root)
    assert result.code == 1, result.output
    assert "datumc.toml:2:9: error DC003 proxy.image" in result.output
    assert reason in result.output
    assert not (root / "build").exists()


@pytest.mark.parametrize(("image", "reason"), [
    ("--privileged", "as an option"), ("-v/:/host", "as an option"),
    ("reg/x.image", "another quadlet unit"), ("reg/x.build", "another quadlet unit"),
    ('"reg/x"', "double quotes"),
])
def test_the_unit_filter_refuses_what_the_schema_refuses(image: str, reason: str) -> None:
    """The emitters refuse on their own too: a value that reaches them unchecked."""
    with pytest.raises(CannotCarryError, match=reason):
        unittext.image(image)


def test_podman_reads_a_leading_dash_image_as_an_option() -> None:
    """The hazard run.sh and quadlet would hit: the model of podman's parser."""
    read = podman_run(["--name", "n", "-d", "--privileged", "--config", "/c"])
    assert read["image"] == "/c" and "--privileged" in read["options"]
    assert quadlet_value("Image", "--privileged") == ("<podman option --privileged>",)


HOSTS = ["0.0.0.0", "::", "::1", "127.0.0.1", "localhost", "proxy-1.internal."]
BAD_HOSTS = ["--port", "-", "$(LITELLM_MASTER_KEY)", "$HOME", "${X}", "%n", "a b", "`id`", "--"]


@pytest.fixture(scope="module")
def litellm_cli() -> Any:
    return require_module("litellm.proxy.proxy_cli").run_server


def test_litellm_reads_the_host_every_target_passes(tmp_path: Path, litellm_cli: Any) -> None:
    for index, host in enumerate(HOSTS):
        out = _build(tmp_path / f"p{index}", {"host": host})
        for target, argv in _proxy_argvs(out, tmp_path).items():
            params = litellm_cli.make_context("litellm", list(argv)).params
            assert params["host"] == host, (target, host)


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_litellm_would_misread_is_refused(tmp_path: Path, host: str) -> None:
    root = write_project(tmp_path / "proj", {"a": datum("a", api_key_env="OPENAI_API_KEY")},
                         tomli_w.dumps({"proxy": {"host": host}}))
    result = run_cli("build", cwd=root)
    assert result.code == 1 and "datumc.toml:2:8: error DC003 proxy.host" in result.output
    assert not (root / "build").exists()


def _proxy_argvs(out: Path, tmp_path: Path) -> dict[str, tuple[str, ...]]:
    """The proxy's arguments as each target's interpreter hands them over."""
    read = {kind: read_back(rel, (out / rel).read_bytes(), tmp_path) for kind, rel in (
        ("compose", "compose/compose.yaml"), ("kubernetes", "kubernetes/deployment.yaml"),
        ("quadlet", "podman/litellm.container"))}
    quadlet = dict(((s, k), v) for s, k, v in read["quadlet"])
    (out.parent / ".env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    script = read_back("podman/run.sh", (out / "podman/run.sh").read_bytes(), out.parent,
                       tree=out.parent)
    return {
        "run.sh": tuple(script["(none)"]["runs"][0]["args"]),
        "compose": tuple(read["compose"][0]["services"]["litellm"]["command"]),
        "kubernetes": tuple(read["kubernetes"][0]["spec"]["template"]["spec"]
                            ["containers"][0]["args"]),
        "quadlet": quadlet["Container", "Exec"],
    }


# -- every template uses the filter of the interpreter that reads it ---------------------------

_PRINTED_FILTER = re.compile(r"\{\{[^}]*?\|\s*(\w+)")


def test_every_compose_value_is_escaped_for_compose() -> None:
    source = (REPO / "templates/compose/compose.yaml.j2").read_text()
    used = set(_PRINTED_FILTER.findall(source))
    assert used <= {"compose", "compose_seq", "compose_block", "comment", "int"}, used
    assert "compose" in used


@pytest.mark.parametrize("template", sorted(p.name for p in (REPO / "templates/kubernetes")
                                            .glob("*.j2")))
def test_every_container_command_arg_and_env_value_is_escaped_for_the_kubelet(
        template: str) -> None:
    lines = (REPO / "templates/kubernetes" / template).read_text().splitlines()
    for index, line in enumerate(lines):
        if line.strip() in ("args:", "command:"):
            assert "| kube_args(" in lines[index + 1], (template, index + 1)
        assert not line.strip().startswith("value:"), f"{template}:{index + 1}: use kube_env"
        if line.strip() == "env:" and lines[index + 1].startswith("{{"):
            assert "| kube_env(" in lines[index + 1], (template, index + 1)


def test_a_config_kubernetes_cannot_store_is_refused(tmp_path: Path) -> None:
    """The API server refuses a ConfigMap over 1 MiB: the build says so and writes nothing."""
    datums = {f"m{i}": datum(f"m{i}", api_key_env="OPENAI_API_KEY",
                             metadata={"a": "x" * 16000, "b": "y" * 16000}) for i in range(34)}
    root = write_project(tmp_path / "proj", datums, tomli_w.dumps({"proxy": {}}))
    result = run_cli("build", cwd=root)
    assert result.code == 1, result.output
    assert "kubernetes/config.yaml" in result.output and "1 MiB" in result.output
    assert run_cli("build", "--target", "podman", cwd=root).code == 0
    assert kubernetes.configmap_data(b"x" * kubernetes.CONFIGMAP_MAX_BYTES)
