"""One build at a time per output directory: an flock on `.datumc.lock`, which the kernel
releases when a process dies, so a stale lock cannot block anyone."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from datumc.errors import DatumcError
from datumc.load.source import display_path
from datumc.write.atomic import NotRegularError, os_reason, read_regular

LOCK = ".datumc.lock"


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
            f"{os_reason(exc)}; nothing was written"
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
        pid = read_regular(path, 64).decode("ascii", "replace").strip()
    except (OSError, NotRegularError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
