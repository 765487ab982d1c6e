"""Helpers for the reliability tests: projects with two versions, output snapshots,
writers that fail on purpose."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from datumc.write.writer import LOCK, MANIFEST, TMP_SUFFIX, Opener
from tests.conftest import datum, datumc_env, write_project

# Not generated files: the lock, the manifest and leftover temps are checked separately.
BOOKKEEPING = (LOCK, MANIFEST)
PROVIDERS = ("openai", "anthropic", "groq", "openrouter", "ollama")
TIMEOUT = 60  # seconds a hostile-input case may take; every case takes well under one


def snapshot(out_dir: Path) -> dict[str, bytes]:
    """Every generated file under `out_dir` (relative path -> bytes), bookkeeping excluded."""
    if not out_dir.is_dir():
        return {}
    return {
        p.relative_to(out_dir).as_posix(): p.read_bytes()
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and p.name not in BOOKKEEPING and not p.name.endswith(TMP_SUFFIX)
    }


def modes(out_dir: Path) -> dict[str, int]:
    return {
        p.relative_to(out_dir).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in sorted(out_dir.rglob("*")) if p.is_file()
    }


def temps(out_dir: Path) -> list[Path]:
    return sorted(out_dir.rglob(f"*{TMP_SUFFIX}")) if out_dir.is_dir() else []


def sizeable_datums(count: int, *, version: int) -> dict[str, str]:
    """`count` datums; `version` changes every one of them (so every output changes)."""
    out = {}
    for i in range(count):
        provider = PROVIDERS[i % len(PROVIDERS)]
        name = f"{provider}-model-{i:03d}"
        out[name] = datum(
            name,
            provider=provider,
            litellm_model=f"{provider}/model-{i}",
            api_key_env=f"{provider.upper()}_API_KEY_V{version}",
            rpm_limit=10 + i + version * 1000,
            capabilities=["chat", "tools"] if i % 2 else ["chat"],
            context_window=8192 * (1 + i % 4),
            b00t={"hint": f"model {i}, version {version}", "aliases": [f"alias-{i}-v{version}"]},
            parameters={"max_tokens": 1024 + version, "temperature": 0.5},
            metadata={"family": provider, "version": version},
        )
    return out


@dataclass
class TwoVersions:
    """A project whose datums can be switched between version 1 and version 2."""

    root: Path
    count: int
    project_toml: str | None = None
    current: int = 0
    _cache: dict[int, dict[str, str]] = field(default_factory=dict)

    def switch(self, version: int) -> None:
        datums = self._cache.setdefault(version, sizeable_datums(self.count, version=version))
        write_project(self.root, datums, self.project_toml)
        self.current = version

    @property
    def out_dir(self) -> Path:
        return self.root / "build"


def failing_opener(fail_at: int, err: int = errno.ENOSPC) -> tuple[Opener, list[Path]]:
    """An opener that creates files normally, then fails with `err` on call `fail_at`
    (0-based). Returns the opener and the list of paths it was asked to open."""
    calls: list[Path] = []

    def opener(path: Path, mode: int) -> int:
        calls.append(path)
        if len(calls) - 1 >= fail_at:
            raise OSError(err, os.strerror(err), str(path))
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)

    return opener, calls


def observing_opener(seen: list[tuple[Path, int, int]]) -> Opener:
    """An opener that records (path, requested mode, the mode the new file really has)
    right after creating it, before a single byte is written."""

    def opener(path: Path, mode: int) -> int:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        seen.append((path, mode, stat.S_IMODE(os.fstat(fd).st_mode)))
        return fd

    return opener


def set_umask(mask: int) -> Callable[[], None]:
    old = os.umask(mask)
    return lambda: os.umask(old) and None


@dataclass
class Sandbox:
    """A project at root/, and files outside it that nothing may touch."""

    base: Path

    @property
    def root(self) -> Path:
        return self.base / "proj"

    @property
    def outside(self) -> Path:
        return self.base / "outside"

    def tree(self) -> dict[str, tuple[str, int]]:
        """Every path outside the output directory: content hash (or link target) and mode."""
        out = self.root / "build"
        found = {}
        for path in sorted(self.base.rglob("*")):
            if path == out or out in path.parents:
                continue
            if path.is_symlink():
                found[str(path)] = (f"-> {path.readlink()}", 0)
            elif path.is_file():
                found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                    path.stat().st_mode)
            else:
                found[str(path)] = ("dir", path.stat().st_mode)
        return found

    def datum(self, name: str, content: bytes | str) -> Path:
        path = self.root / "datums" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
        return path

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        before = self.tree()
        try:
            proc = subprocess.run([sys.executable, "-m", "datumc", *map(str, args)],
                                  cwd=self.root, env=datumc_env(), capture_output=True,
                                  text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"datumc {' '.join(map(str, args))} hung (> {TIMEOUT}s)")
        assert proc.returncode >= 0, f"datumc died with signal {-proc.returncode}"
        output = proc.stdout + proc.stderr
        assert "Traceback" not in output, output
        assert "internal error" not in output, output
        after = self.tree()
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert not changed, f"wrote outside the output directory: {sorted(changed)}"
        return proc
