"""The lint cache: `datumc lint` run again on files that have not changed prints what
it found last time, without loading the schema, the rules or the model map.

A result is stored under a fingerprint of everything it can depend on, so it is used
only where running the rules would give the same findings:

- this datumc (every file of the package: size, time, inode), the Python running it
  and the installed packages (the time of each `sys.path` directory, which installing
  or removing a package changes);
- the command line: the paths given, the project directory, the working directory;
- every file and directory under the project directory and under each path given
  (name, type, size, time, inode, symlink target), except version control, virtual
  environments and tool caches, which datumc never reads.

A result is not stored when any file in the fingerprint changed within the file
system clock's resolution of the run (it could change again unseen), nor when the
files changed while the rules ran. Messages are stored as every output format prints
them (secrets masked, control characters escaped), in a file only its owner can read,
in `$DATUMC_CACHE_DIR`, `$XDG_CACHE_HOME/datumc` or `~/.cache/datumc`; the newest
`KEEP` results are kept. `--no-cache` or `DATUMC_NO_CACHE=1` turns it off. Any problem
with the cache (unreadable, unwritable, corrupt) means running the rules: the cache
never changes what lint reports.

This module imports nothing beyond the standard library and the diagnostic type: a
hit costs starting Python, click and reading one file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from datumc.diagnostics import Diagnostic, Severity
from datumc.memo import recent
from datumc.usercache import cache_dir, private_dir

FORMAT: Final = 1
LINT_DIR: Final = "lint"
KEEP: Final = 64
# Directories datumc never reads: version control, environments, caches.
SKIPPED_DIRS: Final = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules",
                                 ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                 ".hypothesis", ".tox", ".nox"})
VENV_MARKER: Final = "pyvenv.cfg"
# A tree bigger than this is not fingerprinted (no cache): walking it would cost more
# than the rules.
MAX_ENTRIES: Final = 50_000
class _TooBig(Exception):
    """The tree has more than MAX_ENTRIES entries."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    key: str
    newest_ns: int  # the latest modification time seen


def fingerprint(paths: Sequence[Path], project: Path) -> Fingerprint | None:
    """The key of a lint run over `paths` in `project`; None when it cannot be taken."""
    digest = hashlib.sha256()
    newest = [0]

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode("utf-8", "surrogateescape") + b"\0")

    try:
        cwd = Path.cwd()
        add(FORMAT, sys.version, sys.prefix, str(cwd), str(project),
            [str(p) for p in paths])
        _tree(Path(__file__).resolve().parents[1], add, newest)  # this datumc
        for entry in sys.path:
            add("sys.path", entry, _mtime(Path(entry or ".")))
        for tree in _trees(paths, project, cwd):
            add("tree", str(tree))
            _tree(tree, add, newest)
    except (_TooBig, OSError, ValueError):
        return None
    return Fingerprint(digest.hexdigest(), newest[0])


def _trees(paths: Sequence[Path], project: Path, cwd: Path) -> list[Path]:
    """The directories whose files a lint of `paths` may read."""
    out = {_absolute(project, cwd)}
    for path in paths:
        full = _absolute(path, cwd)
        out.add(full if full.is_dir() else full.parent)
    return sorted(out)


def _absolute(path: Path, cwd: Path) -> Path:
    return path if path.is_absolute() else cwd / path


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _tree(top: Path, add: Callable[..., None], newest: list[int]) -> None:
    """Every entry under `top` into the digest, depth first in name order."""
    count = 0
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except (NotADirectoryError, FileNotFoundError):
            add("missing", str(directory))
            continue
        count += len(entries)
        if count > MAX_ENTRIES:
            raise _TooBig
        for entry in reversed(entries):
            if _record(entry, add, newest):
                pending.append(Path(entry.path))


def _skipped(entry: os.DirEntry[str]) -> bool:
    """A directory datumc never reads: version control, a cache, a virtual environment."""
    return entry.name in SKIPPED_DIRS or (Path(entry.path) / VENV_MARKER).exists()


def _record(entry: os.DirEntry[str], add: Callable[..., None], newest: list[int]) -> bool:
    """Add one entry; True when it is a directory to walk (not through a symlink)."""
    if entry.is_dir(follow_symlinks=False) and _skipped(entry):
        add(entry.path, "skipped")
        return False
    st = entry.stat(follow_symlinks=False)
    newest[0] = max(newest[0], st.st_mtime_ns, st.st_ctime_ns)
    link = str(Path(entry.path).readlink()) if stat.S_ISLNK(st.st_mode) else None
    add(entry.path, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino, link)
    return stat.S_ISDIR(st.st_mode)


# -- stored results ---------------------------------------------------------------


def _file(key: str) -> Path:
    return cache_dir() / LINT_DIR / f"lint-{key[:40]}.json"


def load(print_: Fingerprint) -> list[Diagnostic] | None:
    """The findings stored under this fingerprint, or None."""
    try:
        data = json.loads(_file(print_.key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("key") != print_.key:
        return None
    return _diagnostics(data.get("diagnostics"))


def _diagnostics(items: Any) -> list[Diagnostic] | None:
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 7):
            return None
        code, severity, message, path, line, column, hint = item
        if not all(isinstance(v, str) for v in (code, severity, message, path, hint)) \
                or not all(type(v) is int for v in (line, column)) \
                or severity not in Severity.__members__.values():
            return None
        out.append(Diagnostic(code, Severity(severity), message, path, line, column, hint))
    return out


def storable(print_: Fingerprint, started_ns: int) -> bool:
    """No file in the fingerprint changed close enough to the run to change unseen."""
    return not recent((print_.newest_ns,), started_ns)


def store(print_: Fingerprint, diags: Iterable[Diagnostic]) -> None:
    """Keep `diags` (already as printed: secrets masked) under the fingerprint; a
    cache that cannot be written is left alone."""
    payload = {"format": FORMAT, "key": print_.key, "diagnostics": [
        [d.code, d.severity.value, d.message, d.path, d.line, d.column, d.hint]
        for d in diags]}
    directory = private_dir(LINT_DIR)
    if directory is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=".lint-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, ensure_ascii=False)
            Path(tmp).replace(_file(print_.key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(directory)
    except OSError:
        return


def _prune(directory: Path) -> None:
    results = sorted(directory.glob("lint-*.json"), key=_mtime_or_zero, reverse=True)
    for old in results[KEEP:]:
        old.unlink(missing_ok=True)


def _mtime_or_zero(path: Path) -> int:
    return _mtime(path) or 0


def now_ns() -> int:
    return time.time_ns()
