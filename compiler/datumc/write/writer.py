"""Write planned outputs: compare with disk first, then all-or-nothing, atomically.

The one writer, in parts: `manifest` (what datumc wrote), `handedit` (the check
under the lock, and the masked diff), `atomic` (temp file, fsync, rename), `lock`
(one build per output directory); this module plans against disk and applies.

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

import errno
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.load.source import display_path, real_path
from datumc.write import HAND_EDITED, UNSAFE_DIR, WRITE_FAILED
from datumc.write.atomic import (
    TMP_SUFFIX,
    NotRegularError,
    Opener,
    clean_temps,
    default_open,
    fsync_dir,
    os_reason,
    read_current,
    read_regular,
    replace_if_unchanged,
    write_atomic,
    write_temp,
)
from datumc.write.handedit import conflict
from datumc.write.lock import LOCK, build_lock
from datumc.write.manifest import (
    MANIFEST,
    ManifestState,
    load_manifest,
    manifest_bytes,
    read_manifest,
    sha256,
)
from datumc.write.output import Output

_MAX_BACKUPS = 1000


_BACKUP_NAME = re.compile(r"\.bak(\.[0-9]+)?$")


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CHMOD = "chmod"
    REMOVE = "remove"  # a file datumc wrote that no target generates any more
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Planned:
    output: Output
    action: Action
    current: bytes | None = None
    backup: bool = False  # a forced overwrite of a hand edit: keep it as <name>.bak


@dataclass(slots=True)
class WriteResult:
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def check_out_dir(out_dir: Path, root: Path) -> Diagnostic | None:
    """Refuse an output directory that is (or sits under) a symlink inside the project.

    An explicit --out outside the project is the user's choice: only the directory itself
    is checked there (its parents may be symlinks, e.g. /tmp on macOS).
    """
    probe = out_dir.absolute()
    root = root.absolute()
    inside = probe.is_relative_to(root)
    while True:
        if inside and probe == root:
            return None  # the project itself may be reached through a symlink
        if probe.is_symlink():
            return Diagnostic(
                UNSAFE_DIR, UNSAFE_DIR.severity,
                f"output directory {display_path(probe)} is a symlink to {real_path(probe)}",
                display_path(probe),
                hint="datumc writes only inside the project: remove the symlink or change "
                "[datumc] out_dir",
            )
        if not inside or probe.parent == probe:
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
        current = read_current(path)
        known = manifest.files.get(output.relpath, [])
        action = _action(path, output, current, known, force)
        if action is Action.CONFLICT:
            diags.append(conflict(path, current or b"", output, manifest.state))
        edited = current is not None and action is Action.UPDATE and sha256(current) not in known
        planned.append(Planned(output, action, current, backup=edited))
    for stale in _no_longer_generated(out_dir, outputs, manifest.files, force):
        planned.append(stale)
        if stale.action is Action.CONFLICT:
            diags.append(_edited_stale(out_dir / stale.output.relpath))
    return planned, diags


def _no_longer_generated(out_dir: Path, outputs: list[Output], owned: dict[str, list[str]],
                         force: bool) -> list[Planned]:
    """Files the manifest owns, in the directories of the targets being built, that no
    output is any more: removed, unless edited by hand (then kept, as any edit is)."""
    generated = {o.relpath for o in outputs}
    dirs = {rel.split("/", 1)[0] + "/" for rel in generated}
    out = []
    for rel, known in sorted(owned.items()):
        if rel in generated or not rel.startswith(tuple(dirs)) or _unsafe_path(out_dir, rel):
            continue
        current = read_current(out_dir / rel)
        edited = current is not None and sha256(current) not in known
        action = Action.CONFLICT if edited and not force else Action.REMOVE
        out.append(Planned(Output(rel, b""), action, current, backup=edited))
    return out


def _edited_stale(path: Path) -> Diagnostic:
    return Diagnostic(
        HAND_EDITED, HAND_EDITED.severity,
        "is no longer generated, but was edited by hand since datumc wrote it; not removed",
        display_path(path), hint="remove it yourself, or run `datumc build --force` (it is "
        "kept as .bak)")


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
            return None  # reported by read_current with a clear message
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


def apply_writes(out_dir: Path, planned: list[Planned], *, opener: Opener = default_open) -> (
    WriteResult
):
    """Write every CREATE/UPDATE/CHMOD, all or nothing. Call with the build lock held."""
    result = WriteResult()
    todo = [p for p in planned if p.action in (Action.CREATE, Action.UPDATE)]
    chmods = [p for p in planned if p.action is Action.CHMOD]
    removals = [p for p in planned if p.action is Action.REMOVE]
    manifest = read_manifest(out_dir)
    final = dict(manifest)
    for p in planned:
        if p.action is Action.REMOVE:
            final.pop(p.output.relpath, None)
        elif p.action is not Action.CONFLICT:
            final[p.output.relpath] = [sha256(p.output.content)]
    if not todo and not chmods and not removals and final == manifest:
        return result
    temps, error = _stage(out_dir, todo, opener)
    if error is not None:
        result.diagnostics.append(error)
        return result
    transitional = {k: list(dict.fromkeys([*manifest.get(k, []), *v])) for k, v in final.items()}
    try:
        write_atomic(out_dir / MANIFEST, manifest_bytes(transitional), 0o644, opener)
        _commit(out_dir, temps, chmods, result, opener)
        if not result.diagnostics:
            _remove(out_dir, removals, result, opener)
        write_atomic(out_dir / MANIFEST, manifest_bytes(final), 0o644, opener)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        result.diagnostics.append(_partial(out_dir, result.changed, exc))
    return result


def apply_owned(root: Path, planned: list[Planned], *, opener: Opener = default_open) -> (
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
            f"could not write output: {os_reason(exc)}; no file was changed",
            display_path(Path(exc.filename) if exc.filename else out_dir),
            hint="check free space and permissions on the output directory",
        )
    return temps, None


def _commit(out_dir: Path, temps: list[tuple[Path, Planned]], chmods: list[Planned],
            result: WriteResult, opener: Opener) -> None:
    """Rename the staged files into place. Each file is checked again right before its
    rename: one edited by hand while the build ran is kept, and reported (DC020)."""
    directories = {(out_dir / p.output.relpath).parent for _, p in temps} | {out_dir}
    edited = _edited_meanwhile(out_dir, temps)
    if edited:  # found before any rename: nothing changes
        result.diagnostics.extend(edited)
        _discard(temps)
        return
    for tmp, p in list(temps):
        path = out_dir / p.output.relpath
        if p.backup and p.current is not None:
            backup = _keep_backup(path, p, opener)
            result.backups.append(display_path(backup))
        temps.remove((tmp, p))
        if replace_if_unchanged(tmp, path, p.current):
            result.changed.append(p.output.relpath)
        else:
            result.diagnostics.append(_edited_during(path, p))
    for p in chmods:
        (out_dir / p.output.relpath).chmod(p.output.mode)
        result.changed.append(p.output.relpath)
    for directory in directories:
        fsync_dir(directory)


def _remove(out_dir: Path, removals: list[Planned], result: WriteResult,
            opener: Opener) -> None:
    """Delete files no longer generated, each only if it still holds what was planned
    against (a forced removal of a hand edit keeps it as .bak first)."""
    for p in removals:
        path = out_dir / p.output.relpath
        if p.current is None:
            continue  # already gone: only the manifest forgets it
        if p.backup:
            result.backups.append(display_path(_keep_backup(path, p, opener)))
        if read_current(path) != p.current:
            result.diagnostics.append(_edited_stale(path))
            continue
        path.unlink()
        result.removed.append(p.output.relpath)
        fsync_dir(path.parent)


def _edited_meanwhile(out_dir: Path, temps: list[tuple[Path, Planned]]) -> list[Diagnostic]:
    return [_edited_during(out_dir / p.output.relpath, p) for _, p in temps
            if read_current(out_dir / p.output.relpath) != p.current]


def _edited_during(path: Path, p: Planned) -> Diagnostic:
    now = read_current(path) or b""
    return conflict(path, now, p.output, ManifestState.OK)


def _discard(temps: list[tuple[Path, Planned]]) -> None:
    for tmp, _ in temps:
        tmp.unlink(missing_ok=True)
    temps.clear()


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
            existing = read_regular(backup)
        except FileNotFoundError:
            write_atomic(backup, p.current, mode, opener)
            return backup
        except (OSError, NotRegularError):
            continue  # a symlink, directory or unreadable file: leave it, try the next name
        if existing == p.current:
            return backup
    raise OSError(errno.EEXIST, f"{_MAX_BACKUPS} backups of {path.name} already exist; "
                  "remove old .bak files")


def _partial(out_dir: Path, changed: list[str], exc: OSError) -> Diagnostic:
    if not changed:
        what = f"could not write output: {os_reason(exc)}; no file was changed"
    else:
        what = (f"write failed part-way: {os_reason(exc)}. Updated: {', '.join(changed)}; "
                "every other file is unchanged (each file is whole: old or new)")
    return Diagnostic(
        WRITE_FAILED, WRITE_FAILED.severity,
        what,
        display_path(out_dir),
        hint="fix the cause and build again; the next build finishes the job",
    )


__all__ = [
    "HAND_EDITED",
    "LOCK",
    "MANIFEST",
    "TMP_SUFFIX",
    "UNSAFE_DIR",
    "WRITE_FAILED",
    "Opener",
    "build_lock",
    "clean_temps",
    "fsync_dir",
    "read_manifest",
    "write_temp",
]
