"""Command-line interface. Parsing only: each command fills an Args and calls run()."""

from __future__ import annotations

# The C module, already loaded by the interpreter: `import signal` takes a millisecond
# (it builds enums), a millisecond in which Ctrl-C would still print a traceback.
import _signal  # type: ignore[import-not-found]
import os
import sys
from types import FrameType

# Ctrl-C is handled before anything slow is imported. Until main() runs (while Python
# imports click, pydantic, ...) and after it returns, SIGINT ends the process at once
# with exit 130; inside main() it raises KeyboardInterrupt, so clean-up runs and main()
# says "interrupted". Either way: exit 130, no traceback.
_CLEAN_UP = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _CLEAN_UP
    if _CLEAN_UP:
        _CLEAN_UP = False  # a second Ctrl-C does not wait for the clean-up
        raise KeyboardInterrupt
    os.write(2, b"\ndatumc: interrupted\n")
    os._exit(130)


def _launched_as_datumc() -> bool:
    """This process is the `datumc` command (the console script or `python -m datumc`),
    not a program that imports datumc: only then is SIGINT datumc's to handle."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None and spec.name == "datumc.__main__":
        return True
    name = sys.argv[0].replace(os.sep, "/").rsplit("/", 1)[-1] if sys.argv else ""
    return name.split(".")[0] == "datumc"  # pathlib is not imported yet: it is slow


_COMMAND = _launched_as_datumc()
if _COMMAND and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _on_sigint)

import gc  # noqa: E402 - a C module, already loaded

# The GC thresholds main() raises for the command (see there), raised already while the
# command imports: importing click and pydantic and building the datum models allocates
# hundreds of thousands of long-lived objects and frees no cycles, and the default
# thresholds rescan them again and again (about 5 ms of every cold `datumc lint`).
_GC_THRESHOLDS = gc.get_threshold()
_COMMAND_GC_THRESHOLDS = (200_000, 30, 30)
if _COMMAND:
    gc.set_threshold(*_COMMAND_GC_THRESHOLDS)


def _no_pydantic_plugins() -> None:
    """The datumc command validates only its own models, which no pydantic plugin is for.
    Looking plugins up imports `importlib.metadata` and reads the entry points of every
    installed distribution (about 20 ms of every cold command, more in an environment
    with LiteLLM installed): answer "none" instead. Only when this process is the datumc
    command, never when a program imports datumc."""
    name = "pydantic.plugin._loader"
    if name in sys.modules:
        return
    from types import ModuleType

    stub = ModuleType(name, "No pydantic plugins: the datumc command validates its own models.")
    stub.get_plugins = tuple  # type: ignore[attr-defined]  # () : no plugins
    sys.modules[name] = stub


if _COMMAND:
    _no_pydantic_plugins()

import contextlib  # noqa: E402 - after the SIGINT handler, on purpose
import errno  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

import click  # noqa: E402

from datumc import __version__  # noqa: E402
from datumc.console import Console  # noqa: E402
from datumc.errors import DatumcError, UsageError  # noqa: E402

T = TypeVar("T")
EXIT_INTERNAL = 3

NAME_MAX = 255  # bytes in one file name, on every file system datumc runs on


class _PathArg(click.Path):
    """click.Path, refusing a path the system cannot look up at all (a name over 255
    bytes, a path over PATH_MAX, a symlink loop): a usage error, not an OSError or a
    RuntimeError deep inside a command."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        problem = path_problem(os.fsdecode(value))
        if problem is not None:
            self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)


def path_problem(path: str) -> str | None:
    """Why `path` can never name a file, or None."""
    for part in Path(path).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return f"the name {_short(part)} is {size} bytes long; the limit is {NAME_MAX}"
    try:
        Path(path).stat()
    except OSError as exc:  # ENAMETOOLONG (over PATH_MAX), ELOOP (a symlink loop), ...
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            return f"{_short(path)}: {exc.strerror or exc}"
    except ValueError:  # a NUL byte
        return f"{_short(path)} holds a NUL byte"
    return None


def _short(text: str) -> str:
    shown = click.format_filename(text)
    return repr(shown if len(shown) <= 40 else shown[:40] + "...")


_DIR = _PathArg(file_okay=False, path_type=Path)
_PATH = _PathArg(path_type=Path)


def _execute(run: Callable[[T, Console], int], args: T) -> None:
    raise SystemExit(run(args, Console()))


def _format_choices() -> list[str]:
    from datumc.report import REPORTERS

    return list(REPORTERS)


def _target_choices() -> list[str]:
    from datumc.targets import TARGETS

    return list(TARGETS)


class _LazyChoice(click.Choice):  # type: ignore[type-arg]
    """A Choice whose values come from a registry, imported only when the command runs."""

    def __init__(self, source: Callable[[], list[str]]) -> None:
        super().__init__([])
        self._source = source

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        self.choices = tuple(self._source())
        return super().convert(value, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="datumc")
def cli() -> None:
    """Compile LiteLLM proxy configs from datums: one small TOML file per model.

    \b
    Typical use:
      datumc init               # start a project with datums for your providers
      datumc build              # datums/ -> build/ (config.yaml, .env.example, podman, ...)
      datumc lint               # check datums; or: datumc lint config.yaml .env
      datumc explain DC108      # what a finding means and how to fix it
      datumc import config.yaml # adopt an existing LiteLLM config
      datumc graph              # fallbacks, aliases and groups as a Mermaid diagram
    """


@cli.command()
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory (holds datumc.toml and datums/).")
@click.option("--out", "-o", type=_DIR, default=None,
              help="Output directory. Default: [datumc] out_dir, i.e. build/.")
@click.option("--target", "-t", "targets", multiple=True, type=_LazyChoice(_target_choices),
              help="Build only this target (repeatable): litellm, podman, compose, kubernetes.")
@click.option("--profile", default=None, help="Apply [profiles.NAME]; writes to build/NAME/.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if any generated file is missing or out of date.")
@click.option("--force", is_flag=True,
              help="Overwrite generated files that were edited by hand (kept as .bak).")
@click.option("--quiet", "-q", is_flag=True, help="Show errors only.")
@click.option("--watch", "-w", is_flag=True,
              help="Rebuild whenever a datum or datumc.toml changes, until Ctrl-C.")
def build(project: Path, out: Path | None, targets: tuple[str, ...], profile: str | None,
          check: bool, force: bool, quiet: bool, watch: bool) -> None:
    """Validate, lint and render every target. Writes only files that change."""
    from datumc.commands.build import BuildArgs, run

    args = BuildArgs(project, out, targets, check, force, profile, quiet)
    if watch:
        if check:
            raise click.UsageError("--watch and --check cannot be combined")
        from datumc.commands.watch import watch_build

        _execute(watch_build, args)
    _execute(run, args)


@cli.command()
@click.argument("paths", nargs=-1, type=_PATH)
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory, for context (fallback targets, [lint] settings).")
@click.option("--format", "-f", "fmt", type=_LazyChoice(_format_choices), default=None,
              help="text (default), json, github or sarif. Default under GitHub Actions: github.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--no-cache", is_flag=True,
              help="Run every rule even if nothing changed since the last lint "
              "(also: DATUMC_NO_CACHE=1).")
def lint(paths: tuple[Path, ...], project: Path, fmt: str | None, strict: bool,
         no_cache: bool) -> None:
    """Lint datums, hand-written LiteLLM YAML configs and .env files.

    With no PATH, lints the project's datums and datumc.toml. A PATH may be a
    datum file or directory, a LiteLLM config (*.yaml, *.yml) or an env file (.env*).
    Files unchanged since the last lint are reported from the cache in
    $DATUMC_CACHE_DIR (default ~/.cache/datumc).
    """
    from datumc.commands.lint import LintArgs, run

    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" and _has("github") else "text"
    _execute(run, LintArgs(paths, project, fmt, strict, cache=not no_cache))


def _finite(value: float, param: click.Parameter) -> float:
    """FloatRange lets nan through (every comparison with it is false)."""
    if value != value:
        raise click.BadParameter("must be a number of seconds, not nan", param=param)
    return value


def _listen_host(value: str, param: click.Parameter) -> str:
    """An IP address or a host name: the proxy gets it as one argument."""
    from datumc.validate.formats import host_problem

    problem = host_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{value!r} {problem}", param=param)
    return value


def _has(fmt: str) -> bool:
    return fmt in _format_choices()


@cli.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """Explain a rule (by code or name): why, a bad example and a good one. No CODE: list all."""
    from datumc.commands.explain import ExplainArgs, run

    _execute(run, ExplainArgs(code))


@cli.command()
@click.option("--dir", "directory", type=_DIR, default=Path("schemas"), show_default=True,
              help="Where the schemas live.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema is stale.")
def schema(directory: Path, check: bool) -> None:
    """Write JSON Schemas for datums and datumc.toml (for editors and CI)."""
    from datumc.commands.schema import SchemaArgs, run

    _execute(run, SchemaArgs(directory, check))


@cli.command("init-env")
@click.option("--from", "example", type=_PATH, default=Path("build/litellm/.env.example"),
              show_default=True, help="The env template `datumc build` wrote.")
@click.option("--env", "env", type=_PATH, default=Path(".env"), show_default=True,
              help="The env file to create or complete.")
def init_env(example: Path, env: Path) -> None:
    """Create the env file from the template, or add only the keys it is missing.

    Existing lines, comments and values are kept byte for byte; the file is
    written with mode 0600. Values are never printed.
    """
    from datumc.commands.init_env import InitEnvArgs, run

    _execute(run, InitEnvArgs(example, env))


@cli.command()
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory (holds datumc.toml, datums/ and .env).")
@click.option("--profile", default=None, help="Serve the build of [profiles.NAME].")
@click.option("--host", default="127.0.0.1", show_default=True,
              callback=lambda ctx, param, value: _listen_host(value, param),
              help="Address to listen on. Use 0.0.0.0 to accept other machines.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on. Default: [proxy] port (4000).")
@click.option("--dry-run", is_flag=True,
              help="Check the build and the environment, print the command; start nothing.")
@click.option("--watch", "-w", is_flag=True,
              help="Rebuild on every change to the datums or datumc.toml and restart the "
                   "proxy on the new config.")
def serve(project: Path, profile: str | None, host: str, port: int | None,
          dry_run: bool, watch: bool) -> None:
    """Run the LiteLLM proxy natively on the build output (needs datumc[proxy]).

    The proxy's environment is the shell plus the project's .env file (the shell
    wins). Needed variables that are missing, empty or placeholders are reported
    before it starts.
    """
    from datumc.commands.serve import ServeArgs, run

    args = ServeArgs(project, profile, host, port, dry_run)
    if watch:
        if dry_run:
            raise click.UsageError("--watch and --dry-run cannot be combined")
        from datumc.commands.watch import watch_serve

        _execute(watch_serve, args)
    _execute(run, args)


_URL_HELP = "Proxy URL. Default: http://127.0.0.1:<[proxy] port>."
_KEY_HELP = "Env var holding the master key (read from the shell, else .env). " \
            "Default: [proxy] master_key_env, i.e. LITELLM_MASTER_KEY."


@cli.command()
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory, for the port, key name and .env.")
@click.option("--url", default=None, help=_URL_HELP)
@click.option("--key-env", default=None, help=_KEY_HELP)
@click.option("--health", is_flag=True,
              help="Send a one-token chat to each model; table of status and latency; "
              "exit 1 if any fails.")
@click.option("--model", "-m", "models", multiple=True,
              help="With --health: check only this model (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=86_400.0), default=60.0,
              show_default=True, callback=lambda ctx, param, value: _finite(value, param),
              help="Seconds to wait for each model with --health.")
@click.option("--profile", default=None, help="Use [profiles.NAME] settings.")
def models(project: Path, url: str | None, key_env: str | None, health: bool,
           models: tuple[str, ...], timeout: float, profile: str | None) -> None:
    """List the models a running proxy serves (with its master key), or check them."""
    from datumc.commands.models import ModelsArgs, run

    _execute(run, ModelsArgs(project, url, key_env, health, models, timeout, profile))


@cli.command()
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory (holds datumc.toml, datums/ and .env).")
@click.option("--url", default=None, help=_URL_HELP)
@click.option("--key-env", default=None, help=_KEY_HELP)
@click.option("--profile", default=None, help="Check the deployment of [profiles.NAME].")
def doctor(project: Path, url: str | None, key_env: str | None, profile: str | None) -> None:
    """Check the deployment: .env, exported variables, the running proxy, freshness.

    One line per check with a fix for each problem; exit 1 if any check fails.
    Secret values are never printed.
    """
    from datumc.commands.doctor import DoctorArgs, run

    _execute(run, DoctorArgs(project, url, key_env, profile))


@cli.command()
@click.argument("directory", required=False, type=_DIR, default=Path(), metavar="[DIR]")
@click.option("--provider", "providers", multiple=True, metavar="NAME",
              help="Add datums for this provider (repeatable), e.g. --provider openai "
                   "--provider ollama. `datumc init --list` shows them.")
@click.option("--from", "source", type=_PathArg(dir_okay=False, path_type=Path), default=None,
              help="Start from an existing LiteLLM config.yaml (as `datumc import`).")
@click.option("--yes", "-y", is_flag=True, help="Never prompt: use the flags and defaults.")
@click.option("--list", "list_providers", is_flag=True,
              help="List the providers init knows, then exit.")
def init(directory: Path, providers: tuple[str, ...], source: Path | None, yes: bool,
         list_providers: bool) -> None:
    """Start a project in DIR (default: here) with datums for the providers you have.

    Writes datumc.toml, datums/, a justfile and .gitignore entries; never
    overwrites a file. On a terminal it asks which providers to add; elsewhere
    pass --provider (or --yes for a local Ollama model).
    """
    from datumc.commands.init import InitArgs, run

    _execute(run, InitArgs(directory, providers, source, yes, list_providers))


@cli.command()
@click.option("--project", "-p", type=_DIR, default=Path(), show_default=True,
              help="Project directory (holds datumc.toml and datums/).")
@click.option("--profile", default=None, help="Draw the config of [profiles.NAME].")
@click.option("--format", "-f", "fmt", type=click.Choice(["mermaid", "dot", "svg"]),
              default="mermaid", show_default=True,
              help="mermaid (for READMEs and pull requests), dot, or svg (needs Graphviz).")
@click.option("--output", "-o", type=_PATH, default=None,
              help="Write to this file instead of standard output.")
def graph(project: Path, profile: str | None, fmt: str, output: Path | None) -> None:
    """Draw the routing: models, aliases, groups, fallback chains and parallel models."""
    from datumc.commands.graph import GraphArgs, run

    _execute(run, GraphArgs(project, profile, fmt, output))


@cli.command()
def lsp() -> None:
    """Run the language server on stdio, for editors (needs datumc[lsp]).

    Diagnostics as `datumc lint` gives them, hover, completion, go to definition and
    quick fixes for datums, datumc.toml, LiteLLM YAML and .env files. Set-up for
    Neovim, VS Code and Helix: docs/lsp.md.
    """
    from datumc.lsp.server import main as lsp_main

    raise SystemExit(lsp_main())


@cli.command("import")
@click.argument("config", type=_PathArg(dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=_DIR, default=Path(), show_default=True,
              help="Project directory to create: DIR/datumc.toml and DIR/datums/.")
@click.option("--force", is_flag=True,
              help="Overwrite existing files (each is kept as <name>.bak).")
def import_(config: Path, out: Path, force: bool) -> None:
    """Turn a hand-written LiteLLM config.yaml into datums and a datumc.toml.

    Hardcoded keys are never copied: each becomes an env var name, with a warning
    that says which line held it. Anything datumc has no field for is kept verbatim
    in a pass-through table, so `datumc build` gives back an equivalent config.
    """
    from datumc.commands.import_ import ImportArgs, run

    _execute(run, ImportArgs(config, out, force))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: every failure becomes a message and an exit code, never a traceback."""
    global _CLEAN_UP
    # A build allocates many long-lived objects and frees almost no cycles, so the
    # default GC thresholds rescan the same objects again and again: about 10% of a
    # 10,000-datum build. Collect far less often (as mypy does); restore on return.
    gc_thresholds = _GC_THRESHOLDS if _COMMAND else gc.get_threshold()
    gc.set_threshold(*_COMMAND_GC_THRESHOLDS)
    try:
        _CLEAN_UP = True
        return _run(argv)
    except KeyboardInterrupt:  # raised in one of _run's handlers
        return _interrupted("interrupted")
    finally:
        _CLEAN_UP = False
        if _COMMAND:
            _before_exit()
        else:
            gc.set_threshold(*gc_thresholds)


def _before_exit() -> None:
    """The datumc command is about to exit: what it allocated lives until then. Restoring
    the default thresholds would set off a collection of the hundred thousand young
    objects of a build, and the interpreter's last collection at exit would scan them all
    again (together 30 to 50 ms of a 1,000-datum build, for no memory anyone gets back).
    Freezing them takes them out of every collection; they are freed as usual when the
    interpreter clears its modules."""
    gc.freeze()


def _run(argv: Sequence[str] | None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="datumc",
                 standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return _interrupted("interrupted")  # click turns KeyboardInterrupt into Abort
    except UsageError as exc:
        Console().err(f"datumc: {exc}")
        return 2
    except DatumcError as exc:
        Console().err(f"datumc: {exc}")
        return 1
    except KeyboardInterrupt:
        return _interrupted("interrupted")
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except Exception as exc:
        return _internal(exc)
    return 0


def _interrupted(what: str) -> int:
    """Exit 130. The datumc command exits here and now: CPython turns its own exit status
    into death by SIGINT when the interrupt landed inside code run by exec() (dataclasses
    and namedtuples make some), so a clean return would not always give 130."""
    global _CLEAN_UP
    _CLEAN_UP = False
    click.echo(f"datumc: {what}", err=True)
    if _COMMAND:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(130)
    return 130


def _internal(exc: BaseException) -> int:
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
    Console().err(
        f"datumc: internal error: {type(exc).__name__}: {exc}{where}. This is a bug in "
        "datumc; set DATUMC_DEBUG=1 for the traceback."
    )
    if os.environ.get("DATUMC_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
