"""[ai_model.aws], [ai_model.vertex], [ai_model.azure]: what the build writes, where each
target mounts a credentials file, what lint finds, and what import maps back.

Every output is read back by its consumer: run.sh by bash (podman recorded by a stand-in),
the quadlet unit by the model of quadlet the interpreter tests check against systemd,
compose.yaml by podman-compose, the kustomize directory by kubectl (the credentials
Secret made by running the very command the template writes). The real proxy loading
the config is tests/test_cloud_e2e.py.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.importer.compare import compare_configs
from datumc.plan.cloud import CLOUD_PARAMS, CREDENTIALS_DIR
from tests.conftest import REPO, datum, require_module, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.importing import round_trip, write_config
from tests.helpers.interpreters import podman_run, quadlet_value
from tests.helpers.outputs import unit_assignments
from tests.helpers.targets import by_kind, kustomize, tool, tree

SA_MARKER = "cloud-test-private-key-d41d8cd98f00"  # must never reach the build
SA_JSON = f'{{"type": "service_account", "private_key": "{SA_MARKER}"}}\n'
CREDS = "secrets/vertex-sa.json"
IN_CONTAINER = f"{CREDENTIALS_DIR}/{CREDS}"
AWS = {"region": "us-east-1", "access_key_id_env": "BEDROCK_KEY_ID",
       "secret_access_key_env": "BEDROCK_SECRET", "session_token_env": "BEDROCK_TOKEN",
       "role_name": "arn:aws:iam::123456789012:role/litellm"}
BEDROCK = datum("claude-bedrock", provider="bedrock",
                litellm_model="bedrock/anthropic.claude-3-haiku-20240307-v1:0", aws=AWS)
VERTEX = datum("gemini-vertex", provider="vertex_ai", litellm_model="vertex_ai/gemini-1.5-pro",
               vertex={"project": "acme-prod", "location": "us-central1",
                       "credentials_file": CREDS})
AZURE = datum("gpt-azure", provider="azure", litellm_model="azure/gpt-4o",
              api_base_env="AZURE_API_BASE", api_key_env="AZURE_API_KEY",
              azure={"api_version": "2024-10-21"})
ALL_TARGETS = '[datumc]\ntargets = ["litellm", "podman", "compose", "kubernetes", "helm"]\n'


def _project(root: Path, datums: dict[str, str] | None = None, *,
             creds: str | None = CREDS, toml: str | None = ALL_TARGETS) -> Path:
    write_project(root, datums if datums is not None else
                  {"bedrock": BEDROCK, "vertex": VERTEX, "azure": AZURE}, toml)
    if creds is not None:
        (root / creds).parent.mkdir(parents=True, exist_ok=True)
        (root / creds).write_text(SA_JSON)
    return root


def _build(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("build", *args, cwd=root)
    return result.code, result.output


def _config(root: Path) -> Any:
    return yaml.safe_load((root / "build/litellm/config.yaml").read_text())


def _params(root: Path, name: str) -> dict[str, Any]:
    found = [d["litellm_params"] for d in _config(root)["model_list"] if d["model_name"] == name]
    assert len(found) == 1
    params: dict[str, Any] = found[0]
    return params


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = _project(tmp_path / "proj")
    code, output = _build(root)
    assert code == 0, output
    return root


# -- the config ---------------------------------------------------------------------------


def test_golden_outputs(built: Path) -> None:
    out = built / "build"
    for relpath in ("litellm/config.yaml", "litellm/.env.example", "podman/run.sh",
                    "podman/litellm.container", "compose/compose.yaml",
                    "kubernetes/deployment.yaml", "kubernetes/secret.template.yaml",
                    "helm/values.yaml"):
        assert_golden((out / relpath).read_bytes(), f"cloud/{relpath}")


def test_tables_become_the_litellm_params_litellm_reads(built: Path) -> None:
    assert _params(built, "claude-bedrock") == {
        "model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        "aws_region_name": "us-east-1",
        "aws_access_key_id": "os.environ/BEDROCK_KEY_ID",
        "aws_secret_access_key": "os.environ/BEDROCK_SECRET",
        "aws_session_token": "os.environ/BEDROCK_TOKEN",
        "aws_role_name": "arn:aws:iam::123456789012:role/litellm",
    }
    assert _params(built, "gemini-vertex") == {
        "model": "vertex_ai/gemini-1.5-pro", "vertex_project": "acme-prod",
        "vertex_location": "us-central1", "vertex_credentials": IN_CONTAINER,
    }
    assert _params(built, "gpt-azure")["api_version"] == "2024-10-21"


def test_litellm_reads_these_keys() -> None:
    """Each key is a field of the pinned LiteLLM's per-deployment credential params."""
    require_module("litellm")
    from litellm.types.router import CredentialLiteLLMParams

    keys = {key for fields in CLOUD_PARAMS.values() for key in fields.values()}
    assert keys <= set(CredentialLiteLLMParams.model_fields)


def test_credentials_env_is_a_reference(tmp_path: Path) -> None:
    text = datum("g", provider="vertex_ai", litellm_model="vertex_ai/gemini-1.5-pro",
                 vertex={"credentials_env": "VERTEX_SA_JSON"})
    root = _project(tmp_path / "proj", {"g": text}, creds=None, toml=None)
    code, output = _build(root)
    assert code == 0, output
    assert _params(root, "g")["vertex_credentials"] == "os.environ/VERTEX_SA_JSON"
    assert "\nVERTEX_SA_JSON=\n" in (root / "build/litellm/.env.example").read_text()


def test_env_names_reach_env_example_secret_template_and_doctor(built: Path) -> None:
    out = built / "build"
    example = (out / "litellm/.env.example").read_text()
    secret = yaml.safe_load((out / "kubernetes/secret.template.yaml").read_text())
    (built / ".env").write_text("LITELLM_MASTER_KEY=sk-cloud-test-master-key-0123\n")
    (built / ".env").chmod(0o600)
    doctor = run_cli("doctor", "--url", "http://127.0.0.1:9", cwd=built)
    for name in ("BEDROCK_KEY_ID", "BEDROCK_SECRET", "BEDROCK_TOKEN"):
        assert f"\n{name}=\n" in example
        assert secret["stringData"][name] == ""
        assert name in doctor.output
    assert "# AWS secret access key for claude-bedrock" in example


def test_the_credentials_file_is_never_copied(built: Path) -> None:
    files = tree(built / "build")
    assert files
    assert not [path for path, content in files.items() if SA_MARKER.encode() in content]


# -- mounts, read back by each target's consumer ------------------------------------------


RECORDER = """#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$PODMAN_ARGS"
"""


def _run_sh(root: Path, tmp_path: Path) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "podman").write_text(RECORDER)
    (bin_dir / "podman").chmod(0o755)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-cloud-test-master-key-0123\n")
    record = tmp_path / "podman-args"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PODMAN_ARGS": str(record)}
    proc = subprocess.run(["bash", str(root / "build/podman/run.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    args = record.read_text().splitlines() if record.exists() else []
    return proc.returncode, proc.stderr, args


def _volumes(args: list[str]) -> list[tuple[Path, str, str]]:
    options = podman_run(args[1:])["options"]
    found = []
    for name, value in itertools.pairwise(options):
        if name == "-v":
            source, target, mode = value.rsplit(":", 2)
            found.append((Path(source).resolve(), target, mode))
    return found


def test_run_sh_mounts_the_file_read_only(built: Path, tmp_path: Path) -> None:
    tool("shellcheck", "--shell=bash", "--severity=style", built / "build/podman/run.sh")
    code, stderr, args = _run_sh(built, tmp_path)
    assert code == 0, stderr
    assert ((built / CREDS).resolve(), IN_CONTAINER, "ro,Z") in _volumes(args)


def test_run_sh_refuses_to_start_without_the_file(built: Path, tmp_path: Path) -> None:
    (built / CREDS).unlink()
    code, stderr, args = _run_sh(built, tmp_path)
    assert code == 1 and args == []
    assert "vertex-sa.json is missing" in stderr


def test_quadlet_mounts_the_file_read_only(built: Path) -> None:
    unit = (built / "build/podman/litellm.container").read_text()
    volumes = [quadlet_value("Volume", value) for section, key, value
               in unit_assignments(unit) if (section, key) == ("Container", "Volume")]
    here = built / "build/podman"
    mounts = [(here / v.rsplit(":", 2)[0]).resolve() for (v,) in volumes]
    assert (built / CREDS).resolve() in mounts
    assert any(v.endswith(f":{IN_CONTAINER}:ro,Z") for (v,) in volumes)


def test_compose_binds_the_file_read_only(built: Path, tmp_path: Path) -> None:
    (built / ".env").write_text("LITELLM_MASTER_KEY=sk-cloud-test-master-key-0123\n")
    compose_file = built / "build/compose/compose.yaml"
    parsed = yaml.safe_load(tool("podman-compose", "--dry-run", "-f", compose_file, "config",
                                 cwd=tmp_path).stdout)
    volumes = parsed["services"]["litellm"]["volumes"]
    [bind] = [v for v in volumes if v["target"] == IN_CONTAINER]
    assert bind["read_only"] is True and bind["type"] == "bind"
    assert (compose_file.parent / bind["source"]).resolve() == (built / CREDS).resolve()


def _create_command(template: Path) -> list[str]:
    lines = [line.removeprefix("#").strip() for line in template.read_text().splitlines()
             if line.startswith("#   kubectl") and "--from-file=" in line]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


def test_kubernetes_mounts_the_secret_the_written_command_creates(built: Path) -> None:
    docs = kustomize(built / "build/kubernetes")
    pod = by_kind(docs, "Deployment")["spec"]["template"]["spec"]
    [volume] = [v for v in pod["volumes"] if v["name"] == "credentials"]
    [mount] = [m for c in pod["containers"] for m in c["volumeMounts"]
               if m["name"] == "credentials"]
    assert mount == {"name": "credentials", "mountPath": CREDENTIALS_DIR, "readOnly": True}
    # Run the command secret.template.yaml gives, from the project, as the operator would.
    argv = _create_command(built / "build/kubernetes/secret.template.yaml")
    made = yaml.safe_load(tool("kubectl", *argv[1:], "--dry-run=client", "-o", "yaml",
                               cwd=built).stdout)
    assert made["metadata"]["name"] == volume["secret"]["secretName"]
    [item] = volume["secret"]["items"]
    assert base64.b64decode(made["data"][item["key"]]).decode() == SA_JSON
    assert f"{mount['mountPath']}/{item['path']}" == IN_CONTAINER


def test_helm_values_mount_the_same_secret(built: Path) -> None:
    values = yaml.safe_load((built / "build/helm/values.yaml").read_text())
    assert values["volumeMounts"] == [{"name": "credentials", "mountPath": CREDENTIALS_DIR,
                                       "readOnly": True}]
    [volume] = values["volumes"]
    assert volume["secret"]["items"] == [{"key": "vertex-sa.json", "path": CREDS}]
    assert values["proxy_config"]["model_list"][2]["litellm_params"][
        "vertex_credentials"] == IN_CONTAINER
    # Both are list values of litellm-helm (tests/data/litellm-helm/keys.json).
    chart = json.loads((REPO / "tests/data/litellm-helm/keys.json").read_text())["keys"]
    assert chart["volumes"] == chart["volumeMounts"] == "list"


HOSTILE = "secrets/a b,$(id)$$ $'\"%n é`id`.json"


def test_a_hostile_file_name_reaches_every_consumer_as_written(tmp_path: Path) -> None:
    text = datum("g", provider="vertex_ai", litellm_model="vertex_ai/gemini-1.5-pro",
                 vertex={"credentials_file": HOSTILE})
    root = _project(tmp_path / "proj", {"g": text}, creds=HOSTILE)
    code, output = _build(root)
    assert code == 0, output
    target = f"{CREDENTIALS_DIR}/{HOSTILE}"
    assert _params(root, "g")["vertex_credentials"] == target
    code, stderr, args = _run_sh(root, tmp_path)
    assert code == 0, stderr
    assert ((root / HOSTILE).resolve(), target, "ro,Z") in _volumes(args)
    unit = (root / "build/podman/litellm.container").read_text()
    volumes = [quadlet_value("Volume", v)[0] for s, k, v in unit_assignments(unit)
               if k == "Volume"]
    assert f"../../{HOSTILE}:{target}:ro,Z" in volumes
    parsed = yaml.safe_load(tool("podman-compose", "--dry-run", "-f",
                                 root / "build/compose/compose.yaml", "config",
                                 cwd=tmp_path).stdout)
    assert {"type": "bind", "source": f"../../{HOSTILE}", "target": target,
            "read_only": True} in parsed["services"]["litellm"]["volumes"]
    argv = _create_command(root / "build/kubernetes/secret.template.yaml")
    made = yaml.safe_load(tool("kubectl", *argv[1:], "--dry-run=client", "-o", "yaml",
                               cwd=root).stdout)
    assert [base64.b64decode(v).decode() for v in made["data"].values()] == [SA_JSON]


# -- findings -----------------------------------------------------------------------------


def _lint(root: Path) -> str:
    result = run_cli("lint", cwd=root)
    return result.output


@pytest.mark.parametrize(("prepare", "problem"), [
    (lambda root: None, "does not exist"),
    (lambda root: (root / CREDS).mkdir(parents=True), "is not a regular file"),
    (lambda root: (root / "secrets").mkdir() or (root / CREDS).write_text("{not json"),
     "is not JSON (line 1, column 2)"),
    (lambda root: (root / "secrets").mkdir() or (root / CREDS).write_text("[1]"),
     "is not a JSON object"),
    (lambda root: (root / "secrets").mkdir() or (root / CREDS).symlink_to(
        root.parent / "outside.json"), "resolves outside the project"),
])
def test_dc115_a_credentials_file_that_cannot_be_mounted(tmp_path: Path, prepare: Any,
                                                         problem: str) -> None:
    (tmp_path / "outside.json").write_text(SA_JSON)
    root = _project(tmp_path / "proj", {"vertex": VERTEX}, creds=None, toml=None)
    prepare(root)
    code, output = _build(root)
    assert code == 1
    assert "datums/vertex.ai_model.toml:" in output and "error DC115" in output, output
    assert problem in output, output
    assert SA_MARKER not in output
    assert not (root / "build").exists()


@pytest.mark.parametrize(("path", "message"), [
    ("/etc/passwd", "relative path inside the project"),
    ("../outside.json", "relative path inside the project"),
    ("secrets/a:b.json", "must not contain ':'"),
])
def test_a_path_leaving_the_project_or_unmountable_is_a_schema_error(
        tmp_path: Path, path: str, message: str) -> None:
    text = datum("g", provider="vertex_ai", litellm_model="vertex_ai/gemini-1.5-pro",
                 vertex={"credentials_file": path})
    root = _project(tmp_path / "proj", {"g": text}, creds=None, toml=None)
    code, output = _build(root)
    assert code == 1 and "DC003" in output and "ai_model.vertex.credentials_file" in output
    assert message in output, output


def test_credentials_env_and_file_together_is_an_error(tmp_path: Path) -> None:
    text = datum("g", provider="vertex_ai", litellm_model="vertex_ai/gemini-1.5-pro",
                 vertex={"credentials_env": "X", "credentials_file": CREDS})
    code, output = _build(_project(tmp_path / "proj", {"g": text}, toml=None))
    assert code == 1 and "set credentials_env or credentials_file, not both" in output


@pytest.mark.parametrize(("top", "azure", "ok"), [
    ("2024-10-21", "2024-10-21", True), (None, "2024-10-21", True),
    ("2024-02-01", "2024-10-21", False)])
def test_dc116_api_version_in_both_places(tmp_path: Path, top: str | None, azure: str,
                                          ok: bool) -> None:
    fields: dict[str, Any] = {"azure": {"api_version": azure}}
    if top is not None:
        fields["api_version"] = top
    text = datum("az", provider="azure", litellm_model="azure/gpt-4o",
                 api_base_env="AZURE_API_BASE", api_key_env="AZURE_API_KEY", **fields)
    root = _project(tmp_path / "proj", {"az": text}, creds=None, toml=None)
    code, output = _build(root, "--target", "litellm")
    if ok:
        assert code == 0, output
        assert _params(root, "az")["api_version"] == azure
    else:
        assert code == 1
        line = text.splitlines().index('api_version = "2024-10-21"') + 1
        assert f"datums/az.ai_model.toml:{line}:15: error DC116" in output, output


@pytest.mark.parametrize(("table", "field", "value"), [
    ("aws", "region", "<replace-with-your-region>"),
    ("aws", "role_name", "your-role-arn"),
    ("vertex", "project", "your-project"),
    ("vertex", "location", "<location>"),
    ("azure", "api_version", "<api-version>"),
])
def test_dc220_a_placeholder_is_found_at_its_datum_line(tmp_path: Path, table: str,
                                                        field: str, value: str) -> None:
    text = datum("m", provider="bedrock", litellm_model="bedrock/anthropic.claude-v2",
                 **{table: {field: value}})
    root = _project(tmp_path / "proj", {"m": text}, creds=None, toml=None)
    lines = text.splitlines()
    line = lines.index(f'{field} = "{value}"') + 1
    column = len(f"{field} = ") + 1
    assert f"datums/m.ai_model.toml:{line}:{column}: error DC220" in _lint(root)


def test_parameters_may_not_set_what_a_table_sets(tmp_path: Path) -> None:
    text = datum("m", provider="bedrock", litellm_model="bedrock/anthropic.claude-v2",
                 aws={"region": "us-east-1"}, parameters={"aws_region_name": "eu-west-1"})
    code, output = _build(_project(tmp_path / "proj", {"m": text}, creds=None, toml=None))
    assert code == 1
    assert "may not set 'aws_region_name'; it comes from [ai_model] aws.region" in output


# -- import ---------------------------------------------------------------------------------


IMPORTED = """\
model_list:
  - model_name: claude-bedrock
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
      aws_region_name: us-west-2
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY1234"
      aws_session_token: os.environ/AWS_SESSION_TOKEN
      aws_role_name: arn:aws:iam::123456789012:role/litellm
  - model_name: gemini
    litellm_params:
      model: vertex_ai/gemini-1.5-pro
      vertex_project: os.environ/VERTEX_PROJECT
      vertex_location: us-central1
      vertex_credentials: os.environ/VERTEX_CREDS
  - model_name: gemini-path
    litellm_params:
      model: vertex_ai/gemini-1.5-flash
      vertex_project: acme
      vertex_credentials: /secrets/sa.json
"""


def test_import_maps_the_params_back_and_builds_the_same_config(tmp_path: Path) -> None:
    source = write_config(tmp_path / "config.yaml", IMPORTED)
    trip = round_trip(source, tmp_path / "out")
    assert trip.built is not None and trip.built.code == 0, trip.imported.output
    assert trip.datum(1)["ai_model"]["aws"] == {
        "region": "us-west-2", "access_key_id_env": "AWS_ACCESS_KEY_ID",
        "secret_access_key_env": "AWS_SECRET_ACCESS_KEY",
        "session_token_env": "AWS_SESSION_TOKEN",
        "role_name": "arn:aws:iam::123456789012:role/litellm"}
    # A reference in a plain field stays as written; a literal credentials path stays a
    # parameter (a credentials_file is a project file, mounted elsewhere).
    gemini = trip.datum(2)["ai_model"]
    assert gemini["vertex"] == {"location": "us-central1", "credentials_env": "VERTEX_CREDS"}
    assert gemini["parameters"] == {"vertex_project": "os.environ/VERTEX_PROJECT"}
    path = trip.datum(3)["ai_model"]
    assert path["vertex"] == {"project": "acme"}
    assert path["parameters"] == {"vertex_credentials": "/secrets/sa.json"}
    # The hardcoded secret is replaced by a reference, never copied.
    assert "hardcoded aws_secret_access_key" in trip.imported.output
    assert "wJalrXUtnFEMI" not in "".join(p.decode() for p in trip.written().values())
    verdict = compare_configs(yaml.safe_load(IMPORTED.replace(
        '"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY1234"', "os.environ/AWS_SECRET_ACCESS_KEY")),
        trip.config)
    assert verdict.equal, verdict.describe()


def test_build_of_the_tables_imports_back_to_the_tables(built: Path, tmp_path: Path) -> None:
    trip = round_trip(built / "build/litellm/config.yaml", tmp_path / "again")
    assert trip.built is not None and trip.built.code == 0, trip.imported.output
    datums = [tomllib.loads(p.read_text())["ai_model"]
              for p in sorted((tmp_path / "again/datums").glob("*.toml"))]
    assert datums[1]["aws"] == AWS
    assert datums[2]["vertex"]["project"] == "acme-prod"
    verdict = compare_configs(_config(built), trip.config)
    assert verdict.equal, verdict.describe()


def test_two_files_of_one_name_get_two_secret_keys(tmp_path: Path) -> None:
    files = ["team-a/sa.json", "team-b/sa.json"]
    datums = {f"g{i}": datum(f"g{i}", provider="vertex_ai",
                             litellm_model="vertex_ai/gemini-1.5-pro",
                             vertex={"credentials_file": path})
              for i, path in enumerate(files)}
    root = _project(tmp_path / "proj", datums, creds=None, toml=None)
    for i, path in enumerate(files):
        (root / path).parent.mkdir()
        (root / path).write_text(f'{{"n": {i}}}')
    code, output = _build(root)
    assert code == 0, output
    pod = by_kind(kustomize(root / "build/kubernetes"), "Deployment")["spec"]["template"]["spec"]
    [volume] = [v for v in pod["volumes"] if v["name"] == "credentials"]
    items = volume["secret"]["items"]
    assert items == [{"key": "sa.json", "path": files[0]}, {"key": "sa.json-2", "path": files[1]}]
    argv = _create_command(root / "build/kubernetes/secret.template.yaml")
    made = yaml.safe_load(tool("kubectl", *argv[1:], "--dry-run=client", "-o", "yaml",
                               cwd=root).stdout)
    for i, item in enumerate(items):
        assert base64.b64decode(made["data"][item["key"]]).decode() == f'{{"n": {i}}}'
    assert [_params(root, f"g{i}")["vertex_credentials"] for i in range(2)] == [
        f"{CREDENTIALS_DIR}/{path}" for path in files]
