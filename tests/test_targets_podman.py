"""podman target: run.sh (shellcheck-clean, works from any cwd, quotes everything) and the
quadlet unit. podman itself is not installed here, so run.sh runs against a stand-in
`podman` that records its arguments: what is tested is the script's own logic."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.helpers.interpreters import quadlet_value
from tests.helpers.outputs import unit_assignments
from tests.helpers.targets import SCALED_TOML, assert_tree_golden, build, copy_bundled, tool

RECORDER = """#!/bin/sh
# Stands in for podman: records one argument per line.
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$PODMAN_ARGS"
"""


def _fake_podman(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    podman = bin_dir / "podman"
    podman.write_text(RECORDER)
    podman.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PODMAN_ARGS": str(tmp_path / "podman-args")}


def _run_sh(script: Path, *args: str, cwd: Path,
            env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), *args], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=30, check=False)


def _recorded(env: dict[str, str]) -> list[str]:
    return Path(env["PODMAN_ARGS"]).read_text().splitlines()


def test_podman_golden(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    assert_tree_golden(out, "bundled", "podman/")


@pytest.mark.parametrize("toml", [None, SCALED_TOML, '[proxy]\nenv_file = "/etc/litellm/env"\n'],
                         ids=["bundled", "scaled", "absolute-env-file"])
def test_run_sh_is_executable_and_shellcheck_clean(tmp_path: Path, toml: str | None) -> None:
    out = build(copy_bundled(tmp_path / "proj", toml))
    script = out / "podman" / "run.sh"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    tool("shellcheck", "--shell=bash", "--severity=style", script)
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


def test_absolute_env_file_is_used_as_is(tmp_path: Path) -> None:
    env_file = tmp_path / "secrets" / "litellm.env"
    env_file.parent.mkdir()
    env_file.write_text("LITELLM_MASTER_KEY=sk-test\n")
    out = build(copy_bundled(tmp_path / "proj", f'[proxy]\nenv_file = "{env_file}"\n'))
    env = _fake_podman(tmp_path)
    assert _run_sh(out / "podman" / "run.sh", cwd=tmp_path, env=env).returncode == 0
    args = _recorded(env)
    assert args[args.index("--env-file") + 1] == str(env_file)
    assert _unit(out / "podman" / "litellm.container")["Container"]["EnvironmentFile"] == str(
        env_file)


def test_run_sh_runs_podman_with_pinned_image_ro_config_and_env_file(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    env = _fake_podman(tmp_path)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    result = _run_sh(out / "podman" / "run.sh", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    args = _recorded(env)
    assert args[:5] == ["run", "--replace", "--name", "litellm", "-d"]
    env_file = Path(args[args.index("--env-file") + 1])
    assert env_file.resolve() == (root / ".env").resolve()
    source, target, options = args[args.index("-v") + 1].rsplit(":", 2)
    assert Path(source).resolve() == (out / "litellm" / "config.yaml").resolve()
    assert (target, options) == ("/app/config.yaml", "ro,Z")
    assert args[args.index("-p") + 1] == "4000:4000"
    image = args.index("ghcr.io/berriai/litellm:main-v1.106.0")
    assert args[image + 1:] == ["--config", "/app/config.yaml", "--host", "0.0.0.0",
                                "--port", "4000"]


def test_run_sh_verbs(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"))
    env = _fake_podman(tmp_path)
    script = out / "podman" / "run.sh"
    expected = {
        "down": ["stop", "--ignore", "litellm"],
        "logs": ["logs", "--follow", "litellm"],
        "rm": ["rm", "--force", "--ignore", "litellm"],
    }
    for verb, args in expected.items():
        assert _run_sh(script, verb, cwd=tmp_path, env=env).returncode == 0
        assert _recorded(env) == args
    assert _run_sh(script, "models", cwd=tmp_path, env=env).returncode == 0
    recorded = _recorded(env)
    assert recorded[:4] == ["exec", "litellm", "python", "-c"]
    assert "os.environ[\"LITELLM_MASTER_KEY\"]" in recorded[4]
    assert "http://127.0.0.1:4000/v1/models" in recorded[4]
    compile(recorded[4], "models", "exec")  # the probe is valid Python
    unknown = _run_sh(script, "explode", cwd=tmp_path, env=env)
    assert unknown.returncode == 1 and "unknown command 'explode'" in unknown.stderr
    assert "health" in _run_sh(script, "help", cwd=tmp_path, env=env).stdout


def test_run_sh_refuses_to_start_without_env_file(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"))
    env = _fake_podman(tmp_path)
    result = _run_sh(out / "podman" / "run.sh", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert ".env is missing" in result.stderr and "datumc init-env" in result.stderr
    assert not Path(env["PODMAN_ARGS"]).exists(), "podman must not run"


HOSTILE = """\
[proxy]
port = 4321
image = "registry.example:5000/litellm:v1.106.0"
env_file = "my env/it's \\"here\\" $(touch pwned) `id` %h $HOME.env"
host = "::"
"""
HOSTILE_ENV = "my env/it's \"here\" $(touch pwned) `id` %h $HOME.env"


def test_hostile_values_reach_podman_as_single_literal_arguments(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", HOSTILE)
    out = build(root, "--target", "podman")
    env_path = root / HOSTILE_ENV
    env_path.parent.mkdir()
    env_path.write_text("LITELLM_MASTER_KEY=sk-test\n")
    tool("shellcheck", "--shell=bash", out / "podman" / "run.sh")
    env = _fake_podman(tmp_path)
    result = _run_sh(out / "podman" / "run.sh", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    args = _recorded(env)
    assert "registry.example:5000/litellm:v1.106.0" in args
    assert Path(args[args.index("--env-file") + 1]).resolve() == env_path.resolve()
    assert args[args.index("--host") + 1] == "::"
    assert not (tmp_path / "pwned").exists() and not (root / "pwned").exists()
    unit = (out / "podman" / "litellm.container").read_text()
    assert "%" not in unit.replace("%%", "")
    # Read as quadlet and systemd read it: the podman arguments of the generated service.
    read = {(section, key): value for section, key, value in unit_assignments(unit)}
    assert quadlet_value("Image", read["Container", "Image"]) == (
        "registry.example:5000/litellm:v1.106.0",)
    (env_file,) = quadlet_value("EnvironmentFile", read["Container", "EnvironmentFile"])
    assert (out / "podman" / env_file).resolve() == env_path.resolve()
    exec_args = quadlet_value("Exec", read["Container", "Exec"])
    assert exec_args[-4:] == ("--host", "::", "--port", "4321")


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_quadlet_unit_has_the_same_settings(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"))
    unit = _unit(out / "podman" / "litellm.container")
    container = unit["Container"]
    assert container["ContainerName"] == "litellm"
    assert container["Image"] == "ghcr.io/berriai/litellm:main-v1.106.0"
    assert container["PublishPort"] == "4000:4000"
    assert container["Volume"] == "../litellm/config.yaml:/app/config.yaml:ro,Z"
    here = out / "podman"
    assert (here / container["EnvironmentFile"]).resolve() == (out.parent / ".env").resolve()
    assert (here / container["Volume"].split(":")[0]).resolve() == (
        out / "litellm" / "config.yaml").resolve()
    assert container["Exec"] == "--config /app/config.yaml --host 0.0.0.0 --port 4000"
    assert unit["Service"]["Restart"] == "always"
    assert unit["Install"]["WantedBy"] == "default.target"


@pytest.mark.parametrize("workers", [1, 4])
def test_workers_become_num_workers(tmp_path: Path, workers: int) -> None:
    root = copy_bundled(tmp_path / "proj", f"[proxy]\nworkers = {workers}\n")
    out = build(root, "--target", "podman")
    script = (out / "podman" / "run.sh").read_text()
    assert ("--num_workers 4" in script) == (workers == 4)


def test_env_file_path_follows_out_dir(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = tmp_path / "deploy" / "out"
    assert run_cli("build", "--out", out, cwd=root).code == 0
    unit = _unit(out / "podman" / "litellm.container")
    env_file = unit["Container"]["EnvironmentFile"]
    assert (out / "podman" / env_file).resolve() == (root / ".env").resolve()


@pytest.mark.parametrize("line", ["LITELLM_MASTER_KEY=", "LITELLM_MASTER_KEY=  ",
                                  'LITELLM_MASTER_KEY=""', "LITELLM_MASTER_KEY=''",
                                  "# LITELLM_MASTER_KEY=sk-x", "OTHER=1",
                                  "LITELLM_MASTER_KEY=sk-real-0123456789\nLITELLM_MASTER_KEY="])
def test_run_sh_refuses_an_empty_master_key(tmp_path: Path, line: str) -> None:
    """The proxy refuses to start without a master key and podman passes an empty (or
    quoted-empty) value as it is: run.sh says so before starting anything."""
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text(line + "\n")
    env = _fake_podman(tmp_path)
    result = _run_sh(out / "podman" / "run.sh", "up", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "LITELLM_MASTER_KEY has no value" in result.stderr
    assert not Path(env["PODMAN_ARGS"]).exists()  # podman never ran


@pytest.mark.parametrize(("line", "shell"), [
    ("LITELLM_MASTER_KEY=sk-real-0123456789", None),
    ("LITELLM_MASTER_KEY", "sk-from-the-shell-0123"),  # podman takes a bare NAME from the shell
    ("LITELLM_MASTER_KEY=\nLITELLM_MASTER_KEY=sk-real-0123456789", None),
])
def test_run_sh_starts_with_a_master_key(tmp_path: Path, line: str, shell: str | None) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text(line + "\n")
    env = _fake_podman(tmp_path)
    if shell is not None:
        env["LITELLM_MASTER_KEY"] = shell
    result = _run_sh(out / "podman" / "run.sh", "up", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert _recorded(env)[0] == "run"


@pytest.mark.parametrize("verb", ["up", "down", "logs", "status", "models"])
def test_run_sh_without_podman_says_what_to_do_instead(tmp_path: Path, verb: str) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-real-0123456789\n")
    bash = Path(subprocess.run(["bash", "-c", "command -v bash"], capture_output=True,
                               text=True, check=True).stdout.strip())
    bin_dir = tmp_path / "bin"  # the tools run.sh uses, and no podman
    bin_dir.mkdir()
    for tool_name in ("dirname", "grep", "tail", "cat", "bash"):
        found = subprocess.run(["bash", "-c", f"command -v {tool_name}"], capture_output=True,
                               text=True, check=True).stdout.strip()
        (bin_dir / tool_name).symlink_to(found)
    result = subprocess.run([str(bash), str(out / "podman" / "run.sh"), verb], cwd=tmp_path,
                            env={"PATH": str(bin_dir)}, capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 1
    assert "podman is not installed" in result.stderr
    assert "datumc serve" in result.stderr and "compose" in result.stderr
    assert "command not found" not in result.stderr
    help_text = subprocess.run([str(bash), str(out / "podman" / "run.sh"), "help"],
                               cwd=tmp_path, env={"PATH": str(bin_dir)}, capture_output=True,
                               text=True, timeout=30, check=False)
    assert help_text.returncode == 0 and "usage: run.sh" in help_text.stdout
