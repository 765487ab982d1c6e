"""Shared fixtures: run the CLI, build throwaway projects, find the corpus."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import settings

from datumc.cli import main

# LiteLLM, when a test imports it, must not fetch its price map or send telemetry.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_TELEMETRY", "False")
# Lint runs its rules in every test: tests change datumc's behaviour in-process
# (monkeypatch), which the lint cache's fingerprint cannot see. tests/test_lint_cache.py
# turns the cache on where it is the subject, with a cache directory of its own.
os.environ["DATUMC_NO_CACHE"] = "1"

# A test run started in the background (`nohup`, `cmd &` in a script) inherits an ignored
# SIGINT, and so would every datumc the tests start: the tests of Ctrl-C would then see a
# process that rightly ignores it. Give the run what a terminal gives (children inherit a
# handled signal as the default one).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The CI gate draws the same examples on every run, so that what lands is what was tested
# and a red run is reproducible; a developer's run and scripts/fuzz draw new ones each time.
# No deadline anywhere: a test asserts behaviour, never time (an example that takes
# long once, on a busy machine or while a module loads, is not a failure).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("DATUMC_HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str | Path, cwd: Path | None = None) -> Result:
    """Run `datumc ARGS` in-process (fast); stdout/stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())


def datumc_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "compiler") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_datumc(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 120, input: str | None = None) -> Result:
    """Run `python -m datumc ARGS` as a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "datumc", *map(str, args)],
        cwd=cwd, env=datumc_env(env), capture_output=True, text=True, timeout=timeout,
        input=input,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def datum(name: str, *, provider: str = "openai", litellm_model: str | None = None,
          b00t: dict[str, Any] | None = None, parameters: dict[str, Any] | None = None,
          metadata: dict[str, Any] | None = None, **ai_model: Any) -> str:
    """TOML text of a datum. Keyword arguments go into [ai_model]."""
    header = {"name": name, "type": "ai_model", **(b00t or {})}
    body: dict[str, Any] = {
        "provider": provider,
        "litellm_model": litellm_model or f"openai/{name}",
        **ai_model,
    }
    if parameters is not None:
        body["parameters"] = parameters
    if metadata is not None:
        body["metadata"] = metadata
    return tomli_w.dumps({"b00t": header, "ai_model": body})


def write_project(root: Path, datums: dict[str, str], project: str | None = None) -> Path:
    """Create a project: datums/<name>.ai_model.toml for each entry (+ datumc.toml)."""
    (root / "datums").mkdir(parents=True, exist_ok=True)
    for name, text in datums.items():
        filename = name if name.endswith(".toml") else f"{name}.ai_model.toml"
        (root / "datums" / filename).write_text(text, encoding="utf-8")
    if project is not None:
        (root / "datumc.toml").write_text(project, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    def make(datums: dict[str, str], project_toml: str | None = None) -> Path:
        return write_project(tmp_path / "proj", datums, project_toml)

    return make


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not available at {CORPUS} (only present in the development tree)")
    return CORPUS


@pytest.fixture
def bundled(tmp_path: Path) -> Iterator[Path]:
    """A copy of the repository's own project (datums/ + datumc.toml) in a temp dir."""
    root = tmp_path / "bundled"
    root.mkdir()
    shutil.copytree(REPO / "datums", root / "datums")
    shutil.copy(REPO / "datumc.toml", root / "datumc.toml")
    yield root


def require_module(name: str) -> None:
    """A Python package only an extra installs (the pinned LiteLLM: `proxy`), with the
    same rule as require_tool: skipped when absent, a failure in CI."""
    if importlib.util.find_spec(name) is not None:
        return
    if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required package '{name}' is not installed (scripts/test installs it)")
    pytest.skip(f"package '{name}' not installed")


def require_tool(name: str) -> str:
    """Path of an external tool. Skips when absent, unless DATUMC_REQUIRE_TOOLS=1 (CI),
    where a missing tool is a failure: CI must never pass by skipping a real validator.
    The copy installed next to this Python (the `tools` extra) wins over one on PATH,
    so every machine runs the versions scripts/test installs."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found:
        return found
    if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required tool '{name}' is not installed (scripts/test installs it)")
    pytest.skip(f"tool '{name}' not installed")
