"""`datumc build`: validate, lint and render every target; write only what changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, Severity, summarize
from datumc.load.source import display_path
from datumc.pipeline import Compilation, compile_project
from datumc.report.text import render as render_text
from datumc.write.writer import (
    Action,
    Planned,
    apply_writes,
    build_lock,
    check_out_dir,
    clean_temps,
    pending,
    plan_writes,
    up_to_date,
)


@dataclass(frozen=True, slots=True)
class BuildArgs:
    project: Path
    out: Path | None = None
    targets: tuple[str, ...] = ()
    check: bool = False
    force: bool = False
    profile: str | None = None
    quiet: bool = False
    lock_timeout: float = 60.0


def run(args: BuildArgs, console: Console) -> int:
    result, out_dir = prepare(args, console)
    if out_dir is None:
        if not result.ok:
            console.err(_failed(result))
        return 1
    if args.check:
        return _check(out_dir, result, console, args_quiet=args.quiet)
    written = write_outputs(out_dir, result, args, console)
    if written.conflicts:
        console.err("datumc: nothing was written; fix the problems above and build again")
    if written.conflicts or written.errors:
        return 1
    if not written.changed and not written.removed and not args.quiet:
        console.out(f"datumc: {written.files} file(s) up to date in {display_path(out_dir)}")
    return 0


def prepare(args: BuildArgs, console: Console) -> tuple[Compilation, Path | None]:
    """Compile the project and check the output directory, reporting what was found.
    The directory to write is None when the build must stop."""
    result = compile_project(
        args.project, profile=args.profile, targets=args.targets or None, out=args.out,
        progress=console.progress,
    )
    console.end_progress()
    _report(result.diagnostics, console, quiet=args.quiet)
    if not result.ok or result.stack is None:
        return result, None
    out_dir = args.out if args.out is not None else result.stack.out_dir
    unsafe = check_out_dir(out_dir, args.project)
    if unsafe is not None:
        _report([unsafe], console)
        return result, None
    return result, out_dir


def _failed(result: Compilation) -> str:
    errors = summarize(result.diagnostics)["error"]
    return f"datumc: build failed with {errors} error(s); no file was written"


def _check(out_dir: Path, result: Compilation, console: Console, *,
           args_quiet: bool = False) -> int:
    planned, _ = plan_writes(out_dir, result.outputs)
    stale = pending(planned)
    for p in stale:
        console.err(f"stale: {display_path(out_dir / p.output.relpath)} ({p.action.value})")
    if stale:
        console.err(_stale_advice(stale))
        return 1
    if not args_quiet:
        console.out(f"datumc: {len(planned)} generated file(s) up to date in "
                    f"{display_path(out_dir)}")
    return 0


def _stale_advice(stale: list[Planned]) -> str:
    """What to run: a plain build would refuse to overwrite files edited by hand."""
    edited = sum(p.action is Action.CONFLICT for p in stale)
    text = f"datumc: {len(stale)} generated file(s) out of date; run `datumc build`"
    if edited:
        text = (f"datumc: {len(stale)} generated file(s) out of date, {edited} of them edited "
                "by hand: move those edits into the datums or datumc.toml, then run "
                "`datumc build --force` (it keeps each edited file as .bak)")
    return text


@dataclass(frozen=True, slots=True)
class Written:
    """What writing a compiled build did."""

    files: int                      # files the build generates
    changed: tuple[str, ...] = ()   # written (created, updated or re-moded)
    removed: tuple[str, ...] = ()   # no longer generated, so removed
    conflicts: int = 0              # edited by hand (DC020): nothing was written
    errors: int = 0                 # write failures


def write_outputs(out_dir: Path, result: Compilation, args: BuildArgs,
                  console: Console) -> Written:
    """Write the outputs (the one writer), saying what was written unless quiet."""
    planned, conflicts = plan_writes(out_dir, result.outputs, force=args.force)
    if not conflicts and up_to_date(out_dir, planned):
        # Nothing to write, so no lock either: taking it writes our pid into .datumc.lock,
        # and a no-op build must touch no file (watchers, make, rsync). A build running
        # concurrently cannot fool this: mid-build, its manifest lists two hashes.
        return Written(len(planned))
    with build_lock(out_dir, timeout=args.lock_timeout, notify=console.err):
        clean_temps(out_dir)
        planned, conflicts = plan_writes(out_dir, result.outputs, force=args.force)
        if conflicts:
            _report(conflicts, console)
            return Written(len(planned), conflicts=len(conflicts))
        written = apply_writes(out_dir, planned)
    _report(written.diagnostics, console)
    for backup in written.backups:
        console.err(f"kept your edited version as {backup}")
    if not args.quiet:
        for rel in written.changed:
            console.out(f"wrote {display_path(out_dir / rel)}")
        for rel in written.removed:
            console.out(f"removed {display_path(out_dir / rel)} (no longer generated)")
    return Written(len(planned), tuple(written.changed), tuple(written.removed),
                   errors=len(written.diagnostics))


def _report(diags: list[Diagnostic], console: Console, *, quiet: bool = False) -> None:
    shown = [d for d in diags if not quiet or d.severity is Severity.ERROR]
    if shown:
        console.err(render_text(shown))
