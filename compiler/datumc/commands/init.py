"""`datumc init [DIR]`: start a project with datums for the providers you have.

Writes DIR/datumc.toml, DIR/datums/*.ai_model.toml, a justfile and .gitignore entries,
then builds the project, so `datumc init-env` and `datumc serve` work next. Every file
is planned against the disk first: if datumc.toml or a datum is already there, nothing
is written. Files are written atomically, all or nothing, as `datumc import` writes.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from datumc.commands import build
from datumc.console import Console
from datumc.diagnostics import Diagnostic, sort_diagnostics
from datumc.errors import UsageError
from datumc.importer.plan import import_config
from datumc.load.source import display_path
from datumc.load.yaml_loader import load_yaml
from datumc.pipeline import analyse
from datumc.report.text import render as render_text
from datumc.scaffold import catalogue, guide
from datumc.scaffold.catalogue import CATALOGUE, Provider
from datumc.scaffold.plan import Scaffold, plan
from datumc.scaffold.render import project_outputs
from datumc.validate.limits import MAX_YAML_BYTES
from datumc.write.output import Output
from datumc.write.writer import apply_owned

NO_TERMINAL = (
    "no provider chosen, and no terminal to ask on: pass --provider NAME (repeatable), "
    "e.g. `datumc init --provider anthropic --provider ollama`, or --yes for a local "
    f"{catalogue.PROVIDERS[catalogue.DEFAULT].title} model (`datumc init --list` shows the "
    "providers)"
)


@dataclass(frozen=True, slots=True)
class InitArgs:
    directory: Path = Path()
    providers: tuple[str, ...] = ()
    source: Path | None = None
    yes: bool = False
    list_providers: bool = False


def run(args: InitArgs, console: Console) -> int:
    if args.list_providers:
        console.out(guide.catalogue_table())
        return 0
    if args.source is not None:
        if args.providers:
            raise UsageError("--from and --provider cannot be combined: --from takes the "
                             "models from the config; pass one or the other")
        return _from_config(args.source, args.directory, console)
    asking = not args.providers and not args.yes and _terminal(console)
    if asking and _refused(plan(args.directory, project_outputs(())), console):
        return 1  # before any question: the directory cannot take a project
    providers = _ask(console) if asking else _chosen(args)
    return _init(args.directory, providers, project_outputs(providers), console,
                 confirm=asking)


def _chosen(args: InitArgs) -> tuple[Provider, ...]:
    if args.providers:
        return catalogue.resolve(args.providers)
    if args.yes:
        return (catalogue.PROVIDERS[catalogue.DEFAULT],)
    raise UsageError(NO_TERMINAL)


def _from_config(source: Path, root: Path, console: Console) -> int:
    """As `datumc import SOURCE --out DIR`, plus the justfile and .gitignore entries."""
    doc = load_yaml(source, limit=MAX_YAML_BYTES)
    if isinstance(doc, Diagnostic):
        return _failed(console, [doc])
    result = import_config(doc)
    if not result.ok:
        return _failed(console, result.diagnostics)
    _report(console, result.diagnostics)
    return _init(root, (), result.outputs, console, confirm=False)


def _init(root: Path, providers: Sequence[Provider], owned: Sequence[Output],
          console: Console, *, confirm: bool) -> int:
    scaffold = plan(root, owned)
    if _refused(scaffold, console):
        return 1
    if confirm and not _confirmed(scaffold, console):
        return _failed(console, [])
    written = apply_owned(root, scaffold.planned)
    if written.diagnostics:
        scaffold.remove_new_dirs()
        return _failed(console, written.diagnostics, "fix the cause and run `datumc init` "
                       "again")
    for line in scaffold.steps(done=True):
        console.out(line)
    for note in scaffold.notes:
        console.out(f"note: {note}")
    if scaffold.others:
        console.out(f"note: {len(scaffold.others)} datum file(s) already in datums/ are "
                    "built with the new ones")
    return _build(root, providers, console)


def _refused(scaffold: Scaffold, console: Console) -> bool:
    for problem in scaffold.problems:
        console.err(f"datumc: {problem}")
    if scaffold.problems:
        _failed(console, [])
    return bool(scaffold.problems)


def _build(root: Path, providers: Sequence[Provider], console: Console) -> int:
    """Build at once, so that init-env finds build/litellm/.env.example."""
    progress = Console(stdout=io.StringIO(), stderr=console.stderr)  # not each file
    if build.run(build.BuildArgs(root), progress) != 0:
        console.err(f"datumc: the project is written, but `datumc build --project "
                    f"{display_path(root)}` failed (see above); fix that and build again")
        return 1
    compiled = analyse(root)
    assert compiled.stack is not None and compiled.config is not None  # it just built
    out = compiled.stack.out_dir
    console.out(f"built {display_path(out)}/ (config.yaml, .env.example, podman, compose, "
                "kubernetes)\n")
    port = compiled.stack.project.proxy.port
    console.out(guide.next_steps(root, compiled.config.env, providers, port))
    return 0


# -- asking on a terminal ------------------------------------------------------------


def _terminal(console: Console) -> bool:
    """stdin and stdout are terminals: only then is anyone there to answer."""
    return _isatty(sys.stdin) and _isatty(console.stdout)


def _isatty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or not a real stream
        return False


def _ask(console: Console) -> tuple[Provider, ...]:
    console.out("Providers datumc init can set up:")
    for number, provider in enumerate(CATALOGUE, start=1):
        console.out(f"  {number}. {provider.name:<11} needs {provider.needs}")
    chosen: tuple[Provider, ...] = click.prompt(
        "Which ones (names or numbers, separated by spaces or commas)",
        default=catalogue.DEFAULT, value_proc=parse_choice)
    return chosen


def parse_choice(text: str) -> tuple[Provider, ...]:
    """The providers an answer names, by name or by number in the catalogue."""
    words = [w for w in re.split(r"[\s,]+", text) if w]
    if not words:
        raise click.BadParameter("name at least one provider")
    try:
        return catalogue.resolve(_by_number(w) for w in words)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def _by_number(word: str) -> str:
    if word.isdigit() and 1 <= int(word) <= len(CATALOGUE):
        return CATALOGUE[int(word) - 1].name
    return word


def _confirmed(scaffold: Scaffold, console: Console) -> bool:
    console.out(f"datumc init will write into {display_path(scaffold.root)}:")
    for line in scaffold.steps():
        console.out(f"  {line}")
    for note in scaffold.notes:
        console.out(f"  note: {note}")
    return click.confirm("Go ahead?", default=True)


# -- reporting --------------------------------------------------------------------------


def _report(console: Console, diags: Sequence[Diagnostic]) -> None:
    if diags:
        console.err(render_text(sort_diagnostics(diags)))


def _failed(console: Console, diags: Sequence[Diagnostic],
            then: str = "nothing was written") -> int:
    _report(console, diags)
    console.err(f"datumc: {then}")
    return 1
