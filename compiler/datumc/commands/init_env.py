"""`datumc init-env`: create .env from .env.example, or add only the keys it is missing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.errors import DatumcError
from datumc.load.source import display_path
from datumc.write import initenv

DEFAULT_EXAMPLE = Path("build/litellm/.env.example")
DEFAULT_ENV = Path(".env")


@dataclass(frozen=True, slots=True)
class InitEnvArgs:
    example: Path = DEFAULT_EXAMPLE
    env: Path = DEFAULT_ENV


def run(args: InitEnvArgs, console: Console) -> int:
    try:
        plan = initenv.plan(args.example, args.env)
        _check_parent(plan.path, args.env)
        initenv.apply(plan)
    except OSError as exc:  # ENAMETOOLONG, EACCES, EROFS, ENOSPC, ...: a message, exit 1
        raise DatumcError(_os_problem(exc, args)) from None
    shown = display_path(args.env)
    if plan.before is None:
        console.out(f"created {shown} (mode 0600) with {len(plan.added)} key(s) from "
                    f"{display_path(args.example)}; fill in their values: {_names(plan.added)}")
        return 0
    if plan.added:
        console.out(f"added {len(plan.added)} missing key(s) to {shown}: "
                    f"{_names(plan.added)}; every existing line is unchanged")
    else:
        console.out(f"{shown} already has every key in {display_path(args.example)}")
    if plan.loose:
        assert plan.mode is not None
        console.out(f"{shown} was readable by others (mode {plan.mode:04o}); now 0600")
    if plan.empty:
        console.out(f"still empty in {shown}: {_names(plan.empty)}")
    return 0


def _check_parent(path: Path, env: Path) -> None:
    """The env file goes into an existing directory: init-env creates no directories."""
    parent = path.parent
    if parent.is_dir():
        return
    what = "is not a directory" if parent.exists() or parent.is_symlink() else "does not exist"
    raise DatumcError(f"cannot create {display_path(env)}: {display_path(parent)} {what}; "
                      "create the directory first, or pass --env with another path")


def _os_problem(exc: OSError, args: InitEnvArgs) -> str:
    reading = exc.filename is not None and Path(os.fsdecode(exc.filename)) == args.example
    if reading:
        return f"cannot read {display_path(args.example)}: {exc.strerror or exc}"
    return f"cannot write {display_path(args.env)}: {exc.strerror or exc}"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"
