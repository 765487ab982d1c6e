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


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in words."""
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only?)"
    return exc.strerror or str(exc)
