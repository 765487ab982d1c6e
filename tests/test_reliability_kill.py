"""A build killed with SIGKILL at any moment leaves every output old or new, never torn,
and the next build succeeds without mistaking its own files for hand edits.

Three ways to kill:
* at every file-system call the build makes, one run per call, before and after it
  (deterministic: every point is covered);
* at random delays, in a forked process that already has datumc imported, so that
  hundreds of runs stay cheap;
* at random delays, in a real `python -m datumc build` process.

Counts: DATUMC_KILL_RUNS (forked random kills, default 200) and DATUMC_KILL_PROCS
(real processes, default 10). The figures go to the terminal (pytest -s) and to
$DATUMC_KILL_REPORT when set.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from datumc.cli import main
from datumc.write.writer import HAND_EDITED, MANIFEST
from tests.conftest import datumc_env, run_cli
from tests.helpers.reliability import TwoVersions, modes, snapshot, temps

COUNT = 80  # datums: a sizeable project (~50 KB of config.yaml)
RUNS = int(os.environ.get("DATUMC_KILL_RUNS", "200"))
PROCS = int(os.environ.get("DATUMC_KILL_PROCS", "10"))
SEED = int(os.environ.get("DATUMC_KILL_SEED", str(random.randrange(1 << 30))))

# The file-system calls the writer makes (through `os`, which pathlib uses too).
FS_CALLS = ("open", "write", "fsync", "replace", "rename", "chmod", "fchmod", "unlink",
            "mkdir", "ftruncate", "close")


@pytest.fixture
def proj(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", COUNT)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    return proj


@contextlib.contextmanager
def _quiet_child() -> Iterator[None]:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = io.StringIO()
    sys.stderr = io.StringIO()
    yield


def _fork_build(root: Path, before_exec: Callable[[], None] = lambda: None) -> int:
    """Fork a child that runs `datumc build` in `root`. Returns its pid."""
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 70
        try:
            with _quiet_child():
                os.chdir(root)
                before_exec()
                code = main(["build"])
        finally:
            os._exit(code)
    return pid


def _wait(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return "killed"
    assert os.WEXITSTATUS(status) == 0, f"build exited {os.WEXITSTATUS(status)}"
    return "finished"


class Checker:
    """Holds the old and new outputs; checks the disk after a kill and rebuilds."""

    def __init__(self, proj: TwoVersions) -> None:
        self.proj = proj
        self.versions: dict[int, dict[str, bytes]] = {}
        self.modes: dict[str, int] = {}
        for version in (2, 1):  # end at version 1 on disk
            proj.switch(version)
            assert run_cli("build", cwd=proj.root).code == 0
            self.versions[version] = snapshot(proj.out_dir)
            self.modes.update(modes(proj.out_dir))
        self.outcomes: Counter[str] = Counter()

    def flip(self) -> tuple[int, int]:
        """Switch the inputs to the other version; returns (on disk, wanted)."""
        old = self.proj.current
        new = 2 if old == 1 else 1
        self.proj.switch(new)
        return old, new

    def after_kill(self, old: int, new: int) -> str:
        """Check the disk after a kill, then rebuild normally; returns what was seen."""
        out = self.proj.out_dir
        now = snapshot(out)
        before, after = self.versions[old], self.versions[new]
        assert set(now) == set(after), "an output is missing or extra"
        torn = [rel for rel, data in now.items() if data not in (before[rel], after[rel])]
        assert not torn, f"torn outputs after SIGKILL: {torn}"
        for rel, mode in modes(out).items():
            if rel in self.modes:
                assert mode == self.modes[rel], f"{rel} has mode {oct(mode)}"
        json.loads((out / MANIFEST).read_text())  # the manifest is never torn either
        seen = self._classify(now, before, after)
        rebuilt = run_cli("build", cwd=self.proj.root)
        assert rebuilt.code == 0, rebuilt.output
        assert HAND_EDITED not in rebuilt.output, rebuilt.output
        assert snapshot(out) == after
        assert temps(out) == [], "the rebuild left temp files"
        self.outcomes[seen] += 1
        return seen

    def _classify(self, now: dict[str, bytes], before: dict[str, bytes],
                  after: dict[str, bytes]) -> str:
        differ = [rel for rel in now if before[rel] != after[rel]]
        new = sum(now[rel] == after[rel] for rel in differ)
        if 0 < new < len(differ):
            return "between renames (old and new mixed)"
        if new == len(differ):
            return "after all renames"
        if temps(self.proj.out_dir):
            return "while staging (temp files, nothing renamed)"
        return "before writing"


def _report(name: str, figures: dict[str, Any]) -> None:
    line = json.dumps({"test": name, **figures}, sort_keys=True)
    print(f"\n{line}")
    target = os.environ.get("DATUMC_KILL_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


# -- every file-system call ---------------------------------------------------------------


def _patch_os(n: int, *, after: bool) -> None:
    """Make the n-th file-system call from now on kill the process (before or after it)."""
    count = [0]
    for name in FS_CALLS:
        real = getattr(os, name)

        def wrapper(*args: Any, __real: Any = real, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] == n and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            try:
                return __real(*args, **kwargs)
            finally:  # even when the call failed (e.g. FileNotFoundError)
                if count[0] == n and after:
                    os.kill(os.getpid(), signal.SIGKILL)

        setattr(os, name, wrapper)


def _kill_at_call(n: int, *, after: bool) -> Callable[[], None]:
    """In the child: once the build holds its lock (reading and rendering are done),
    kill it at its n-th file-system call."""

    def install() -> None:
        import datumc.commands.build as build_cmd

        real_lock = build_cmd.build_lock

        @contextlib.contextmanager
        def lock(*args: Any, **kwargs: Any) -> Iterator[None]:
            with real_lock(*args, **kwargs):
                _patch_os(n, after=after)
                yield

        build_cmd.build_lock = lock  # type: ignore[assignment]

    return install


@pytest.mark.parametrize("after", [False, True], ids=["before-call", "after-call"])
def test_sigkill_at_every_filesystem_call(proj: TwoVersions, after: bool) -> None:
    checker = Checker(proj)
    n = 1
    while True:
        old, new = checker.flip()
        pid = _fork_build(proj.root, _kill_at_call(n, after=after))
        if _wait(pid) == "finished":
            checker.after_kill(old, new)  # a complete build: the same checks hold
            break
        checker.after_kill(old, new)
        n += 1
    assert n > 10, f"only {n} file-system calls: the kill points are not being reached"
    _report(f"every-call-{'after' if after else 'before'}",
            {"kill_points": n - 1, "outcomes": dict(checker.outcomes)})


def test_sigkill_during_the_first_build(tmp_path: Path) -> None:
    """No old version at all: each output is absent or complete, never partial."""
    proj = TwoVersions(tmp_path / "first", 10)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    expected = snapshot(proj.out_dir)
    n = 1
    while True:
        shutil.rmtree(proj.out_dir)
        status = _wait(_fork_build(proj.root, _kill_at_call(n, after=n % 2 == 0)))
        now = snapshot(proj.out_dir)
        assert all(now[rel] == expected[rel] for rel in now), "a partial first output"
        rebuilt = run_cli("build", cwd=proj.root)
        assert rebuilt.code == 0 and HAND_EDITED not in rebuilt.output, rebuilt.output
        assert snapshot(proj.out_dir) == expected
        if status == "finished":
            break
        n += 1
    assert n > 10
    _report("first-build", {"kill_points": n - 1})


# -- random moments ---------------------------------------------------------------------


def _durations(proj: TwoVersions, checker: Checker, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        old, new = checker.flip()
        start = time.monotonic()
        assert _wait(_fork_build(proj.root)) == "finished"
        times.append(time.monotonic() - start)
        checker.after_kill(old, new)
    return statistics.median(times)


def _write_window(proj: TwoVersions, checker: Checker) -> tuple[float, float]:
    """When, after fork, the writer opens its first and makes its last file-system call."""
    marks = proj.root.parent / "marks"

    def record() -> None:
        start = time.monotonic()
        real_open, real_replace = os.open, os.replace

        def note(*_: Any) -> None:
            with marks.open("a") as fh:
                fh.write(f"{time.monotonic() - start}\n")

        def opener(path: Any, *args: Any, **kwargs: Any) -> int:
            if str(path).endswith("datumc-tmp"):
                note()
            return real_open(path, *args, **kwargs)

        def replace(*args: Any, **kwargs: Any) -> None:
            real_replace(*args, **kwargs)
            note()

        os.open, os.replace = opener, replace  # type: ignore[assignment]

    old, new = checker.flip()
    assert _wait(_fork_build(proj.root, record)) == "finished"
    checker.after_kill(old, new)
    stamps = [float(x) for x in marks.read_text().split()]
    return min(stamps), max(stamps)


def test_sigkill_at_random_moments(proj: TwoVersions) -> None:
    rng = random.Random(SEED)
    checker = Checker(proj)
    total = _durations(proj, checker)
    start, end = _write_window(proj, checker)
    margin = max(end - start, 0.002)
    checker.outcomes.clear()
    started = time.monotonic()
    for i in range(RUNS):
        old, new = checker.flip()
        # Half the kills anywhere in the run, half aimed at the writing phase.
        delay = rng.uniform(0, total * 1.1) if i % 2 else rng.uniform(
            max(0.0, start - margin), end + margin)
        pid = _fork_build(proj.root)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_any(pid)
        checker.after_kill(old, new)
    elapsed = time.monotonic() - started
    assert sum(checker.outcomes.values()) == RUNS
    _report("random-forked", {
        "runs": RUNS, "seed": SEED, "seconds": round(elapsed, 1),
        "build_seconds": round(total, 3), "write_window": [round(start, 4), round(end, 4)],
        "outcomes": dict(checker.outcomes),
    })
    assert len(checker.outcomes) >= 2, f"kills never landed while writing: {checker.outcomes}"


def _wait_any(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "killed"
    assert os.WEXITSTATUS(status) == 0
    return "finished"


def test_sigkill_real_processes(proj: TwoVersions) -> None:
    rng = random.Random(SEED + 1)
    checker = Checker(proj)
    env = datumc_env()
    cmd = [sys.executable, "-m", "datumc", "build"]
    old, new = checker.flip()
    start = time.monotonic()
    subprocess.run(cmd, cwd=proj.root, env=env, check=True, capture_output=True)
    total = time.monotonic() - start
    checker.after_kill(old, new)
    checker.outcomes.clear()
    for _ in range(PROCS):
        old, new = checker.flip()
        child = subprocess.Popen(cmd, cwd=proj.root, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(total * 0.5, total * 1.05))  # skip most of the start-up
        child.send_signal(signal.SIGKILL)
        child.wait()
        checker.after_kill(old, new)
    _report("random-process", {"runs": PROCS, "seed": SEED, "outcomes": dict(checker.outcomes)})
