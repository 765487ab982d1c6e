"""Write planned outputs: compare with disk first, then all-or-nothing, atomically.

* Every file is written to a temp file in its own directory (mode set at
  creation: a 0600 file is never readable by others, not even as a temp file),
  fsynced, and renamed over the old one. A reader sees the old bytes or the new.
* Nothing is renamed until every temp file exists: a failure while writing temps
  changes nothing. A failure between renames is reported with the files changed.
* `.datumc-manifest.json` records the hash of every file datumc wrote. A file
  whose hash is not in it was edited by hand and is not overwritten without
  `force` (and then it is kept as `<name>.bak`). While renames are under way the
  manifest lists both the old and the new hash, so a build killed at any moment
  leaves files the next build still recognises.
* One build at a time per output directory: an flock on `.datumc.lock`, which
  the kernel releases when a process dies, so a stale lock cannot block anyone.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.errors import DatumcError
from datumc.load.source import display_path
from datumc.secrets.detect import is_secret_name, mask
from datumc.secrets.redact import mask_tokens
from datumc.targets.base import Output
from datumc.validate.vocab import ENV_REF_PREFIX

MANIFEST = ".datumc-manifest.json"
LOCK = ".datumc.lock"
TMP_SUFFIX = ".datumc-tmp"
HAND_EDITED = Code("DC020", "hand-edited-output", Severity.ERROR, """
A generated file was edited by hand since datumc wrote it.

Why: rebuilding would destroy the edit. datumc keeps the file and shows the diff.

Fix: move the change into the datums or datumc.toml, then `datumc build --force`
(the edited file is kept as <name>.bak).
""")
UNSAFE_DIR = Code("DC021", "unsafe-output-dir", Severity.ERROR, """
The output directory, or a generated file in it, is a symlink.

Why: following it could write outside the project.

Fix: remove the symlink, or set [datumc] out_dir to a real directory.
""")
WRITE_FAILED = Code("DC022", "write-failed", Severity.ERROR, """
Writing the output failed (disk full, permission denied, read-only file system).

Why: datumc writes every file to a temp file first and renames only when all of them
are written, so a failure while writing changes nothing. If renaming fails part-way,
the message lists the files that were updated; every file is whole, old or new.

Fix: free space or fix the permissions, then build again; the next build finishes
the job.
""")
_DIFF_LINES = 40
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_MAX_BACKUPS = 1000
_BACKUP_NAME = re.compile(r"\.bak(\.[0-9]+)?$")


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CHMOD = "chmod"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Planned:
    output: Output
    action: Action
    current: bytes | None = None
    backup: bool = False  # a forced overwrite of a hand edit: keep it as <name>.bak


@dataclass(slots=True)
class WriteResult:
    changed: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- manifest --------------------------------------------------------------------


class ManifestState(StrEnum):
    OK = "ok"
    MISSING = "missing"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Manifest:
    files: dict[str, list[str]]
    state: ManifestState = ManifestState.OK


def load_manifest(out_dir: Path) -> Manifest:
    """The manifest, and whether it was there and readable.

    A missing or corrupt manifest loses no data: every existing file that differs from
    the new output is then treated as hand-edited, and kept unless `--force`.
    """
    try:
        raw = json.loads(_read_regular(out_dir / MANIFEST, MAX_MANIFEST_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return Manifest({}, ManifestState.MISSING)
    except (OSError, ValueError, _NotRegularError):
        return Manifest({}, ManifestState.UNREADABLE)
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return Manifest({}, ManifestState.UNREADABLE)
    return Manifest({
        k: [h for h in v if isinstance(h, str)] for k, v in files.items() if isinstance(v, list)
    })


def read_manifest(out_dir: Path) -> dict[str, list[str]]:
    return load_manifest(out_dir).files


def _manifest_bytes(files: dict[str, list[str]]) -> bytes:
    body = {"generator": "datumc", "version": 1, "files": dict(sorted(files.items()))}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()


# -- planning ----------------------------------------------------------------------


def check_out_dir(out_dir: Path, root: Path) -> Diagnostic | None:
    """Refuse an output directory that is (or sits under) a symlink inside the project.

    An explicit --out outside the project is the user's choice: only the directory itself
    is checked there (its parents may be symlinks, e.g. /tmp on macOS).
    """
    probe = out_dir.absolute()
    root = root.absolute()
    inside = probe.is_relative_to(root)
    while True:
        if probe.is_symlink():
            return Diagnostic(
                UNSAFE_DIR, UNSAFE_DIR.severity,
                f"output directory {display_path(probe)} is a symlink to {probe.resolve()}",
                display_path(probe),
                hint="datumc writes only inside the project: remove the symlink or change "
                "[datumc] out_dir",
            )
        if not inside or probe == root or probe.parent == probe:
            return None
        probe = probe.parent


def plan_writes(out_dir: Path, outputs: list[Output], *, force: bool = False) -> (
    tuple[list[Planned], list[Diagnostic]]
):
    manifest = load_manifest(out_dir)
    planned: list[Planned] = []
    diags: list[Diagnostic] = []
    for output in outputs:
        path = out_dir / output.relpath
        unsafe = _unsafe_path(out_dir, output.relpath)
        if unsafe is not None:
            diags.append(unsafe)
            continue
        current = _read(path)
        known = manifest.files.get(output.relpath, [])
        action = _action(path, output, current, known, force)
        if action is Action.CONFLICT:
            diags.append(_conflict(path, current or b"", output, manifest.state))
        edited = current is not None and action is Action.UPDATE and sha256(current) not in known
        planned.append(Planned(output, action, current, backup=edited))
    return planned, diags


def _unsafe_path(out_dir: Path, relpath: str) -> Diagnostic | None:
    """A symlink, or something that is not a regular file, where datumc writes a file.

    Every directory between the output directory and the file is checked: a symlinked
    `build/litellm` (committed to a repository, say) must not redirect a write.
    """
    if not _safe_relpath(relpath):
        return Diagnostic(
            UNSAFE_DIR, UNSAFE_DIR.severity,
            f"refusing to write {relpath!r}: not a plain path inside the output directory",
            display_path(out_dir), hint="a target built a file name from a value it should "
            "have checked; please report it",
        )
    probe = out_dir
    for part in Path(relpath).parts:
        probe = probe / part
        if probe.is_symlink():
            return _symlinked(probe)
    if probe.exists() and not probe.is_file():
        if probe.is_dir():
            return None  # reported by _read with a clear message
        return Diagnostic(
            UNSAFE_DIR, UNSAFE_DIR.severity, "is not a regular file (a FIFO, socket or device)",
            display_path(probe), hint="remove it; datumc writes a regular file here",
        )
    return None


def _safe_relpath(relpath: str) -> bool:
    parts = relpath.split("/")
    return (
        relpath.isprintable()
        and "\\" not in relpath
        and all(part not in ("", ".", "..") for part in parts)
        and relpath not in (MANIFEST, LOCK)
        and not parts[-1].endswith(TMP_SUFFIX)
        and _BACKUP_NAME.search(parts[-1]) is None
    )


class _NotRegularError(Exception):
    pass


def _read_regular(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, never following a symlink nor blocking on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            raise _NotRegularError(path)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read()
    finally:
        os.close(fd)


def _read(path: Path) -> bytes | None:
    try:
        return _read_regular(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise DatumcError(f"{display_path(path)} is a directory; datumc needs to write a file "
                          "there") from None
    except _NotRegularError:
        what = "a directory" if path.is_dir() else "not a regular file"
        raise DatumcError(f"{display_path(path)} is {what}; datumc needs to write a file "
                          "there") from None
    except OSError as exc:
        raise DatumcError(f"cannot read {display_path(path)}: {exc.strerror}") from None


def _action(path: Path, output: Output, current: bytes | None, known: list[str],
            force: bool) -> Action:
    if current is None:
        return Action.CREATE
    if current == output.content:
        mode = path.stat().st_mode & 0o777
        return Action.UNCHANGED if mode == output.mode else Action.CHMOD
    if sha256(current) in known or force:
        return Action.UPDATE
    return Action.CONFLICT


def _conflict(path: Path, current: bytes, output: Output, state: ManifestState) -> Diagnostic:
    secret = output.mode & 0o077 == 0
    diff = [
        _redact_diff_line(line, secret=secret)
        for line in difflib.unified_diff(
            current.decode("utf-8", "replace").splitlines(),
            output.content.decode("utf-8", "replace").splitlines(),
            fromfile=f"{display_path(path)} (on disk)",
            tofile=f"{display_path(path)} (datumc)",
            lineterm="",
        )
    ]
    if len(diff) > _DIFF_LINES:
        diff = [*diff[:_DIFF_LINES], f"... {len(diff) - _DIFF_LINES} more diff lines"]
    if state is ManifestState.OK:
        message = "was edited by hand since datumc wrote it; not overwritten"
    else:
        message = (f"differs from the new output and datumc has no record of writing it "
                   f"({MANIFEST} is {state.value}); not overwritten, it may hold your edits")
    return Diagnostic(
        HAND_EDITED, HAND_EDITED.severity, message, display_path(path),
        hint="move the change into the datums or datumc.toml, then run `datumc build "
        "--force` (the file on disk is kept as .bak). Diff:\n" + "\n".join(diff),
    )


_ASSIGNMENT = re.compile(r"(?P<key>\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=)(?P<value>.*)")
_YAML_PAIR = re.compile(r"(?P<key>\s*(?:-\s+)?[\"']?(?P<name>[^:#\"']+)[\"']?\s*:\s+)(?P<value>.+)")


def _redact_diff_line(line: str, *, secret: bool) -> str:
    """A diff line with secret values masked: every value of a secret file (.env),
    secret-named keys (api_key: ...) and key-shaped tokens anywhere else."""
    if line.startswith(("---", "+++", "@@")) or not line:
        return line
    sign, body = line[0], line[1:]
    if secret and not body.lstrip().startswith("#"):
        match = _ASSIGNMENT.fullmatch(body)
        if match is None:
            return f"{sign}{mask(body)}" if body.strip() else line
        value = match.group("value")
        return f"{sign}{match.group('key')}{mask(value) if value else ''}"
    match = _YAML_PAIR.fullmatch(body)
    if match is not None and is_secret_name(match.group("name")):
        value = match.group("value").strip().strip("\"'")
        if value and not value.startswith(ENV_REF_PREFIX):
            return f"{sign}{match.group('key')}{mask(value)}"
    return f"{sign}{mask_tokens(body)}"


def _symlinked(path: Path) -> Diagnostic:
    return Diagnostic(
        UNSAFE_DIR, UNSAFE_DIR.severity, "is a symlink where datumc writes; not following it",
        display_path(path), hint="remove the symlink; datumc writes a regular file or "
        "directory here",
    )


def pending(planned: list[Planned]) -> list[Planned]:
    return [p for p in planned if p.action is not Action.UNCHANGED]


def up_to_date(out_dir: Path, planned: list[Planned]) -> bool:
    """Every output is on disk as planned and the manifest records exactly its hash:
    applying `planned` would write nothing (the same test apply_writes makes)."""
    if pending(planned):
        return False
    manifest = read_manifest(out_dir)
    return all(manifest.get(p.output.relpath) == [sha256(p.output.content)] for p in planned)


# -- applying -----------------------------------------------------------------------

Opener = Callable[[Path, int], int]


def _default_open(path: Path, mode: int) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)


def write_temp(final: Path, content: bytes, mode: int, opener: Opener = _default_open) -> Path:
    """A fsynced temp file beside `final`, created with `mode` (never more permissive)."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    fd = opener(tmp, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomic(path: Path, content: bytes, mode: int, opener: Opener) -> None:
    tmp = write_temp(path, content, mode, opener)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def clean_temps(out_dir: Path) -> None:
    """Remove temp files left by builds that were killed (their pid is gone).

    Temps of a live process are left alone: a profile build in a nested output
    directory (build/staging) holds its own lock and may be mid-write.
    """
    if not out_dir.is_dir():
        return
    for tmp in out_dir.rglob(f".*{TMP_SUFFIX}"):
        if not _owner_alive(tmp.name):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _owner_alive(name: str) -> bool:
    parts = name.split(".")
    pid = next((int(p) for p in reversed(parts[:-2]) if p.isdigit()), None)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def apply_writes(out_dir: Path, planned: list[Planned], *, opener: Opener = _default_open) -> (
    WriteResult
):
    """Write every CREATE/UPDATE/CHMOD, all or nothing. Call with the build lock held."""
    result = WriteResult()
    todo = [p for p in planned if p.action in (Action.CREATE, Action.UPDATE)]
    chmods = [p for p in planned if p.action is Action.CHMOD]
    manifest = read_manifest(out_dir)
    final = dict(manifest)
    for p in planned:
        if p.action is not Action.CONFLICT:
            final[p.output.relpath] = [sha256(p.output.content)]
    if not todo and not chmods and final == manifest:
        return result
    temps, error = _stage(out_dir, todo, opener)
    if error is not None:
        result.diagnostics.append(error)
        return result
    transitional = {k: list(dict.fromkeys([*manifest.get(k, []), *v])) for k, v in final.items()}
    try:
        _write_atomic(out_dir / MANIFEST, _manifest_bytes(transitional), 0o644, opener)
        _commit(out_dir, temps, chmods, result, opener)
        _write_atomic(out_dir / MANIFEST, _manifest_bytes(final), 0o644, opener)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        result.diagnostics.append(_partial(out_dir, result.changed, exc))
    return result


def apply_owned(root: Path, planned: list[Planned], *, opener: Opener = _default_open) -> (
    WriteResult
):
    """Write files the user owns from now on (`datumc import`): all or nothing, atomically,
    without a manifest. A planned UPDATE with `backup` keeps the old file as <name>.bak."""
    result = WriteResult()
    todo = [p for p in planned if p.action in (Action.CREATE, Action.UPDATE)]
    temps, error = _stage(root, todo, opener)
    if error is not None:
        result.diagnostics.append(error)
        return result
    try:
        _commit(root, temps, [], result, opener)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        result.diagnostics.append(_partial(root, result.changed, exc))
    return result


def _stage(out_dir: Path, todo: list[Planned], opener: Opener) -> (
    tuple[list[tuple[Path, Planned]], Diagnostic | None]
):
    temps: list[tuple[Path, Planned]] = []
    try:
        for p in todo:
            path = out_dir / p.output.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            temps.append((write_temp(path, p.output.content, p.output.mode, opener), p))
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        return [], Diagnostic(
            WRITE_FAILED, WRITE_FAILED.severity,
            f"could not write output: {_reason(exc)}; no file was changed",
            display_path(Path(exc.filename) if exc.filename else out_dir),
            hint="check free space and permissions on the output directory",
        )
    return temps, None


def _commit(out_dir: Path, temps: list[tuple[Path, Planned]], chmods: list[Planned],
            result: WriteResult, opener: Opener) -> None:
    directories = {(out_dir / p.output.relpath).parent for _, p in temps} | {out_dir}
    for tmp, p in list(temps):
        path = out_dir / p.output.relpath
        if p.backup and p.current is not None:
            backup = _keep_backup(path, p, opener)
            result.backups.append(display_path(backup))
        tmp.replace(path)
        temps.remove((tmp, p))
        result.changed.append(p.output.relpath)
    for p in chmods:
        (out_dir / p.output.relpath).chmod(p.output.mode)
        result.changed.append(p.output.relpath)
    for directory in directories:
        fsync_dir(directory)


def _keep_backup(path: Path, p: Planned, opener: Opener) -> Path:
    """Save the hand-edited file next to itself before it is replaced.

    An earlier backup is never overwritten: `.bak`, then `.bak.1`, `.bak.2`, ... An
    identical earlier backup is reused. The backup is never more readable than either
    the edited file or the output (a filled-in .env.example stays 0600).
    """
    assert p.current is not None
    mode = path.stat().st_mode & 0o777 & p.output.mode
    for n in range(_MAX_BACKUPS):
        backup = path.with_name(f"{path.name}.bak" + (f".{n}" if n else ""))
        try:
            existing = _read_regular(backup)
        except FileNotFoundError:
            _write_atomic(backup, p.current, mode, opener)
            return backup
        except (OSError, _NotRegularError):
            continue  # a symlink, directory or unreadable file: leave it, try the next name
        if existing == p.current:
            return backup
    raise OSError(errno.EEXIST, f"{_MAX_BACKUPS} backups of {path.name} already exist; "
                  "remove old .bak files")


def _partial(out_dir: Path, changed: list[str], exc: OSError) -> Diagnostic:
    if not changed:
        what = f"could not write output: {_reason(exc)}; no file was changed"
    else:
        what = (f"write failed part-way: {_reason(exc)}. Updated: {', '.join(changed)}; "
                "every other file is unchanged (each file is whole: old or new)")
    return Diagnostic(
        WRITE_FAILED, WRITE_FAILED.severity,
        what,
        display_path(out_dir),
        hint="fix the cause and build again; the next build finishes the job",
    )


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only?)"
    return exc.strerror or str(exc)


# -- locking --------------------------------------------------------------------------


@contextlib.contextmanager
def build_lock(out_dir: Path, *, timeout: float = 60.0,
               notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output directory's build lock; wait up to `timeout` seconds for it.

    The lock is an flock on `.datumc.lock`: the kernel drops it when its holder exits
    or is killed, so a lock file left behind by a dead build never blocks anyone.
    """
    path = out_dir / LOCK
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(path)
    except OSError as exc:
        raise DatumcError(
            f"cannot lock the output directory: {display_path(Path(exc.filename or path))}: "
            f"{_reason(exc)}; nothing was written"
        ) from None
    try:
        _acquire(fd, path, timeout, notify)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def _open_lock(path: Path) -> int:
    flags = os.O_CREAT | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | os.O_RDWR, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS) or not path.is_file():
            raise
        # Someone else's lock file, or a read-only tree: flock works on a read-only
        # descriptor, and the write step reports what cannot be written.
        fd = os.open(path, flags & ~os.O_CREAT | os.O_RDONLY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def _acquire(fd: int, path: Path, timeout: float, notify: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(path)
            if notify is not None and not told:
                notify(f"waiting for another datumc build{holder} to finish ...")
                told = True
            if time.monotonic() >= deadline:
                raise DatumcError(
                    f"another datumc build{holder} holds {display_path(path)}; gave up after "
                    f"{timeout:.0f}s"
                ) from None
            time.sleep(0.05)


def _holder(path: Path) -> str:
    try:
        pid = _read_regular(path, 64).decode("ascii", "replace").strip()
    except (OSError, _NotRegularError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
