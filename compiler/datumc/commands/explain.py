"""`datumc explain CODE`: print a rule's documentation."""

from __future__ import annotations

from dataclasses import dataclass

from datumc.console import Console
from datumc.lint.registry import RULES, find_rule


@dataclass(frozen=True, slots=True)
class ExplainArgs:
    code: str | None


def run(args: ExplainArgs, console: Console) -> int:
    if args.code is None:
        for rule in RULES.values():
            console.out(f"{rule.code}  {rule.severity.value:<7}  {rule.name}")
        return 0
    found = find_rule(args.code)
    if found is None:
        console.err(f"datumc: unknown rule '{args.code}'; `datumc explain` lists them all")
        return 2
    console.out(f"{found.code} {found.name} (default: {found.severity.value}, "
                f"{found.scope.value})")
    console.out("")
    console.out(found.doc)
    if found.configurable:
        console.out("")
        console.out(f"Silence one line with `# datumc: disable={found.code}`, or set "
                    f'[lint] severity.{found.code} = "off" in datumc.toml.')
    return 0
