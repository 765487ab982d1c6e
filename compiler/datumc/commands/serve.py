"""`datumc serve`: run the LiteLLM proxy natively on the build output.

The environment is the shell plus the project's env file (the shell wins). Before
starting, it says which needed variables are missing, empty or placeholders; a
missing master key is an error, since the proxy would then have no usable key.
Then it replaces itself with `litellm`, so signals and the exit code are the proxy's.
`serve --watch` (commands/watch.py) starts the same command as a child process instead.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, Severity
from datumc.errors import DatumcError
from datumc.load.source import display_path
from datumc.pipeline import Compilation, compile_project
from datumc.report.text import render as render_text
from datumc.runtime.environment import (
    EnvFile,
    Environment,
    env_file,
    gaps,
    merged,
    shell_env,
)
from datumc.runtime.proxy import LOCAL_HOST, require_litellm
from datumc.write.writer import pending, plan_writes

CONFIG = "litellm/config.yaml"  # relative to the output directory
# Offline by default: LiteLLM otherwise downloads its model cost map at start-up.
DEFAULTS = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}


@dataclass(frozen=True, slots=True)
class ServeArgs:
    project: Path
    profile: str | None = None
    host: str = LOCAL_HOST
    port: int | None = None
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class Launch:
    """How to start the proxy: its command line and its whole environment, and the env
    file and shell they were read from (for the checks, not compared)."""

    argv: tuple[str, ...]
    env: dict[str, str]
    file: EnvFile = field(compare=False)
    environment: Environment = field(compare=False)


def run(args: ServeArgs, console: Console) -> int:
    compiled = compile_project(args.project, profile=args.profile)
    errors = [d for d in compiled.diagnostics if d.severity is Severity.ERROR]
    if errors or compiled.stack is None or compiled.config is None:
        _report(errors or compiled.diagnostics, console)
        console.err("datumc: the datums have errors; fix them, run `datumc build`, then serve")
        return 1
    out_dir = compiled.stack.out_dir
    config = out_dir / CONFIG
    if not config.is_file():
        console.err(f"datumc: no build to serve at {display_path(config)}; run `datumc build`")
        return 1
    _warn_stale(out_dir, compiled, console)
    launch = prepare(args, compiled)
    if not check_env(compiled, launch, console):
        return 1
    announce(args, compiled, console)
    if args.dry_run:
        console.out(shlex.join(launch.argv))
        return 0
    _exec(launch.argv[0], list(launch.argv), launch.env)
    return 0  # pragma: no cover - exec does not return


def prepare(args: ServeArgs, compiled: Compilation) -> Launch:
    """The proxy's command line and environment (the shell plus the project's env
    file, the shell winning). Prints nothing; raises when LiteLLM is not installed."""
    assert compiled.stack is not None
    file = env_file(args.project, compiled.stack.project)
    env = merged(shell_env(), file)
    argv = _argv(args, compiled, compiled.stack.out_dir / CONFIG)
    return Launch(tuple(argv), {**DEFAULTS, **env.values}, file, env)


def announce(args: ServeArgs, compiled: Compilation, console: Console) -> None:
    assert compiled.stack is not None
    port = args.port or compiled.stack.project.proxy.port
    config = compiled.stack.out_dir / CONFIG
    console.err(
        f"datumc: serving {len(compiled.stack.enabled)} datum(s) from {display_path(config)} "
        f"on http://{args.host}:{port}"
    )


def _exec(path: str, argv: list[str], env: dict[str, str]) -> None:
    try:
        os.execve(path, argv, env)
    except OSError as exc:
        raise DatumcError(f"cannot start {path}: {exc.strerror or exc}") from None


def _argv(args: ServeArgs, compiled: Compilation, config: Path) -> list[str]:
    assert compiled.stack is not None
    proxy = compiled.stack.project.proxy
    argv = [
        require_litellm(), "--config", str(config.absolute()),
        "--host", args.host, "--port", str(args.port or proxy.port),
    ]
    if proxy.workers > 1:
        argv += ["--num_workers", str(proxy.workers)]
    return argv


def _warn_stale(out_dir: Path, compiled: Compilation, console: Console) -> None:
    planned, _ = plan_writes(out_dir, [o for o in compiled.outputs if o.relpath == CONFIG])
    if any(p.output.relpath == CONFIG for p in pending(planned)):
        console.err(
            f"warning: {display_path(out_dir / CONFIG)} is out of date with the datums; "
            "serving it as it is (run `datumc build` to update it)"
        )


def check_env(compiled: Compilation, launch: Launch, console: Console) -> bool:
    """Warn about needed variables that are unset, empty or placeholders. False when
    the master key is missing: the proxy must not start without one."""
    assert compiled.config is not None and compiled.stack is not None
    file, env = launch.file, launch.environment
    if file.problem:
        console.err(f"warning: cannot read {file.display}: {file.problem}")
    elif not file.exists:
        console.err(f"note: no {file.display}; using the shell's environment only")
    elif file.readable_by_others():
        console.err(f"warning: {file.display} is mode {file.mode()} and holds secrets; "
                    f"run: chmod 600 {file.display}")
    purposes = {v.name: v.describe(limit=3) for v in compiled.config.env}
    found = gaps(env.values, list(purposes))
    for name in found.missing:
        console.err(f"warning: {name} is not set ({purposes[name]})")
    for name in found.placeholders:
        console.err(f"warning: {name} looks like a placeholder, not a real value "
                    f"({purposes[name]})")
    master = compiled.stack.project.proxy.master_key_env
    if master in found.missing or master in found.placeholders:
        console.err(
            f"datumc: {master} must hold the proxy's master key (clients send it as "
            f"`Authorization: Bearer ...`); set it in {file.display} or the shell"
        )
        return False
    return True


def _report(diags: list[Diagnostic], console: Console) -> None:
    if diags:
        console.err(render_text(diags))
