"""Concurrency: two builds of one project never interleave; a waiting build says why;
a lock file left by a dead process never blocks anyone."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import datumc.commands.build as build_cmd
from datumc.cli import main
from datumc.write.writer import LOCK, build_lock
from tests.conftest import datumc_env, run_cli
from tests.helpers.reliability import TwoVersions, snapshot

PAIRS = 8
HOLD = 0.15  # seconds each build spends inside its write phase in the overlap test


@pytest.fixture
def proj(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", 20)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    return proj


def _popen_build(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "datumc", "build"], cwd=root,
                            env=datumc_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _read_until(stream: Any, needle: str, timeout: float = 60) -> str:
    """Read `stream` until `needle` shows up (or fail after `timeout` seconds)."""
    seen = ""
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < deadline, f"never printed {needle!r}; got {seen!r}"
        if sel.select(timeout=0.1):
            line = stream.readline()
            assert line, f"stream closed before {needle!r}; got {seen!r}"
            seen += line
    return seen


def test_second_build_waits_for_the_first_and_says_so(proj: TwoVersions) -> None:
    before = snapshot(proj.out_dir)
    proj.switch(2)
    with build_lock(proj.out_dir):  # a build in progress (this process)
        child = _popen_build(proj.root)
        waiting = _read_until(child.stderr, "waiting for another datumc build")
        assert f"(pid {os.getpid()})" in waiting
        time.sleep(0.5)
        assert child.poll() is None, "the second build did not wait"
        assert snapshot(proj.out_dir) == before, "the second build wrote while locked"
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "wrote build/litellm/config.yaml" in out
    assert snapshot(proj.out_dir) != before


def test_gives_up_with_a_clear_message(proj: TwoVersions, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build_cmd.build_lock

    def short(out_dir: Path, **kwargs: Any) -> Any:
        return real(out_dir, **{**kwargs, "timeout": 0.3})

    monkeypatch.setattr(build_cmd, "build_lock", short)
    before = snapshot(proj.out_dir)
    proj.switch(2)
    with build_lock(proj.out_dir):
        result = run_cli("build", cwd=proj.root)
    assert result.code == 1
    assert f"another datumc build (pid {os.getpid()}) holds build/{LOCK}" in result.stderr
    assert "gave up after" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(proj.out_dir) == before


def _fork(fn: Any) -> int:
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
            code = fn()
        finally:
            os._exit(code)
    return pid


def _timed_build(root: Path, log: Path, go: float, *, locked: bool) -> int:
    """A build that logs when its write phase starts and ends, and lingers inside it."""
    real_apply = build_cmd.apply_writes

    def apply(*args: Any, **kwargs: Any) -> Any:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()} start {time.monotonic()}\n")
        time.sleep(HOLD)
        try:
            return real_apply(*args, **kwargs)
        finally:
            with log.open("a") as fh:
                fh.write(f"{os.getpid()} end {time.monotonic()}\n")

    build_cmd.apply_writes = apply  # type: ignore[assignment]
    if not locked:
        build_cmd.build_lock = lambda *a, **k: contextlib.nullcontext()  # type: ignore
    os.chdir(root)
    time.sleep(max(0.0, go - time.monotonic()))  # both start together
    return main(["build", "--force"])


def _intervals(log: Path) -> list[tuple[float, float]]:
    spans: dict[str, dict[str, float]] = {}
    for line in log.read_text().splitlines():
        pid, what, at = line.split()
        spans.setdefault(pid, {})[what] = float(at)
    return sorted((s["start"], s["end"]) for s in spans.values())


def _run_pairs(proj: TwoVersions, *, locked: bool) -> int:
    """Start PAIRS pairs of simultaneous builds; return how many pairs overlapped."""
    overlaps = 0
    for i in range(PAIRS):
        proj.switch(2 if i % 2 == 0 else 1)
        log = proj.root.parent / f"log-{locked}-{i}"
        go = time.monotonic() + 0.3
        pids = [_fork(functools.partial(_timed_build, proj.root, log, go, locked=locked))
                for _ in range(2)]
        for pid in pids:
            _, status = os.waitpid(pid, 0)
            # Without the lock the second build may find the first one's files changed
            # under it and refuse to overwrite them (DC020): exit 1, nothing lost.
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) in ((0,) if locked else (0, 1))
        (_, a_end), (b_start, _) = _intervals(log)
        overlaps += b_start < a_end
        assert run_cli("build", cwd=proj.root).code == 0
    return overlaps


def test_concurrent_builds_never_interleave(proj: TwoVersions) -> None:
    assert _run_pairs(proj, locked=True) == 0


def test_the_overlap_check_detects_interleaving_without_the_lock(proj: TwoVersions) -> None:
    """Control: the same pairs without the lock do overlap, so the check above can fail."""
    assert _run_pairs(proj, locked=False) > 0


@contextlib.contextmanager
def _dead_holder(out_dir: Path) -> Iterator[int]:
    """A process that took the lock and was killed with SIGKILL while holding it."""
    code = (
        "import sys, time; from pathlib import Path; from datumc.write.writer import build_lock\n"
        "with build_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True); time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(out_dir)], env=datumc_env(),
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    child.send_signal(signal.SIGKILL)
    child.wait()
    yield child.pid


def test_stale_lock_of_a_killed_build_is_recovered(proj: TwoVersions) -> None:
    with _dead_holder(proj.out_dir) as dead:
        lock = proj.out_dir / LOCK
        assert lock.read_text().strip() == str(dead), "the dead build's pid is still there"
        proj.switch(2)
        result = _popen_build(proj.root)
        out, err = result.communicate(timeout=120)
    assert result.returncode == 0, err
    assert "waiting" not in err
    assert "wrote build/litellm/config.yaml" in out


@pytest.mark.parametrize("content", [b"", b"99999999\n", b"not a pid", b"\x00\xff" * 10])
def test_leftover_lock_file_of_any_content_or_mode(proj: TwoVersions, content: bytes) -> None:
    lock = proj.out_dir / LOCK
    lock.write_bytes(content)
    lock.chmod(0o444)
    proj.switch(2)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 0, result.output
    assert "waiting" not in result.stderr
