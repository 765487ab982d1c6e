"""`datumc graph`: draw the routing of the planned LiteLLM config (Mermaid, DOT or SVG).

The project is compiled as `datumc build` compiles it (same diagnostics; any error:
exit 1 and no graph), and the graph is drawn from the config the build would write.
Nothing is written under the output directory: the graph goes to standard output, or
atomically to the file given with --output.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, summarize
from datumc.errors import DatumcError, UsageError
from datumc.graph import SUFFIXES, draw
from datumc.graph.svg import find_dot
from datumc.load.source import display_path
from datumc.pipeline import Compilation, compile_project
from datumc.report.text import render as render_text
from datumc.secrets.leaks import find_leaks, known_secrets
from datumc.write.atomic import clean_temps, default_open, os_reason, write_atomic
from datumc.write.output import Output


@dataclass(frozen=True, slots=True)
class GraphArgs:
    project: Path
    profile: str | None = None
    fmt: str = "mermaid"
    output: Path | None = None


def run(args: GraphArgs, console: Console) -> int:
    try:
        if args.fmt == "svg":
            find_dot()  # before the compile: say at once that Graphviz is missing
        return _run(args, console)
    except UsageError:
        raise  # exit 2, as for every command
    except DatumcError as exc:
        console.err(f"datumc: {exc}")
        return 1


def _run(args: GraphArgs, console: Console) -> int:
    result = compile_project(args.project, profile=args.profile)
    _report(result.diagnostics, console)
    if not result.ok or result.stack is None or result.config is None:
        console.err(_failed(result))
        return 1
    drawing = draw(result.config.model, args.fmt)
    content = drawing.content
    leaks = find_leaks(result.stack, [Output(f"graph{SUFFIXES[args.fmt]}", content)],
                       known_secrets(result.stack))
    if leaks:  # never print or write a secret
        _report(leaks, console)
        console.err("datumc: the graph would show a secret value; nothing was written")
        return 1
    for note in drawing.notes:
        console.err(f"note: {note}")
    if args.output is None:
        console.out(content.decode("utf-8"))
    else:
        write_graph(args.output, content)
        console.out(f"wrote {display_path(args.output)}")
    return 0


def _failed(result: Compilation) -> str:
    errors = summarize(result.diagnostics)["error"]
    return f"datumc: graph failed with {errors} error(s); nothing was drawn"


def _report(diags: list[Diagnostic], console: Console) -> None:
    if diags:
        console.err(render_text(diags))


def write_graph(path: Path, content: bytes) -> None:
    """Write `path` atomically (temp file, fsync, rename), keeping an existing file's mode."""
    shown = display_path(path)
    mode = _existing_mode(path)
    parent = path.parent
    if not parent.is_dir():
        raise DatumcError(f"cannot write {shown}: {display_path(parent)} is not a directory")
    try:
        clean_temps(parent, name=path.name)
        write_atomic(path, content, mode, default_open)
    except OSError as exc:
        raise DatumcError(f"cannot write {shown}: {os_reason(exc)}") from None


def _existing_mode(path: Path) -> int:
    """The mode to write with: 0644 for a new file, else the file's own. A directory, a
    symlink or a special file in the way is refused."""
    shown = display_path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return 0o644
    except OSError as exc:
        raise DatumcError(f"cannot write {shown}: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatumcError(f"{shown} is a directory; pass a file name to --output")
    if not stat.S_ISREG(info.st_mode):
        what = "a symlink" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        raise DatumcError(f"{shown} is {what}; remove it or pass another file to --output")
    return stat.S_IMODE(info.st_mode)
