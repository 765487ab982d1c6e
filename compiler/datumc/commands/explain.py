"""`datumc explain CODE`: print a rule's documentation."""

from __future__ import annotations

from dataclasses import dataclass

from datumc.console import Console
from datumc.lint.registry import RULES, find_rule, find_rules
from datumc.lint.rule import Rule, Scope

SCOPE_WORDS = {
    Scope.CORE: "loading and validation",
    Scope.DATUMS: "datums",
    Scope.CONFIG: "LiteLLM configs, hand-written or planned from datums and datumc.toml",
    Scope.YAML: "the text of LiteLLM YAML configs",
    Scope.ENV: ".env files",
    Scope.PROJECT: "datumc.toml",
}


@dataclass(frozen=True, slots=True)
class ExplainArgs:
    code: str | None


def run(args: ExplainArgs, console: Console) -> int:
    if args.code is None:
        for rule in sorted(RULES.values(), key=lambda r: r.code):
            console.out(f"{rule.code}  {rule.severity.value:<7}  {rule.name}")
        return 0
    found = find_rule(args.code)
    if found is not None:
        console.out(render(found))
        return 0
    now = find_rules(args.code)
    if not now:
        console.err(f"datumc: unknown rule '{args.code}'; `datumc explain` lists them all")
        return 2
    codes = ", ".join(r.code for r in now)
    console.out(f"{args.code.upper()} is now reported as {codes}; [lint] settings and "
                f"suppression comments naming {args.code.upper()} still apply.\n")
    console.out("\n".join(render(r) for r in now))
    return 0


def render(rule: Rule) -> str:
    """The text `datumc explain` prints: header, the rule's doc, how to silence it."""
    scopes = ", ".join(s.value for s in rule.scopes)
    where = ", ".join(SCOPE_WORDS[s] for s in rule.scopes)
    parts = [f"{rule.code} {rule.name} (default: {rule.severity.value}, {scopes})",
             f"Checks: {where}"]
    if rule.replaces:
        parts.append(f"Formerly also: {', '.join(rule.replaces)}")
    parts += ["", rule.doc, ""]
    if not rule.configurable:
        parts.append("This finding cannot be disabled or re-levelled.")
        return "\n".join(parts) + "\n"
    parts.append("To silence it:")
    if rule.scopes != (Scope.ENV,):
        parts.append(f"  on one line         ...  # datumc: disable={rule.code}")
    parts.append(f"  on the next line    # datumc: disable-next-line={rule.code}")
    parts.append(f"  in one file         # datumc: disable-file={rule.code}")
    parts.append(f'  everywhere          datumc.toml: [lint] disable = ["{rule.code}"]')
    parts.append(f'  change its level    datumc.toml: [lint] severity.{rule.code} = "warning"')
    return "\n".join(parts) + "\n"
