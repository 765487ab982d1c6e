"""Plan a new project against the disk: everything is checked before anything is written.

The project's own files (datumc.toml, the datums) must not exist yet: any one that
does is a problem, and nothing is written. The justfile and .gitignore belong to the
directory's owner: the recipes go to `justfile`, or to `datumc.just` beside a justfile
of theirs; .gitignore only gains the entries it lacks. What is kept as it was is a note.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from datumc.load.discover import walk_datums
from datumc.load.source import display_path
from datumc.load.stack import PROJECT_FILE
from datumc.scaffold import gitignore
from datumc.scaffold.render import DATUM_DIR, JUSTFILE, justfile_bytes
from datumc.validate.limits import MAX_DATUM_BYTES
from datumc.write.atomic import NotRegularError, read_regular
from datumc.write.output import Output
from datumc.write.writer import Action, Planned

GITIGNORE: Final = ".gitignore"
RECIPES_BESIDE: Final = "datumc.just"  # the recipes, when the directory has a justfile
_JUSTFILE_NAMES: Final = frozenset({"justfile", ".justfile"})  # just matches any case
_MAX_GITIGNORE: Final = 1024 * 1024


@dataclass(slots=True)
class Scaffold:
    root: Path
    planned: list[Planned] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each stops init: nothing is written
    notes: list[str] = field(default_factory=list)  # what was kept as it is, and why
    others: list[str] = field(default_factory=list)  # datum files already in datums/
    new_dirs: list[Path] = field(default_factory=list)  # to be created, deepest first

    def remove_new_dirs(self) -> None:
        """After a failed write: the directories init created go again (if still empty)."""
        for directory in self.new_dirs:
            with contextlib.suppress(OSError):
                directory.rmdir()

    @property
    def writes(self) -> list[Planned]:
        return [p for p in self.planned if p.action in (Action.CREATE, Action.UPDATE)]

    def shown(self, relpath: str) -> str:
        return display_path(self.root / relpath)

    def steps(self, *, done: bool = False) -> list[str]:
        """One line per file to write (or written, when `done`)."""
        create, add = ("wrote", "added") if done else ("create", "add")
        out = []
        for p in self.writes:
            shown = self.shown(p.output.relpath)
            if p.action is Action.CREATE:
                out.append(f"{create} {shown}")
            else:
                out.append(f"{add} {len(gitignore.missing(p.current))} line(s) to {shown}")
        return out


def plan(root: Path, owned: Sequence[Output]) -> Scaffold:
    """Where `owned` (datumc.toml and datums, all new) and the shared files would go."""
    found = Scaffold(root)
    problem = _directory_problem(root, link_ok=True) or _directory_problem(root / DATUM_DIR)
    if problem is not None:
        found.problems.append(problem)
        return found
    found.new_dirs = _missing_dirs(root / DATUM_DIR)
    for output in owned:
        _plan_new(found, output)
    _check_names(found, owned)
    _plan_recipes(found)
    _plan_gitignore(found)
    return found


def _directory_problem(directory: Path, *, link_ok: bool = False) -> str | None:
    """Why files cannot be created in `directory` (made if missing), or None. The project
    directory, named by the user, may be a symlink to a directory; datums/ may not."""
    shown = display_path(directory)
    if directory.is_symlink() and not (link_ok and directory.is_dir()):
        return (f"{shown} is a symlink; datumc init writes into real directories only: "
                "remove it, or init into another directory")
    if directory.exists() and not directory.is_dir():
        return (f"{shown} {_not_a_directory(directory)}; pass a directory to init in (it is "
                "created if missing)")
    existing = _existing_parent(directory)
    if not existing.is_dir():
        return (f"cannot create {shown}: {display_path(existing)} "
                f"{_not_a_directory(existing)}; pass another directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        return (f"cannot write in {display_path(existing)}: permission denied or a read-only "
                "file system; pass a directory you can write to")
    return None


def _not_a_directory(path: Path) -> str:
    return "is a file, not a directory" if path.is_file() else "is not a directory"


def _existing_parent(directory: Path) -> Path:
    missing = _missing_dirs(directory)
    return missing[-1].parent if missing else directory


def _missing_dirs(directory: Path) -> list[Path]:
    """`directory` and its parents up to the first that exists, deepest first."""
    missing = []
    while not os.path.lexists(directory) and directory.parent != directory:
        missing.append(directory)
        directory = directory.parent
    return missing


def _plan_new(found: Scaffold, output: Output) -> None:
    path = found.root / output.relpath
    if not os.path.lexists(path):
        found.planned.append(Planned(output, Action.CREATE))
        return
    what = "a project is already set up here" if output.relpath == PROJECT_FILE else (
        "a datum of that file name is already there")
    found.problems.append(
        f"{display_path(path)} already exists ({what}); datumc init never overwrites a file: "
        "init into a new directory (`datumc init DIR`), or move that file away")


def _check_names(found: Scaffold, owned: Sequence[Output]) -> None:
    """A datum already in datums/ that defines one of the new model names would make two
    models of one name: the build refuses that, so init refuses it first."""
    ours = {_datum_name(o.content): o.relpath for o in owned if o.relpath != PROJECT_FILE}
    targets = {found.root / o.relpath for o in owned}
    for path in walk_datums(found.root / DATUM_DIR):
        if path in targets:
            continue
        found.others.append(display_path(path))
        name = _datum_name(_read(path, MAX_DATUM_BYTES) or b"")
        if name is not None and name in ours:
            found.problems.append(
                f"{display_path(path)} already defines the model {name!r}, which "
                f"{found.shown(ours[name])} would define again; remove or rename it, or init "
                "into another directory")


def _datum_name(content: bytes) -> str | None:
    try:
        name = tomllib.loads(content.decode("utf-8")).get("b00t", {}).get("name")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def _read(path: Path, limit: int) -> bytes | None:
    try:
        return read_regular(path, limit)
    except (OSError, NotRegularError):
        return None


def _plan_recipes(found: Scaffold) -> None:
    recipes = justfile_bytes()
    limit = len(recipes) + 1
    names = _justfiles(found.root)
    if any(_read(found.root / n, limit) == recipes for n in [*names, RECIPES_BESIDE]):
        return  # datumc's recipes are there already
    if not names:
        found.planned.append(Planned(Output(JUSTFILE, recipes), Action.CREATE))
        return
    path = found.root / RECIPES_BESIDE
    if os.path.lexists(path):
        found.notes.append(f"kept your {found.shown(names[0])} and {display_path(path)}; "
                           "datumc's just recipes were not written")
        return
    found.planned.append(Planned(Output(RECIPES_BESIDE, recipes), Action.CREATE))
    found.notes.append(
        f"kept your {found.shown(names[0])}; datumc's recipes go to {display_path(path)}: run "
        f"`just -f {display_path(path)} up`, or add `import '{RECIPES_BESIDE}'` to your "
        "justfile")


def _justfiles(root: Path) -> list[str]:
    try:
        return sorted(p.name for p in root.iterdir() if p.name.lower() in _JUSTFILE_NAMES)
    except OSError:
        return []


def _plan_gitignore(found: Scaffold) -> None:
    path = found.root / GITIGNORE
    lines = ", ".join(gitignore.ENTRIES)
    if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
        found.notes.append(f"kept {display_path(path)} (not a regular file); make sure git "
                           f"ignores: {lines}")
        return
    current = _read(path, _MAX_GITIGNORE) if path.exists() else None
    if path.exists() and current is None:
        found.notes.append(f"could not read {display_path(path)}; make sure git ignores: "
                           f"{lines}")
        return
    after = gitignore.with_entries(current)
    if after is None:
        return
    mode = 0o644 if current is None else stat.S_IMODE(path.stat().st_mode)
    action = Action.CREATE if current is None else Action.UPDATE
    found.planned.append(Planned(Output(GITIGNORE, after, mode), action, current))
