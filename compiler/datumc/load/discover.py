"""Find datum files: `**/*.ai_model.toml` and `**/*.model.toml`, recursive and sorted."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.source import display_path

DATUM_SUFFIXES = (".ai_model.toml", ".model.toml")
SYMLINK_OUTSIDE = Code("DC010", "symlink-outside-project", Severity.ERROR, """
A datum is a symlink to a file outside the project.

Why: a build reads only the project it is given, so results do not depend on
files elsewhere on the machine.

Bad:  datums/gpt.ai_model.toml -> /home/me/other/gpt.ai_model.toml
Good: copy the datum into datums/.
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


def _walk(directory: Path) -> Iterator[tuple[Path, bool]]:
    """(datum path, is it a symlink), in sorted order. One scandir per directory: a
    DirEntry knows from readdir whether it is a directory or a symlink, so a plain
    file costs no stat call (two per file before: 6% of a 10,000-datum build)."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:  # unreadable or vanished: skipped, as os.walk does
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.name.endswith(DATUM_SUFFIXES) and not entry.is_dir():
            yield Path(entry.path), entry.is_symlink()


def discover(dirs: Iterable[Path], *, root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Sorted datum paths from `dirs`; symlinks that leave `root` are refused."""
    found: set[Path] = set()
    diags: list[Diagnostic] = []
    for directory in dirs:
        if not directory.is_dir():
            diags.append(_missing_dir(directory))
            continue
        for path, is_link in _walk(directory):
            problem = _outside(path, root) if is_link else None
            if problem is not None:
                diags.append(problem)
            else:
                found.add(path)
    return sorted(found, key=lambda p: p.as_posix()), diags


def _outside(path: Path, root: Path) -> Diagnostic | None:
    if not path.is_symlink():
        return None
    target = path.resolve()
    if target.is_relative_to(root.resolve()):
        return None
    return Diagnostic(
        SYMLINK_OUTSIDE,
        SYMLINK_OUTSIDE.severity,
        f"datum is a symlink to {target}, outside the project",
        display_path(path),
        hint="copy the datum into the project; datumc reads nothing outside it",
    )


def _missing_dir(directory: Path) -> Diagnostic:
    return Diagnostic(
        NO_DATUMS,
        NO_DATUMS.severity,
        "datum directory does not exist",
        display_path(directory),
        hint="create it, or set [datumc] datum_dirs in datumc.toml",
    )
