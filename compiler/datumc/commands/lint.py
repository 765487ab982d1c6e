"""`datumc lint [PATH]...`: datums, hand-written LiteLLM YAML and .env files.

The rules run only when the lint cache (lint/cache.py) has no result for these
files: an unchanged project is reported without loading the schema or the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.diagnostics import Diagnostic, has_errors, summarize
from datumc.report import REPORTERS


@dataclass(frozen=True, slots=True)
class LintArgs:
    paths: tuple[Path, ...]
    project: Path
    format: str = "text"
    strict: bool = False
    cache: bool = True


def run(args: LintArgs, console: Console) -> int:
    diags = findings(args)
    text = REPORTERS[args.format](diags)
    if text:
        console.out(text)
    failed = has_errors(diags, strict=args.strict)
    if args.format == "text":  # machine formats carry their own counts
        console.err(summary(diags, strict=args.strict, failed=failed))
    return 1 if failed else 0


def findings(args: LintArgs) -> list[Diagnostic]:
    """What the rules report for `args.paths`, from the cache when nothing changed."""
    from datumc import usercache
    from datumc.lint import cache

    if not (args.cache and usercache.enabled()):
        return _lint(args)
    started = cache.now_ns()
    before = cache.fingerprint(args.paths, args.project)
    if before is None:
        return _lint(args)
    stored = cache.load(before)
    if stored is not None:
        return stored
    diags = _lint(args)
    after = cache.fingerprint(args.paths, args.project)
    if after == before and cache.storable(before, started):
        from datumc.secrets.redact import clean

        cache.store(before, [clean(d) for d in diags])
    return diags


def _lint(args: LintArgs) -> list[Diagnostic]:
    from datumc.lint.files import lint_paths

    return lint_paths(args.paths, root=args.project)


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
