"""Atomic file writes: a temp file in the target's directory (mode set at creation, so a
0600 file is never readable by others, not even as a temp file), fsync, rename; and
the cleanup of temp files a killed process left behind."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from datumc.errors import DatumcError
from datumc.load.source import display_path

TMP_SUFFIX = ".datumc-tmp"


class NotRegularError(Exception):
    pass


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, never following a symlink nor blocking on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            raise NotRegularError(path)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read()
    finally:
        os.close(fd)


def read_current(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise DatumcError(f"{display_path(path)} is a directory; datumc needs to write a file "
                          "there") from None
    except NotRegularError:
        what = "a directory" if path.is_dir() else "not a regular file"
        raise DatumcError(f"{display_path(path)} is {what}; datumc needs to write a file "
                          "there") from None
    except OSError as exc:
        raise DatumcError(f"cannot read {display_path(path)}: {exc.strerror}") from None


Opener = Callable[[Path, int], int]


def default_open(path: Path, mode: int) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)


def write_temp(final: Path, content: bytes, mode: int, opener: Opener = default_open) -> Path:
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


def write_atomic(path: Path, content: bytes, mode: int, opener: Opener) -> None:
    tmp = write_temp(path, content, mode, opener)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _aside(path: Path) -> Path:
    """A hidden name beside `path` that clean_temps recognises (and removes once its
    process is gone)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")


def replace_if_unchanged(tmp: Path, path: Path, expected: bytes | None) -> bool:
    """Rename `tmp` over `path` only if `path` still holds `expected` (None: absent).

    Returns False, with `path` left exactly as someone else made it and `tmp` removed,
    when it changed since it was read, even in the instant between the last check and
    the rename: the old file is hard-linked aside first, so bytes written to it during
    the rename are found afterwards and the old file is put back.
    """
    try:
        return _replace_if(tmp, path, expected)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace_if(tmp: Path, path: Path, expected: bytes | None) -> bool:
    if expected is None:
        return _create_if_absent(tmp, path)
    kept = _aside(path)
    try:
        os.link(path, kept, follow_symlinks=False)
    except FileNotFoundError:
        tmp.unlink(missing_ok=True)
        return False
    except OSError:  # no hard links here: a last check, then the plain rename
        return _checked_rename(tmp, path, expected)
    try:
        if read_current(kept) != expected:
            tmp.unlink(missing_ok=True)
            return False
        tmp.replace(path)
        if read_current(kept) != expected:  # written to during the rename: theirs wins
            kept.replace(path)
            return False
        return True
    finally:
        kept.unlink(missing_ok=True)


def _create_if_absent(tmp: Path, path: Path) -> bool:
    """Make `tmp` the file at `path` unless something appeared there meanwhile."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:
        if path.exists():
            return False
        tmp.replace(path)
        return True
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _checked_rename(tmp: Path, path: Path, expected: bytes) -> bool:
    if read_current(path) != expected:
        tmp.unlink(missing_ok=True)
        return False
    tmp.replace(path)
    return True


def clean_temps(out_dir: Path, *, name: str | None = None) -> None:
    """Remove temp files left by builds that were killed (their pid is gone); with
    `name`, only those of that one file, in that directory alone (init-env's `.env`).

    Temps of a live process are left alone: a profile build in a nested output
    directory (build/staging) holds its own lock and may be mid-write.
    """
    if not out_dir.is_dir():
        return
    found = out_dir.glob(f".{name}.*{TMP_SUFFIX}") if name else out_dir.rglob(f".*{TMP_SUFFIX}")
    for tmp in found:
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


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in words."""
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only?)"
    return exc.strerror or str(exc)
