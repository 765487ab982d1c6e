"""`datumc import CONFIG.yaml [--out DIR]`: a LiteLLM config -> datums + datumc.toml.

Writes DIR/datumc.toml and DIR/datums/NN-<model>.ai_model.toml, all or nothing. An
existing file is never overwritten without --force (which keeps it as <name>.bak); a
symlinked output directory is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics, summarize
from datumc.importer.codes import EXISTS, MIXED
from datumc.importer.plan import ImportResult, import_config
from datumc.importer.render import DATUM_DIR
from datumc.load.discover import walk_datums
from datumc.load.source import display_path, real_path
from datumc.load.yaml_loader import load_yaml
from datumc.report.text import render as render_text
from datumc.validate.limits import MAX_YAML_BYTES
from datumc.write import UNSAFE_DIR
from datumc.write.output import Output
from datumc.write.writer import Action, Planned, apply_owned


@dataclass(frozen=True, slots=True)
class ImportArgs:
    config: Path
    out: Path = Path()
    force: bool = False


def run(args: ImportArgs, console: Console) -> int:
    doc = load_yaml(args.config, limit=MAX_YAML_BYTES)
    if isinstance(doc, Diagnostic):
        return _fail(console, [doc])
    result = import_config(doc)
    if not result.ok:
        return _fail(console, list(result.diagnostics))
    planned, found = plan_files(args.out, result.outputs, force=args.force)
    diags = [*result.diagnostics, *found]
    if has_errors(found):
        return _fail(console, diags)
    _report(console, diags)
    written = apply_owned(args.out, planned)
    if written.diagnostics:
        _report(console, written.diagnostics)
        console.err("datumc: fix the cause and import again (add --force for files already "
                    "written)")
        return 1
    _summary(console, args, result, planned, written.backups)
    return 0


def plan_files(out: Path, outputs: Sequence[Output], *, force: bool) -> (
    tuple[list[Planned], list[Diagnostic]]
):
    """What writing `outputs` under `out` would do; errors for anything unsafe or in the way."""
    diags = [d for d in (_unsafe(out), _unsafe(out / DATUM_DIR)) if d is not None]
    if out.exists() and not out.is_dir():
        diags.append(Diagnostic(EXISTS, Severity.ERROR, "is a file, not a directory",
                                display_path(out), hint="pass --out with a directory"))
    if diags:
        return [], diags
    planned = []
    for output in outputs:
        step, problem = _plan_one(out / output.relpath, output, force=force)
        planned.append(step)
        if problem is not None:
            diags.append(problem)
    mixed = _mixed(out, outputs)
    if mixed is not None:
        diags.append(mixed)
    return planned, diags


def _plan_one(path: Path, output: Output, *, force: bool) -> tuple[Planned, Diagnostic | None]:
    shown = display_path(path)
    if path.is_symlink() or path.is_dir():
        what = "a symlink" if path.is_symlink() else "a directory"
        return Planned(output, Action.CONFLICT), Diagnostic(
            UNSAFE_DIR, UNSAFE_DIR.severity, f"is {what}; refusing to write the import there",
            shown,
            hint="remove it, or import into another directory with --out")
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return Planned(output, Action.CREATE), None
    except OSError as exc:
        return Planned(output, Action.CONFLICT), Diagnostic(
            EXISTS, Severity.ERROR, f"cannot read the existing file: {exc.strerror}", shown)
    if current == output.content:
        return Planned(output, Action.UNCHANGED, current), None
    if force:
        return Planned(output, Action.UPDATE, current, backup=True), None
    return Planned(output, Action.CONFLICT, current), Diagnostic(
        EXISTS, Severity.ERROR, "already exists; not overwritten", shown,
        hint="import into an empty directory with --out DIR, or pass --force (the old file "
        "is kept as .bak)")


def _unsafe(directory: Path) -> Diagnostic | None:
    if not directory.is_symlink():
        return None
    return Diagnostic(
        UNSAFE_DIR, UNSAFE_DIR.severity,
        f"is a symlink to {real_path(directory)}; refusing to import into it",
        display_path(directory), hint="pass --out with a real directory")


def _mixed(out: Path, outputs: Sequence[Output]) -> Diagnostic | None:
    datums = out / DATUM_DIR
    if not datums.is_dir():
        return None
    ours = {real_path(out / o.relpath) for o in outputs}
    others = sorted(p.name for p in walk_datums(datums) if real_path(p) not in ours)
    if not others:
        return None
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return Diagnostic(
        MIXED, Severity.WARNING,
        f"{len(others)} other datum file(s) already here ({shown}) will be built together "
        "with the imported ones", display_path(datums),
        hint="remove them, or import into an empty directory with --out DIR")


def _fail(console: Console, diags: list[Diagnostic]) -> int:
    _report(console, diags)
    errors = summarize(diags)["error"]
    console.err(f"datumc: import failed with {errors} error(s); nothing was written")
    return 1


def _report(console: Console, diags: Sequence[Diagnostic]) -> None:
    if diags:
        console.err(render_text(sort_diagnostics(diags)))


def _summary(console: Console, args: ImportArgs, result: ImportResult,
             planned: list[Planned], backups: list[str]) -> None:
    groups = f" ({result.groups} model group(s))" if result.groups else ""
    console.out(f"imported {result.deployments} deployment(s){groups} from "
                f"{display_path(args.config)}")
    for step in planned:
        shown = display_path(args.out / step.output.relpath)
        console.out(f"{'unchanged' if step.action is Action.UNCHANGED else 'wrote'} {shown}")
    for backup in backups:
        console.err(f"kept the previous version as {backup}")
    where = "" if args.out.absolute() == Path.cwd() else f" --project {display_path(args.out)}"
    console.out(f"next: `datumc lint{where}`, then `datumc build{where}`")
