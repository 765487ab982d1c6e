"""An installed wheel, not the source tree, provides templates and schemas."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "__pycache__", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".hypothesis", "bench"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist", src],
        check=True, capture_output=True, timeout=300,
    )
    shutil.rmtree(src)  # the source tree is gone: only the wheel remains
    [wheel] = (work / "dist").glob("datumc-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", wheel], check=True,
                   capture_output=True, timeout=600)
    return env_dir


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env


def test_wheel_finds_its_own_templates_and_schemas(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    code = ("import datumc.resources as r; print(r.templates_dir()); print(r.schemas_dir()); "
            "import datumc; print(datumc.__file__)")
    out = subprocess.run([python, "-c", code], cwd=tmp_path, env=_clean_env(),
                         capture_output=True, text=True, check=True).stdout.split()
    site = str(installed)
    assert all(p.startswith(site) for p in out), out
    assert (Path(out[0]) / "litellm" / "config.yaml.j2").is_file()
    assert (Path(out[1]) / "ai_model.schema.json").is_file()


def test_wheel_init_writes_the_projects_justfile(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run([installed / "bin" / "datumc", "init", "new", "--provider",
                             "ollama"], cwd=tmp_path, env=_clean_env(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "justfile").read_bytes() == (REPO / "justfile").read_bytes()


def test_wheel_console_script_builds_a_project(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "datums").mkdir()
    shutil.copy(REPO / "datums" / "openai-gpt4o.ai_model.toml", tmp_path / "datums")
    result = subprocess.run([installed / "bin" / "datumc", "build", "--target", "litellm"],
                            cwd=tmp_path, env=_clean_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "model_name: openai-gpt4o" in (tmp_path / "build/litellm/config.yaml").read_text()
