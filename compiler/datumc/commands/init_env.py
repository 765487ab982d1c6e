"""`datumc init-env`: create .env from .env.example, or add only the keys it is missing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.load.source import display_path
from datumc.write import initenv

DEFAULT_EXAMPLE = Path("build/litellm/.env.example")
DEFAULT_ENV = Path(".env")


@dataclass(frozen=True, slots=True)
class InitEnvArgs:
    example: Path = DEFAULT_EXAMPLE
    env: Path = DEFAULT_ENV


def run(args: InitEnvArgs, console: Console) -> int:
    plan = initenv.plan(args.example, args.env)
    initenv.apply(plan)
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


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"
