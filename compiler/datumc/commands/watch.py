"""`datumc build --watch` and `datumc serve --watch`: build, then build again after every
change to the project's inputs, until Ctrl-C.

The inputs are what a build reads: datumc.toml, every datum directory it configures,
and the env file (the build reads it so that no secret value in it reaches an output).
Each directory is watched on its own, not recursively, so an output directory, .git
or a virtualenv inside the project costs no watch; only datum files, datumc.toml and
the env file count as changes, so editor swap and backup files and datumc's own temp
files trigger nothing. After every build the set is worked out again: it follows
`datum_dirs` and new subdirectories.

watchfiles groups a burst of changes: a batch ends once nothing has changed for
STEP_MS, or after DEBOUNCE_MS of continuous changes. An editor saving several files, a
`git checkout` or ten quick saves make one build.

`serve --watch` runs the proxy as a child process (runtime/supervise.py) and restarts
it after a build that changed its config or its environment.
"""

from __future__ import annotations

import contextlib
import fnmatch
import itertools
import os
import signal
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, watch

from datumc.commands import serve
from datumc.commands.build import BuildArgs, prepare, write_outputs
from datumc.commands.serve import CONFIG, Launch, ServeArgs
from datumc.console import Console
from datumc.diagnostics import summarize
from datumc.errors import DatumcError, UsageError
from datumc.load.discover import is_datum_file, walk_datums
from datumc.load.source import display_path
from datumc.load.stack import PROJECT_FILE, load_project
from datumc.pipeline import Compilation
from datumc.runtime.proxy import require_litellm
from datumc.runtime.supervise import Child, describe_exit, shutdown_signals
from datumc.validate.project import Project
from datumc.write.writer import clean_temps

STEP_MS = 300  # a batch of changes ends after this long without one
DEBOUNCE_MS = 3_000  # ... or after this long of changes going on
TICK_MS = 500  # when idle, how often to check that the project (and the proxy) are there
# Never an input, even where an input's name would match.
IGNORED = ("*.datumc-tmp", ".*.sw?", "*~", "4913", ".#*", "#*#")

Fingerprint = frozenset[tuple[str, int, int, int]]


def watch_build(args: BuildArgs, console: Console) -> int:
    return Watcher(args, console).run()


def watch_serve(args: ServeArgs, console: Console) -> int:
    require_litellm()  # before the first build: nothing to serve with otherwise
    server = Server(args, console)
    build = BuildArgs(args.project, profile=args.profile)
    watcher = Watcher(build, console, after=server.update, tick=server.check)
    with shutdown_signals() as shutdown:
        try:
            return watcher.run()
        except KeyboardInterrupt:
            server.stop()
            if shutdown.signum is None:
                raise
            console.err(f"datumc: stopped by {signal.Signals(shutdown.signum).name}")
            return 128 + shutdown.signum
        finally:  # every way out stops the proxy
            server.stop()


# -- what to watch -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a build reads, and where it writes, as absolute paths."""

    root: Path
    files: frozenset[Path]  # datumc.toml and the env file
    datum_dirs: tuple[Path, ...]
    out_dir: Path
    outputs: tuple[Path, ...]  # output directories (this build's and the project's)

    @classmethod
    def of(cls, root: Path, project: Project, args: BuildArgs) -> Inputs:
        base = root / project.datumc.out_dir
        out_dir = args.out.absolute() if args.out is not None else (
            base / args.profile if args.profile else base)
        return cls(root, frozenset({root / PROJECT_FILE, root / project.proxy.env_file}),
                   tuple(root / d for d in project.datumc.datum_dirs), out_dir,
                   (base, out_dir))

    def directories(self) -> frozenset[Path]:
        """The directories to watch, each on its own: the project's, the env file's, every
        datum directory and its subdirectories (hidden ones and outputs left out, as
        discovery leaves them), and for a datum directory that does not exist yet, its
        nearest existing parent."""
        found = {self.root}
        found.update(f.parent for f in self.files if f.parent.is_dir())
        for directory in self.datum_dirs:
            if directory.is_dir():
                found.update(_tree(directory, self.outputs))
            else:
                found.add(_nearest(directory, self.root))
        return frozenset(found)

    def fingerprint(self) -> Fingerprint:
        """Path, inode, size and mtime of every input file: shows a change made while no
        watch was in place."""
        paths = [*self.files, *(p for d in self.datum_dirs for p in walk_datums(d))]
        return frozenset(s for s in map(_stat, paths) if s is not None)

    def describe(self) -> str:
        shown = [_shown(p) for p in sorted(self.files)]
        return ", ".join([*shown, *(_shown(d) + "/" for d in self.datum_dirs)])


def _shown(path: Path) -> str:
    try:
        return display_path(path)
    except OSError:  # no working directory any more (it was deleted)
        return str(path)


def _tree(directory: Path, outputs: tuple[Path, ...]) -> list[Path]:
    found = [directory]
    try:
        with os.scandir(directory) as scan:
            entries = [e for e in scan if not e.name.startswith(".")
                       and e.is_dir(follow_symlinks=False)]
    except OSError:  # unreadable or vanished: discovery skips it too
        return found
    for entry in entries:
        path = Path(entry.path)
        if not any(path.is_relative_to(o) for o in outputs):
            found.extend(_tree(path, outputs))
    return found


def _nearest(directory: Path, root: Path) -> Path:
    """The nearest existing parent of `directory`, at most `root`."""
    for parent in directory.parents:
        if parent == root or not parent.is_relative_to(root) or parent.is_dir():
            return parent
    return root


def _stat(path: Path) -> tuple[str, int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return str(path), info.st_ino, info.st_size, info.st_mtime_ns


def ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED)


@dataclass(frozen=True, slots=True)
class Watched:
    """The directories being watched, and which of their changes matter (the watchfiles
    filter)."""

    inputs: Inputs
    directories: frozenset[Path]

    def __call__(self, change: Change, path: str) -> bool:
        found = Path(path)
        if ignored(found.name):
            return False
        if found in self.inputs.files or found in self.directories:
            return True
        if any(found.is_relative_to(o) for o in self.inputs.outputs):
            return False
        home = next((d for d in self.inputs.datum_dirs if found.is_relative_to(d)), None)
        if home is None:  # a datum directory, or one of its parents, came or went
            return any(d.is_relative_to(found) for d in self.inputs.datum_dirs)
        if any(part.startswith(".") for part in found.relative_to(home).parts):
            return False
        return is_datum_file(found) or found.is_dir()


# -- one build ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one build did."""

    compiled: Compilation | None
    changed: tuple[str, ...] = ()  # output files written or removed
    errors: int = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.compiled is not None and self.compiled.ok


def build_outputs(args: BuildArgs, console: Console) -> Outcome:
    """`datumc build`, saying what it did as build does, and returning it."""
    compiled, out_dir = prepare(args, console)
    if out_dir is None:
        return Outcome(compiled, errors=max(1, summarize(compiled.diagnostics)["error"]))
    written = write_outputs(out_dir, compiled, args, console)
    return Outcome(compiled, (*written.changed, *written.removed),
                   written.conflicts + written.errors)


def summary(outcome: Outcome, *, first: bool = False) -> str:
    """The status line of one build."""
    if not outcome.ok:
        return f"build failed: {_count(outcome.errors, 'error')}; the last good build is kept"
    if not outcome.changed:
        return "built: no change" if first else "no change"
    return f"{'built' if first else 'rebuilt'}: {_count(len(outcome.changed), 'file')} changed"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def status(console: Console, text: str) -> None:
    console.err(f"[{time.strftime('%H:%M:%S')}] {text}")


# -- the watch ---------------------------------------------------------------------------


def _nothing(*_: object) -> None:
    return None


class Watcher:
    """Build, then build again after each batch of changes to the inputs, until Ctrl-C
    (KeyboardInterrupt, raised through) or until the project directory is gone (1)."""

    def __init__(self, args: BuildArgs, console: Console, *,
                 after: Callable[[Outcome], None] = _nothing,
                 tick: Callable[[], None] = _nothing) -> None:
        self.args, self.console, self.after, self.tick = args, console, after, tick
        self.root = args.project.absolute()
        self.identity = _identity(self.root)
        if self.identity is None:
            raise DatumcError(f"the project directory {self.root} does not exist")
        project, *_ = load_project(args.project, profile=args.profile)
        self.inputs = Inputs.of(self.root, project or Project(), args)
        self.seen: Fingerprint = frozenset()  # the inputs as the last build started

    def run(self) -> int:
        try:
            self.build(first=True)
            self.console.err(f"datumc: watching {self.inputs.describe()}; Ctrl-C to stop")
            return self._watch()
        except KeyboardInterrupt:
            clean_temps(self.inputs.out_dir)  # of a write the interrupt cut short
            raise

    def build(self, *, first: bool = False) -> None:
        self.seen = self.inputs.fingerprint()
        outcome = self._attempt(first)
        if outcome.compiled is not None and outcome.compiled.stack is not None:
            self.inputs = Inputs.of(self.root, outcome.compiled.stack.project, self.args)
        status(self.console, summary(outcome, first=first))
        self.after(outcome)

    def _attempt(self, first: bool) -> Outcome:
        try:
            return build_outputs(self.args, self.console)
        except DatumcError as exc:  # e.g. datumc.toml lost the --profile, a file is in the way
            if first and isinstance(exc, UsageError):
                raise
            self.console.err(f"datumc: {exc}")
            return Outcome(None, errors=1)

    def _watch(self) -> int:
        while not self._gone():
            described = self.inputs.describe()
            self._follow(Watched(self.inputs, self.inputs.directories()))
            if self.inputs.describe() != described and not self._gone():
                self.console.err(f"datumc: now watching {self.inputs.describe()}")
        self.console.err(f"datumc: the project directory {self.root} is gone; stopped watching")
        return 1

    def _follow(self, watched: Watched) -> None:
        """Build after each batch of changes, until the directories to watch change or the
        project directory is gone."""
        changes = watch(
            *sorted(watched.directories), watch_filter=watched, debounce=DEBOUNCE_MS,
            step=STEP_MS, rust_timeout=TICK_MS, yield_on_timeout=True, recursive=False,
            ignore_permission_denied=True,
        )
        with contextlib.closing(changes):
            try:
                first = next(changes)  # the watches are in place from here on
            except FileNotFoundError:  # a directory went away meanwhile: list them again
                return
            except (OSError, RuntimeError) as exc:  # e.g. out of inotify watches
                raise DatumcError(f"cannot watch the project: {exc} (set "
                                  "WATCHFILES_FORCE_POLLING=1 to poll instead)") from None
            # Changed between the last build's start and now: nothing was watching.
            missed = self.inputs.fingerprint() != self.seen
            for batch in itertools.chain([first], changes):
                if self._gone():
                    return
                self.tick()
                if batch or missed:
                    missed = False
                    self.build()
                    if self.inputs.directories() != watched.directories:
                        return

    def _gone(self) -> bool:
        return _identity(self.root) != self.identity


def _identity(directory: Path) -> tuple[int, int] | None:
    """Device and inode of a directory: another directory put in its place is not it."""
    try:
        info = directory.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None


# -- serve --watch -----------------------------------------------------------------------

KEEPS_RUNNING = "the proxy keeps running the last good config"


class Server:
    """The proxy of `serve --watch`: started after the first good build, restarted after a
    build that changed its config or its environment, left alone otherwise."""

    def __init__(self, args: ServeArgs, console: Console) -> None:
        self.args, self.console = args, console
        self.child: Child | None = None
        self.serving: tuple[Launch, bytes] | None = None  # how the child was started

    def update(self, outcome: Outcome) -> None:
        self.check()  # it may have ended during the build
        compiled = outcome.compiled
        if not outcome.ok or compiled is None:
            status(self.console, "build failed; " + (
                KEEPS_RUNNING if self.child else "the proxy starts after the next good build"))
            return
        launch = serve.prepare(self.args, compiled)
        wanted = (launch, _config(compiled))
        if self.child is not None and wanted == self.serving:
            status(self.console, "the proxy's config did not change; not restarted")
            return
        if not serve.check_env(compiled, launch, self.console):
            status(self.console, KEEPS_RUNNING if self.child else
                   "the proxy starts once its environment is complete")
            return
        self._start(compiled, wanted)

    def _start(self, compiled: Compilation, wanted: tuple[Launch, bytes]) -> None:
        if self.child is not None and self.serving is not None:
            what = "config" if wanted[1] != self.serving[1] else "command line or environment"
            status(self.console, f"restarting the proxy: its {what} changed")
            self.stop()
        serve.announce(self.args, compiled, self.console)
        launch = wanted[0]
        self.child = Child(launch.argv, launch.env)
        self.serving = wanted
        status(self.console, f"proxy started (pid {self.child.pid})")

    def check(self) -> None:
        """Say so when the proxy has ended by itself; the next good build starts it."""
        code = self.child.exit_code() if self.child is not None else None
        if code is None:
            return
        self.stop()
        status(self.console,
               f"the proxy {describe_exit(code)}; it starts again after the next good change")

    def stop(self) -> None:
        if self.child is None:
            return
        if self.child.exit_code() is None:
            status(self.console, f"stopping the proxy (pid {self.child.pid})")
        self.child.stop()
        self.child = None


def _config(compiled: Compilation) -> bytes:
    return next(o.content for o in compiled.outputs if o.relpath == CONFIG)
