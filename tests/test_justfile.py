"""The justfile, run by the real `just` (PyPI rust-just) in a temp copy of the project.

`config` and `init` run for real. The podman recipes (up, down, restart, logs, status,
test, models, clean) cannot run here: there is no podman. They are checked with
`just --dry-run`, which prints the exact commands they would run, and run.sh itself is
tested against a stand-in podman in test_targets_podman.py.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, datumc_env, require_tool
from tests.helpers.targets import copy_bundled

RECIPES = {"config", "init", "up", "down", "restart", "logs", "status", "test", "models",
           "clean", "lint", "check", "unit"}
ALIASES = {"s": "up", "start": "up", "stop": "down"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_bundled(tmp_path / "proj")
    (root / "justfile").write_bytes((REPO / "justfile").read_bytes())
    return root


def _just(root: Path, *args: str, extra: dict[str, str] | None = None,
          check: bool = True) -> subprocess.CompletedProcess[str]:
    env = datumc_env({"DATUMC": f"{shlex.quote(sys.executable)} -m datumc",
                      "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(extra or {})})
    env.pop("DATUMC_PROFILE", None)
    env.update(extra or {})
    proc = subprocess.run([require_tool("just"), *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=180, check=False)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_just_config_builds_every_target(project: Path) -> None:
    _just(project, "config")
    for relpath in ("litellm/config.yaml", "litellm/.env.example", "podman/run.sh",
                    "podman/litellm.container", "compose/compose.yaml",
                    "kubernetes/kustomization.yaml"):
        assert (project / "build" / relpath).is_file(), relpath
    again = _just(project, "config")
    assert "up to date" in again.stdout


def test_just_init_creates_env_and_never_overwrites_a_value(project: Path) -> None:
    result = _just(project, "init")
    env = project / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert "OPENAI_API_KEY=\n" in env.read_text()
    assert "sk-" not in result.stdout
    filled = env.read_text().replace("OPENAI_API_KEY=\n", "OPENAI_API_KEY=sk-mine-keep-me\n")
    filled += "# my own note\nMY_EXTRA=1\n"
    env.write_text(filled)
    datum = project / "datums" / "extra.ai_model.toml"
    datum.write_text('[b00t]\nname = "extra"\ntype = "ai_model"\n\n[ai_model]\n'
                     'provider = "openai"\nlitellm_model = "openai/extra"\n'
                     'api_key_env = "EXTRA_API_KEY"\n')
    second = _just(project, "init")
    text = env.read_text()
    assert text.startswith(filled), "every existing line, comment and value is kept"
    assert "EXTRA_API_KEY=\n" in text[len(filled):]
    assert text.count("OPENAI_API_KEY=") == 1
    assert "sk-mine-keep-me" not in second.stdout + second.stderr


def test_recipes_and_aliases_exist(project: Path) -> None:
    listing = _just(project, "--summary").stdout.split()
    assert set(listing) >= RECIPES
    for alias, target in ALIASES.items():
        assert _just(project, "--show", alias).stdout.startswith(f"alias {alias} := {target}")


def test_podman_recipes_dry_run(project: Path) -> None:
    expected = {
        "up": "'build/podman/run.sh' up",
        "down": "'build/podman/run.sh' down",
        "restart": "'build/podman/run.sh' restart",
        "logs": "'build/podman/run.sh' logs",
        "status": "'build/podman/run.sh' status",
        "test": "'build/podman/run.sh' health",
        "models": "'build/podman/run.sh' models",
    }
    for recipe, command in expected.items():
        shown = _just(project, "--dry-run", recipe).stderr
        assert command in shown, (recipe, shown)
    assert not (project / "build").exists(), "--dry-run runs nothing"
    clean = _just(project, "--dry-run", "clean").stderr
    assert "'build/podman/run.sh' rm" in clean and "rm -rf -- 'build'" in clean
    up = _just(project, "--dry-run", "up").stderr
    assert up.index("datumc build") < up.index("run.sh' up"), "up builds first"


def test_profile_selects_the_profile_build(project: Path) -> None:
    profile = {"DATUMC_PROFILE": "staging"}
    shown = _just(project, "--dry-run", "up", extra=profile).stderr
    assert "build --profile 'staging'" in shown
    assert "'build/staging/podman/run.sh' up" in shown
    _just(project, "config", extra=profile)
    assert "port=4001" in (project / "build/staging/podman/run.sh").read_text()


def test_check_and_lint(project: Path) -> None:
    assert _just(project, "check", check=False).returncode != 0, "nothing built yet: stale"
    _just(project, "config")
    _just(project, "check")
    _just(project, "lint")


def test_unit_installs_the_quadlet_with_absolute_paths(project: Path, tmp_path: Path) -> None:
    config_home = tmp_path / "xdg"
    _just(project, "unit", extra={"XDG_CONFIG_HOME": str(config_home)})
    installed = config_home / "containers" / "systemd" / "litellm.container"
    lines = installed.read_text().splitlines()
    env_file = next(line for line in lines if line.startswith("EnvironmentFile="))
    volume = next(line for line in lines if line.startswith("Volume="))
    env_path = Path(env_file.split("=", 1)[1])
    config_path = Path(volume.split("=", 1)[1].split(":")[0])
    assert env_path.is_absolute() and config_path.is_absolute()
    assert env_path.resolve() == (project / ".env").resolve()
    assert config_path.resolve() == (project / "build/litellm/config.yaml").resolve()
    original = (project / "build/podman/litellm.container").read_text().splitlines()
    assert [x for x in lines if not x.startswith(("EnvironmentFile=", "Volume="))] == [
        x for x in original if not x.startswith(("EnvironmentFile=", "Volume="))]


def test_justfile_uses_just_syntax(project: Path) -> None:
    text = (REPO / "justfile").read_text()
    assert "$$" not in text, "Makefile-style $$ is not just syntax"
    formatted = _just(project, "--fmt", "--check", "--unstable", check=False)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    assert os.access(require_tool("just"), os.X_OK)
