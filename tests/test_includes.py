"""`include:` files: followed by lint, import and build, carried by every target.

* the merge is LiteLLM's own: for random trees of include files, datumc's merged config
  equals what the pinned proxy's ProxyConfig reads (`_get_config_from_file`), and where
  the proxy refuses a tree, lint reports an error;
* lint of a hand-written config counts the included models (fallbacks, aliases) and
  reports findings in an included file at that file's line:col; every way an include
  goes wrong is one finding at the entry that names it;
* import turns the included models into datums, with the settings merged;
* build copies the included files next to config.yaml (goldens), lint of the built
  config finds nothing, and every target mounts them: read back by podman-compose,
  kubectl kustomize, run.sh against a stand-in podman, and quadlet's unit syntax; helm
  and a file outside the project are refused, naming the file.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic, Severity
from datumc.importer.plan import import_config
from datumc.lint.files import lint_paths
from datumc.load.yaml_loader import YamlDoc, load_yaml
from datumc.plan.model import ConfigModel
from tests.conftest import datum, require_module, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.outputs import unit_assignments
from tests.helpers.targets import build, by_kind, kustomize, tool, tree

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

MODEL = """\
model_list:
  - model_name: {name}
    litellm_params:
      model: openai/{name}
      api_key: os.environ/OPENAI_API_KEY
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "config.yaml"


def _lint(root: Path, files: dict[str, str]) -> list[Diagnostic]:
    config = _write(root, files)
    return lint_paths([config], root=root)


def _codes(diags: list[Diagnostic]) -> list[tuple[str, str, int]]:
    return [(d.code, Path(d.path).name, d.line) for d in diags]


# --- the merge is LiteLLM's ---------------------------------------------------------

_NAMES = ("a.yaml", "b.yaml", "sub/c.yaml", "sub/d.yaml")


@st.composite
def _trees(draw: Any) -> dict[str, Any]:
    """config.yaml and up to four files, each a mapping of sections that may include
    any of the others (a name relative to the including file, existing or not)."""
    files: dict[str, Any] = {}
    for name in ("config.yaml", *draw(st.lists(st.sampled_from(_NAMES), unique=True))):
        body: dict[str, Any] = {}
        models = draw(st.lists(st.sampled_from(["m1", "m2", "m3"]), max_size=2))
        if models:
            body["model_list"] = [{"model_name": m, "litellm_params": {"model": f"openai/{m}"}}
                                  for m in models]
        if draw(st.booleans()):
            body["litellm_settings"] = {"drop_params": draw(st.booleans())}
        if draw(st.booleans()):
            body["general_settings"] = {"tag": name}
        targets = draw(st.lists(st.sampled_from(
            ["a.yaml", "b.yaml", "sub/c.yaml", "c.yaml", "d.yaml", "../a.yaml", "none.yaml",
             "config.yaml"]), max_size=3))
        if targets or name == "config.yaml":
            body["include"] = targets or ["a.yaml"]
        files[name] = body
    return files


def _proxy_reads(config: Path) -> dict[str, Any] | None:
    """What the pinned proxy reads from `config`, includes merged; None when it refuses."""
    require_module("litellm")
    from litellm.proxy.proxy_server import ProxyConfig

    try:
        loaded: dict[str, Any] = asyncio.run(
            ProxyConfig()._get_config_from_file(str(config)))
    except Exception:  # the proxy's own refusal: FileNotFoundError, ValueError
        return None
    return loaded


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees())
def test_the_merge_is_what_the_proxy_reads(files: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = _write(Path(tmp), {k: yaml.safe_dump(v) for k, v in files.items()})
        expected = _proxy_reads(config)
        doc = load_yaml(config, limit=1 << 20)
        assert isinstance(doc, YamlDoc)
        model = ConfigModel.from_yaml(doc)
        assert model.includes is not None
        if expected is None:
            assert not model.includes.complete, model.includes.findings
            return
        assert model.includes.complete, model.includes.findings
        merged = {k: v for k, v in model.data.items() if k != "include"}
        assert merged == expected
        assert list(merged) == list(expected)  # the key order too


# --- lint ---------------------------------------------------------------------------


def test_included_models_count_and_findings_are_at_their_file(tmp_path: Path) -> None:
    found = _lint(tmp_path, {
        "config.yaml": "include: [extra/models.yaml]\n"
                       "router_settings:\n"
                       "  fallbacks: [{gpt-4o: [extra-model]}]\n"
                       "  model_group_alias: {fast: extra-model}\n"
                       "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n"
                       + MODEL.format(name="gpt-4o"),
        "extra/models.yaml": MODEL.format(name="extra-model")
        + "      temprature: 0.2\n",
    })
    assert _codes(found) == [("DC203", "models.yaml", 6)]
    assert (found[0].line, found[0].column) == (6, 7)
    assert "model_list[0].litellm_params" in found[0].message


def test_without_the_include_the_fallback_and_alias_are_reported(tmp_path: Path) -> None:
    """The control: the same config, its include removed, names a missing model."""
    found = _lint(tmp_path, {
        "config.yaml": "router_settings:\n"
                       "  fallbacks: [{gpt-4o: [extra-model]}]\n"
                       "  model_group_alias: {fast: extra-model}\n"
                       "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n"
                       + MODEL.format(name="gpt-4o"),
    })
    assert _codes(found) == [("DC209", "config.yaml", 2), ("DC110", "config.yaml", 3)]


BASE = "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n"


@pytest.mark.parametrize(("files", "expected"), [
    ({"config.yaml": BASE + "include: [missing.yaml]\n"}, [("DC024", "config.yaml", 3)]),
    ({"config.yaml": BASE + "include: [list.yaml]\n", "list.yaml": "- a\n- b\n"},
     [("DC024", "config.yaml", 3)]),
    ({"config.yaml": BASE + "include: [bad.yaml]\n", "bad.yaml": "a: [\n"},
     [("DC009", "bad.yaml", 2)]),
    ({"config.yaml": BASE + "include: [n.yaml]\n", "n.yaml": "include: other.yaml\n"},
     [("DC024", "n.yaml", 1)]),
    ({"config.yaml": BASE + "include: [a.yaml]\n", "a.yaml": "include: [config.yaml]\n"},
     [("DC238", "a.yaml", 1)]),
    ({"config.yaml": BASE + "include: [a.yaml, a.yaml]\n", "a.yaml": "{}\n"},
     [("DC238", "config.yaml", 3)]),
    ({"config.yaml": BASE + "include: [sub/a.yaml]\n", "sub/a.yaml": "include: [b.yaml]\n",
      "b.yaml": "{}\n"}, [("DC239", "a.yaml", 1)]),
], ids=["missing", "not-a-mapping", "not-yaml", "nested-not-a-list", "cycle", "twice",
        "root-relative"])
def test_each_include_problem_is_one_finding(tmp_path: Path, files: dict[str, str],
                                            expected: list[tuple[str, str, int]]) -> None:
    assert _codes(_lint(tmp_path / "p", files)) == expected


def test_a_name_cannot_forge_a_line_of_output(tmp_path: Path) -> None:
    found = _lint(tmp_path, {"config.yaml": BASE + 'include: ["a\\nb.yaml"]\n'})
    assert [d.code for d in found] == ["DC024"]
    assert "\n" not in found[0].message and "'a\\nb.yaml'" in found[0].message


def test_a_file_outside_the_config_directory_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text(MODEL.format(name="shared"))
    found = _lint(tmp_path / "p", {"config.yaml": BASE + "include: [../shared.yaml]\n"})
    assert [(d.code, d.severity) for d in found] == [("DC025", Severity.WARNING)]


# --- import -------------------------------------------------------------------------


def test_import_turns_included_models_into_datums(tmp_path: Path) -> None:
    config = _write(tmp_path, {
        "config.yaml": "include: [extra/models.yaml]\n"
                       "litellm_settings:\n  num_retries: 3\n" + MODEL.format(name="gpt-4o"),
        "extra/models.yaml": MODEL.format(name="extra-model")
        + "litellm_settings:\n  drop_params: true\n",
    })
    doc = load_yaml(config, limit=1 << 20)
    assert isinstance(doc, YamlDoc)
    result = import_config(doc)
    assert result.ok, result.diagnostics
    files = {o.relpath: o.content.decode() for o in result.outputs}
    datums = sorted(k for k in files if k.startswith("datums/"))
    assert len(datums) == 2
    included = files[datums[1]]
    assert 'litellm_model = "openai/extra-model"' in included
    assert "models.yaml, line 2 (model_list[0])" in included.splitlines()[0]
    project = files["datumc.toml"]
    # An included litellm_settings replaces the main file's, as in LiteLLM.
    assert "drop_params = true" in project and "num_retries" not in project
    assert "include =" not in project and "extra_sections" not in project


def test_import_reports_a_secret_of_an_included_file_at_its_line(tmp_path: Path) -> None:
    config = _write(tmp_path, {
        "config.yaml": "include: [extra/models.yaml]\n" + MODEL.format(name="gpt-4o"),
        "extra/models.yaml": MODEL.format(name="extra-model").replace(
            "os.environ/OPENAI_API_KEY", "sk-abcdefabcdefabcdefabcdefabcdef1234"),
    })
    doc = load_yaml(config, limit=1 << 20)
    assert isinstance(doc, YamlDoc)
    result = import_config(doc)
    assert result.ok, result.diagnostics
    (secret,) = [d for d in result.diagnostics if d.code == "DC032"]
    assert (Path(secret.path).name, secret.line, secret.column) == ("models.yaml", 5, 16)
    assert "line 5 of" in secret.hint and "models.yaml" in secret.hint
    assert all(b"sk-abcdef" not in o.content for o in result.outputs)


def test_import_keeps_an_include_it_cannot_merge(tmp_path: Path) -> None:
    config = _write(tmp_path, {"config.yaml": "include: [gone.yaml]\n" + MODEL.format(
        name="gpt-4o")})
    doc = load_yaml(config, limit=1 << 20)
    assert isinstance(doc, YamlDoc)
    result = import_config(doc)
    assert result.ok, result.diagnostics
    assert {(d.code, d.severity) for d in result.diagnostics} >= {
        ("DC024", Severity.WARNING), ("DC034", Severity.WARNING)}
    project = next(o for o in result.outputs if o.relpath == "datumc.toml").content.decode()
    assert 'include = [\n    "gone.yaml",\n]' in project


# --- build --------------------------------------------------------------------------

PROJECT = """\
[datumc]
targets = ["litellm", "podman", "compose", "kubernetes"]

[extra_sections]
include = ["extra/models.yaml"]
"""
INCLUDED = MODEL.format(name="extra-model").replace("OPENAI_API_KEY", "EXTRA_API_KEY")


def _project(root: Path, project: str = PROJECT, included: str = INCLUDED) -> Path:
    write_project(root, {"gpt-4o": datum("gpt-4o", api_key_env="OPENAI_API_KEY")}, project)
    _write(root, {"extra/models.yaml": included})
    return root


def test_build_golden(tmp_path: Path) -> None:
    out = build(_project(tmp_path / "proj"))
    files = tree(out)
    assert files["litellm/extra/models.yaml"] == INCLUDED.encode()
    for relpath, content in files.items():
        assert_golden(content, f"includes/{relpath}")


def test_the_built_config_lints_clean_and_its_env_lists_the_included_key(
        tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    out = build(root)
    assert lint_paths([out / "litellm/config.yaml"], root=root) == []
    assert "EXTRA_API_KEY=" in (out / "litellm/.env.example").read_text()


def test_findings_in_the_included_file_stop_the_build(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", included=INCLUDED.replace(
        "os.environ/EXTRA_API_KEY", "sk-abcdefabcdefabcdefabcdefabcdef1234"))
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "extra/models.yaml:5:16: error DC206" in result.stderr


def test_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text(INCLUDED)
    root = _project(tmp_path / "proj", PROJECT.replace("extra/models.yaml", "../shared.yaml"))
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "datumc.toml:5:12: error DC025" in result.stderr, result.stderr


def test_helm_refuses_naming_the_file_and_the_target(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    result = run_cli("build", "--target", "helm", cwd=root)
    assert result.code == 1
    assert "helm: cannot carry the included file 'extra/models.yaml'" in result.stderr


def test_compose_mounts_the_copy_next_to_the_config(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    result = tool("podman-compose", "--dry-run", "-f", out / "compose/compose.yaml", "config",
                  cwd=tmp_path)
    volumes = yaml.safe_load(result.stdout)["services"]["litellm"]["volumes"]
    mounts = {v["target"]: (out / "compose" / v["source"]).resolve() for v in volumes}
    assert mounts["/app/extra/models.yaml"] == (out / "litellm/extra/models.yaml").resolve()
    assert mounts["/app/config.yaml"] == (out / "litellm/config.yaml").resolve()


def test_kubernetes_carries_the_file_in_the_config_map(tmp_path: Path) -> None:
    out = build(_project(tmp_path / "proj"))
    docs = kustomize(out / "kubernetes")
    config_map = by_kind(docs, "ConfigMap")
    assert config_map["data"]["include-1.yaml"] == INCLUDED
    deployment = by_kind(docs, "Deployment")
    volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"]
                  if v["name"] == "config")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    assert volume["configMap"]["items"] == [
        {"key": "config.yaml", "path": "config.yaml"},
        {"key": "include-1.yaml", "path": "extra/models.yaml"},
    ]


def test_podman_mounts_the_copy_next_to_the_config(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "podman").write_text(
        "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done > \"$PODMAN_ARGS\"\n")
    (bin_dir / "podman").chmod(0o755)
    record = tmp_path / "args"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PODMAN_ARGS": str(record)}
    subprocess.run(["bash", str(out / "podman/run.sh")], cwd=tmp_path, env=env, check=True,
                   timeout=30)
    args = record.read_text().splitlines()
    volumes = [args[i + 1].rsplit(":", 2) for i, a in enumerate(args) if a == "-v"]
    mounts = {target: Path(source).resolve() for source, target, _ in volumes}
    assert mounts["/app/extra/models.yaml"] == (out / "litellm/extra/models.yaml").resolve()
    unit = unit_assignments((out / "podman/litellm.container").read_text())
    assert ("Container", "Volume", "../litellm/extra/models.yaml:/app/extra/models.yaml:ro,Z") \
        in unit
    tool("shellcheck", "--shell=bash", "--severity=style", out / "podman/run.sh")


def test_podman_refuses_a_colon_in_the_file_name(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", PROJECT.replace("extra/models.yaml", "extra/a:b.yaml"))
    _write(root, {"extra/a:b.yaml": INCLUDED})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "podman: cannot mount the included file" in result.stderr, result.stderr
