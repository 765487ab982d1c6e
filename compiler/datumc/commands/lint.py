"""`datumc lint [PATH]...`: datums, hand-written LiteLLM YAML and .env files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import has_errors
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
    return 1 if has_errors(diags, strict=args.strict) else 0
