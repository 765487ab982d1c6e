"""The pre-commit hooks datumc ships: the manifest itself, and the real `pre-commit`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, datum, require_tool, run_cli

MANIFEST = REPO / ".pre-commit-hooks.yaml"


def _hooks() -> dict[str, dict[str, Any]]:
    return {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text())}


# -- the manifest ----------------------------------------------------------------------------


def test_manifest_entries() -> None:
    hooks = _hooks()
    assert set(hooks) == {"datumc-lint", "datumc-check"}
    lint, check = hooks["datumc-lint"], hooks["datumc-check"]
    assert lint["entry"] == "datumc lint" and lint["language"] == "python"
    assert lint.get("pass_filenames", True) is True
    assert check["entry"] == "datumc build --check" and check["language"] == "python"
    assert check["pass_filenames"] is False and check["require_serial"] is True


@pytest.mark.parametrize(("path", "linted"), [
    ("datums/gpt.ai_model.toml", True), ("models/qwen.model.toml", True),
    ("datumc.toml", True), ("litellm/config.yaml", True), ("deploy/litellm_config.yml", True),
    ("litellm-config.yaml", True), ("proxy_server_config.yaml", True), (".env", True),
    (".env.production", True), ("secrets/prod.env", True), ("env.example", True),
    ("k8s/deployment.yaml", False), ("config.yaml", False), ("pyproject.toml", False),
    ("docs/environment.md", False), ("datums/README.md", False),
])
def test_lint_files_pattern(path: str, linted: bool) -> None:
    assert bool(re.search(_hooks()["datumc-lint"]["files"], path)) is linted


@pytest.mark.parametrize(("path", "checked"), [
    ("datums/gpt.ai_model.toml", True), ("datumc.toml", True), ("build/litellm/config.yaml", True),
    ("README.md", False), ("litellm/config.yaml", False),
])
def test_check_files_pattern(path: str, checked: bool) -> None:
    assert bool(re.search(_hooks()["datumc-check"]["files"], path)) is checked


def test_manifest_entries_are_real_commands(tmp_path: Path) -> None:
    for hook in _hooks().values():
        args = hook["entry"].split()[1:]
        assert run_cli(*args, "--help", cwd=tmp_path).code == 0


# -- the real pre-commit ---------------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    proc = _run("git", *args, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(GIT_ENV)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, hook_env: dict[str, str]) -> Path:
    """This working tree (uncommitted changes included) as a one-commit git repository,
    so the hooks under test are exactly the code being tested."""
    require_tool("git")
    dest = tmp_path_factory.mktemp("hook-repo")
    listed = _run("git", "ls-files", "-co", "--exclude-standard", "-z", cwd=REPO, env=hook_env)
    files = [f for f in listed.stdout.split("\0") if f and (REPO / f).is_file()]
    for name in files:
        if not name.startswith(("tests/", "bench/")):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    _git("init", "-q", cwd=dest, env=hook_env)
    _git("add", "-A", cwd=dest, env=hook_env)
    _git("commit", "-q", "-m", "hooks under test", cwd=dest, env=hook_env)
    return dest


@pytest.fixture
def work(tmp_path: Path, hook_env: dict[str, str]) -> Iterator[Path]:
    """A user's repository: one good datum and its freshly built output, committed."""
    root = tmp_path / "work"
    (root / "datums").mkdir(parents=True)
    (root / "datums/gpt.ai_model.toml").write_text(
        datum("gpt", litellm_model="openai/gpt-4o", api_key_env="OPENAI_API_KEY", rpm_limit=60,
              capabilities=["chat"]))
    assert run_cli("build", "-q", cwd=root).code == 0
    _git("init", "-q", cwd=root, env=hook_env)
    _git("add", "-A", cwd=root, env=hook_env)
    _git("commit", "-q", "-m", "initial", cwd=root, env=hook_env)
    yield root


def _try(hook_repo: Path, hook: str, *args: str, cwd: Path,
         env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    pre_commit = require_tool("pre-commit")
    return _run(pre_commit, "try-repo", hook_repo, hook, *args, cwd=cwd, env=env)


@pytest.mark.tools
def test_real_pre_commit_blocks_bad_datums_and_stale_output(
    hook_repo: Path, work: Path, hook_env: dict[str, str]
) -> None:
    bad = work / "datums/qwen.ai_model.toml"
    bad.write_text(datum("qwen", provider="openai_compatible", capabilities=["chat"],
                         litellm_model="Qwen/Qwen2.5-7B-Instruct",
                         api_base="http://127.0.0.1:8000/v1"))
    _git("add", "-A", cwd=work, env=hook_env)
    blocked = _try(hook_repo, "datumc-lint", "--files", "datums/qwen.ai_model.toml",
                   cwd=work, env=hook_env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "datums/qwen.ai_model.toml:" in blocked.stdout
    assert ("error DC211 ai_model.litellm_model: 'Qwen/' is not a LiteLLM provider prefix"
            in blocked.stdout)

    bad.write_text(bad.read_text().replace("Qwen/Qwen2.5", "openai/Qwen/Qwen2.5"))
    passed = _try(hook_repo, "datumc-lint", "--files", "datums/qwen.ai_model.toml",
                  cwd=work, env=hook_env)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    stale = _try(hook_repo, "datumc-check", "--all-files", cwd=work, env=hook_env)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "stale: build/litellm/config.yaml" in stale.stdout + stale.stderr

    assert run_cli("build", "-q", cwd=work).code == 0
    fresh = _try(hook_repo, "datumc-check", "--all-files", cwd=work, env=hook_env)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr


@pytest.mark.tools
def test_installed_hook_blocks_the_commit(hook_repo: Path, work: Path,
                                         hook_env: dict[str, str]) -> None:
    rev = _git("rev-parse", "HEAD", cwd=hook_repo, env=hook_env)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: datumc-lint\n      - id: datumc-check\n")
    assert _run(require_tool("pre-commit"), "install", cwd=work, env=hook_env).returncode == 0
    head = _git("rev-parse", "HEAD", cwd=work, env=hook_env)
    (work / "datums/gpt.ai_model.toml").write_text(
        datum("gpt", litellm_model="openai/gpt-4o", api_key_env="sk-proj-" + "Q7r" * 10))
    _git("add", "-A", cwd=work, env=hook_env)
    commit = _run("git", "commit", "-m", "leak a key", cwd=work, env=hook_env)
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0
    assert "error DC101" in output and "sk-p…rQ7r" in output and "Q7rQ7rQ7r" not in output
    assert _git("rev-parse", "HEAD", cwd=work, env=hook_env) == head
