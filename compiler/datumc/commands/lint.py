"""`datumc lint [PATH]...`: datums, hand-written LiteLLM YAML and .env files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, has_errors, summarize
from datumc.lint.files import lint_paths
from datumc.report import REPORTERS


@dataclass(frozen=True, slots=True)
class LintArgs:
    paths: tuple[Path, ...]
    project: Path
    format: str = "text"
    strict: bool = False


def run(args: LintArgs, console: Console) -> int:
    diags = lint_paths(args.paths, root=args.project)
    text = REPORTERS[args.format](diags)
    if text:
        console.out(text)
    failed = has_errors(diags, strict=args.strict)
    if args.format == "text":  # machine formats carry their own counts
        console.err(summary(diags, strict=args.strict, failed=failed))
    return 1 if failed else 0


def summary(diags: list[Diagnostic], *, strict: bool, failed: bool) -> str:
    """One line after the findings: the counts, and why the exit code is what it is."""
    counts = summarize(diags)
    if not diags:
        return "datumc: no problems found"
    parts = [f"{n} {_plural(severity, n)}" for severity, n in counts.items() if n]
    text = "datumc: " + ", ".join(parts)
    if not failed and counts["warning"] and not strict:
        text += " (warnings do not fail; --strict makes them)"
    return text


def _plural(severity: str, n: int) -> str:
    return severity if n == 1 or severity == "info" else severity + "s"
