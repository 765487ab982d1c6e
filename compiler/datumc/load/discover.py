"""Find datum files: `**/*.ai_model.toml` and `**/*.model.toml`, recursive and sorted."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.source import display_path, path_error, real_path

DATUM_SUFFIXES = (".ai_model.toml", ".model.toml")
SYMLINK_OUTSIDE = Code("DC010", "symlink-outside-project", Severity.ERROR, """
A datum, or a datum directory, is a symlink to something outside the project.

Why: a build reads only the project it is given, so results do not depend on
files elsewhere on the machine. A datum directory named in datum_dirs must resolve,
symlinks included, inside the project; a symlink to a directory found while walking
one is not followed.

Bad:  datums/gpt.ai_model.toml -> /home/me/other/gpt.ai_model.toml
Bad:  datums -> /home/me/other/datums
Good: copy the datums into the project.
""")
NO_DATUMS = Code("DC011", "no-datums", Severity.ERROR, """
No datum files were found, or a configured datum directory does not exist.

Why: an empty model_list is almost always a wrong path.

Good: datums/*.ai_model.toml, or [datumc] datum_dirs = ["models"] in datumc.toml.
""")


def is_datum_file(path: Path) -> bool:
    return path.name.endswith(DATUM_SUFFIXES) and not path.name.startswith(".")


def walk_datums(directory: Path) -> Iterator[Path]:
    """Datum files under `directory`, skipping hidden directories and symlinked dirs."""
    for path, _ in _walk(directory):
        yield path


def _walk(directory: Path, walked: list[Path] | None = None) -> Iterator[tuple[Path, bool]]:
    """(datum path, is it a symlink), in sorted order. One scandir per directory: a
    DirEntry knows from readdir whether it is a directory or a symlink, so a plain
    file costs no stat call (two per file before: 6% of a 10,000-datum build).
    Each directory read is added to `walked`, when given."""
    if walked is not None:
        walked.append(directory)
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:  # unreadable or vanished: skipped, as os.walk does
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), walked)
        elif entry.name.endswith(DATUM_SUFFIXES) and not _is_dir(entry):
            yield Path(entry.path), entry.is_symlink()


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a directory, symlinks followed. A symlink loop is not: it is
    yielded as a datum, and reading it reports the loop (DC002)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def discover(dirs: Iterable[Path], *, root: Path,
             walked: list[Path] | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """Sorted datum paths from `dirs`; directories and symlinks that leave `root` are
    refused (callers with a datumc.toml report the directories at their line first).
    Every directory read is added to `walked`, when given: while none of them changes,
    neither does the answer."""
    found: set[Path] = set()
    diags: list[Diagnostic] = []
    for directory in dirs:
        problem = _unusable_dir(directory, root)
        if problem is not None:
            diags.append(problem)
            continue
        for path, is_link in _walk(directory, walked):
            problem = _outside(path, root) if is_link else None
            if problem is not None:
                diags.append(problem)
            else:
                found.add(path)
    return sorted(found, key=lambda p: p.as_posix()), diags


def outside_root(directory: Path, root: Path) -> Path | None:
    """Where `directory` really is (symlinks resolved) when that is outside `root`."""
    real = real_path(directory)
    return None if real.is_relative_to(real_path(root)) else real


def dir_outside(directory: Path, real: Path) -> tuple[str, str]:
    """The message and hint for a datum directory that resolves outside the project."""
    return (f"datum directory {display_path(directory)} is {real}, outside the project "
            "(through a symlink); it is not read",
            "datumc reads nothing outside the project: move the datums into it, or replace "
            "the symlink by the directory itself")


def _unusable_dir(directory: Path, root: Path) -> Diagnostic | None:
    real = outside_root(directory, root)
    if real is not None:
        message, hint = dir_outside(directory, real)
        return Diagnostic(SYMLINK_OUTSIDE, SYMLINK_OUTSIDE.severity, message,
                          display_path(directory), hint=hint)
    try:
        exists = directory.is_dir()
    except OSError as exc:  # a name over 255 bytes, a path over PATH_MAX, ...
        return path_error(directory, exc)
    return None if exists else _missing_dir(directory)


def _outside(path: Path, root: Path) -> Diagnostic | None:
    if not path.is_symlink():
        return None
    target = real_path(path)
    if target.is_relative_to(real_path(root)):
        return None
    return Diagnostic(
        SYMLINK_OUTSIDE,
        SYMLINK_OUTSIDE.severity,
        f"datum is a symlink to {target}, outside the project",
        display_path(path),
        hint="copy the datum into the project; datumc reads nothing outside it",
    )


def no_datums_in(directory: Path) -> Diagnostic:
    """A directory named on the command line that holds no datum: say which of its files
    look like datums under another name."""
    near = sorted(_near_misses(directory))[:3]
    hint = "datum file names end in .ai_model.toml or .model.toml"
    if near:
        renames = ", ".join(f"{display_path(p)} -> {p.name.removesuffix('.toml')}"
                            ".ai_model.toml" for p in near)
        hint += f"; rename: {renames}"
    return Diagnostic(
        NO_DATUMS, NO_DATUMS.severity,
        "no datum files (*.ai_model.toml, *.model.toml) found in this directory",
        display_path(directory), hint=hint,
    )


def _near_misses(directory: Path) -> Iterator[Path]:
    """TOML files under `directory` that are not datums by name (datumc.toml aside)."""
    try:
        found = list(directory.rglob("*.toml"))
    except OSError:
        return
    for path in found:
        if path.name != "datumc.toml" and not any(part.startswith(".") for part in
                                                  path.relative_to(directory).parts):
            yield path


def _missing_dir(directory: Path) -> Diagnostic:
    return Diagnostic(
        NO_DATUMS,
        NO_DATUMS.severity,
        "datum directory does not exist",
        display_path(directory),
        hint="create it, or set [datumc] datum_dirs in datumc.toml",
    )
