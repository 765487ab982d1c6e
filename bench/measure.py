"""Run a command as a whole process and measure its wall time and peak memory.

Peak memory is the child's own `ru_maxrss`, read with `os.wait4` on that one pid
(RUSAGE_CHILDREN would give the maximum over every child so far). On Linux
ru_maxrss is in KiB.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Sample:
    wall_s: float
    cpu_s: float  # user + system: less sensitive than wall time to a busy machine
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(slots=True)
class Stats:
    """The samples of one measurement: median wall time, peak memory."""

    command: list[str]
    samples: list[Sample] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def wall_median_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_mb for s in self.samples)

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "runs": len(self.samples),
            "wall_median_s": round(self.wall_median_s, 4),
            "wall_min_s": round(min(s.wall_s for s in self.samples), 4),
            "wall_max_s": round(max(s.wall_s for s in self.samples), 4),
            "wall_s": [round(s.wall_s, 4) for s in self.samples],
            "cpu_median_s": round(self.cpu_median_s, 4),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "peak_rss_median_mb": round(statistics.median(s.peak_rss_mb for s in self.samples), 1),
            "exit_codes": sorted({s.returncode for s in self.samples}),
            **self.notes,
        }


class CommandFailed(RuntimeError):
    """A measured command exited with a code it should not have."""


def run_once(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> Sample:
    """One run of `cmd`; output goes to temp files so the pipe never blocks the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


@dataclass(frozen=True)
class Spec:
    """One command to measure, and what to do around each run of it."""

    name: str
    cmd: list[str]
    cwd: Path
    env: Mapping[str, str]
    ok_codes: Sequence[int] = (0,)
    before: Callable[[], None] | None = None  # untimed, before every run
    check: Callable[[Sample], None] | None = None  # inspects every timed run; raises if wrong


def measure_all(specs: Sequence[Spec], *, runs: int, warmup: int = 1) -> dict[str, Stats]:
    """Median-of-`runs` measurements of every spec, interleaved: each round runs every
    command once, in order. On a shared machine load comes and goes; interleaving
    exposes the baseline and datumc to the same conditions, so their ratio holds even
    when the absolute times drift. The first `warmup` rounds are discarded (they fill
    the bytecode and page caches, as any second invocation on a machine would have).
    """
    stats = {spec.name: Stats(list(spec.cmd)) for spec in specs}
    for index in range(warmup + runs):
        for spec in specs:
            sample = _run_spec(spec)
            if index >= warmup:
                if spec.check is not None:
                    spec.check(sample)
                stats[spec.name].samples.append(sample)
    return stats


def measure(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], runs: int,
            warmup: int = 1) -> Stats:
    """One command on its own: see measure_all."""
    return measure_all([Spec("cmd", list(cmd), cwd, env)], runs=runs, warmup=warmup)["cmd"]


def _run_spec(spec: Spec) -> Sample:
    if spec.before is not None:
        spec.before()
    sample = run_once(spec.cmd, cwd=spec.cwd, env=spec.env)
    if sample.returncode not in spec.ok_codes:
        raise CommandFailed(
            f"`{' '.join(spec.cmd)}` exited {sample.returncode} in {spec.cwd}:\n"
            f"{_tail(sample.stderr or sample.stdout)}"
        )
    return sample


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])
