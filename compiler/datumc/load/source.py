"""Read an input file as text, safely: size limits, encoding, NUL bytes."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import PositionMap
from datumc.validate.limits import TOO_LARGE

UNREADABLE = Code("DC002", "unreadable-file", Severity.ERROR, """
A file cannot be read: missing, a directory, no permission, not UTF-8, or holds NUL bytes.

Why: datumc reads datums as UTF-8 text (a leading BOM is accepted). Binary or
mis-encoded files are refused rather than guessed at.

Bad:  a datum saved as UTF-16 or Latin-1, or with NUL bytes.
Good: the same datum saved as UTF-8.
""")


@dataclass(frozen=True, slots=True)
class Source:
    """A file's text and the name diagnostics show for it."""

    path: Path
    display: str
    text: str


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when inside it.

    Control characters in a file name are shown escaped (`\\x0a`), so a name cannot
    forge an extra line of diagnostics.
    """
    if not path.is_absolute() and ".." not in path.parts:
        # Already relative and below the working directory: relpath would only normalise
        # it, and Path has done that. Skips two getcwd() calls per datum.
        shown = str(path)
    else:
        try:
            rel = os.path.relpath(path)
        except ValueError:
            rel = str(path)
        shown = str(path) if rel.startswith("..") else rel
    return shown if shown.isprintable() else "".join(map(_visible, shown))


def real_path(path: Path) -> Path:
    """`path` with every symlink resolved, made absolute. Never raises: a symlink loop or
    a name too long to look up resolves as far as it can (Path.resolve() raises
    RuntimeError on a loop before Python 3.13)."""
    return Path(os.path.realpath(path))


def path_error(path: Path, exc: OSError, display: str | None = None) -> Diagnostic:
    """DC002 for a path the system refuses to look up: a name over 255 bytes, a path
    over PATH_MAX, a symlink loop, no permission to search a directory on the way."""
    shown = display if display is not None else display_path(path)
    return _unreadable(shown, f"cannot read: {exc.strerror or exc}",
                       "check the path: each name at most 255 bytes, no symlink loop")


def _visible(ch: str) -> str:
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def read_source(path: Path, *, limit: int, display: str | None = None) -> Source | Diagnostic:
    """The text of `path`, or one diagnostic saying why it cannot be used."""
    shown = display if display is not None else display_path(path)
    raw = _read_bytes(path, limit=limit, shown=shown)
    if isinstance(raw, Diagnostic):
        return raw
    text = _decode(raw, shown)
    if isinstance(text, Diagnostic):
        return text
    return Source(path=path, display=shown, text=text)


def source_from_text(path: Path, text: str, *, limit: int,
                     display: str | None = None) -> Source | Diagnostic:
    """An editor's unsaved text of `path`, checked as read_source checks the file it
    would be saved as (UTF-8): the same size limit, a leading BOM dropped, no NUL byte.
    Text no UTF-8 file can hold (a lone surrogate) is refused like invalid UTF-8."""
    shown = display if display is not None else display_path(path)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, col = PositionMap(text[: exc.start]).line_col(exc.start)
        return Diagnostic(
            UNREADABLE,
            UNREADABLE.severity,
            f"invalid Unicode (a lone surrogate, U+{ord(text[exc.start]):04X}): no UTF-8 "
            "file can hold it",
            shown,
            line,
            col,
            hint="remove the character, or save the file as UTF-8",
        )
    if len(raw) > limit:
        return _too_large(limit, shown)
    decoded = _decode(raw, shown)
    if isinstance(decoded, Diagnostic):
        return decoded
    return Source(path=path, display=shown, text=decoded)


def _read_bytes(path: Path, *, limit: int, shown: str) -> bytes | Diagnostic:
    try:
        data = _read_regular(path, limit + 1)
    except _NotRegularError:
        return _unreadable(shown, "is not a regular file (a device, FIFO or socket)",
                           "pass a regular file")
    except FileNotFoundError:
        return _unreadable(shown, "file not found", "check the path")
    except IsADirectoryError:
        return _unreadable(shown, "is a directory, not a file", "pass a file or its parent dir")
    except PermissionError:
        return _unreadable(shown, "permission denied", "make the file readable")
    except OSError as exc:
        return _unreadable(shown, f"cannot read: {exc.strerror or exc}", "check the file")
    if len(data) > limit:
        return _too_large(limit, shown)
    return data


def _too_large(limit: int, shown: str) -> Diagnostic:
    return Diagnostic(
        TOO_LARGE,
        TOO_LARGE.severity,
        f"file is larger than the {_human(limit)} limit for this kind of input",
        shown,
        hint="split it, or check that this is the file you meant",
    )


class _NotRegularError(Exception):
    pass


def _read_regular(path: Path, size: int) -> bytes:
    """At most `size` bytes of a regular file. Never blocks on a FIFO or a device."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegularError
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        remaining = size
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _decode(raw: bytes, shown: str) -> str | Diagnostic:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = PositionMap(good).line_col(len(good))
        return Diagnostic(
            UNREADABLE,
            UNREADABLE.severity,
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})",
            shown,
            line,
            col,
            hint="save the file as UTF-8",
        )
    nul = text.find("\x00")
    if nul != -1:
        line, col = PositionMap(text).line_col(nul)
        return Diagnostic(
            UNREADABLE,
            UNREADABLE.severity,
            "file contains a NUL byte",
            shown,
            line,
            col,
            hint="this looks like a binary or corrupted file; remove the NUL byte",
        )
    return text


def _unreadable(shown: str, what: str, hint: str) -> Diagnostic:
    return Diagnostic(UNREADABLE, UNREADABLE.severity, what, shown, hint=hint)


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MiB"
    return f"{size // 1024} KiB"
