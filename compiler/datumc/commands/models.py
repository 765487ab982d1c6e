"""`datumc models [--health]`: what a running proxy serves, and whether it answers.

Sends the master key as a Bearer token (plain scripts often forget it, and the
proxy then answers with a confusing 500). The key comes from the shell, or from
the project's env file when the shell does not have it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.errors import UsageError
from datumc.runtime.health import Health, check_all, served_models
from datumc.runtime.http import check_url
from datumc.runtime.proxy import load_settings, target


@dataclass(frozen=True, slots=True)
class ModelsArgs:
    project: Path
    url: str | None = None
    key_env: str | None = None
    health: bool = False
    models: tuple[str, ...] = ()
    timeout: float = 60.0
    profile: str | None = None


def run(args: ModelsArgs, console: Console) -> int:
    if args.models and not args.health:
        raise UsageError("--model only applies with --health")
    if args.url is not None:
        check_url(args.url)  # a bad --url is a usage error, before the project is read
    project = load_settings(args.project, args.profile)
    proxy = target(args.project, project, url=args.url, key_env=args.key_env)
    served = served_models(proxy)
    if not args.health:
        for name in served:
            console.out(name)
        return 0
    chosen = _chosen(served, args.models)
    total = len(chosen)

    def done(result: Health, count: int) -> None:
        console.progress(f"checking models {count}/{total} (last: {result.model})")

    console.progress(f"checking models 0/{total}")
    results = check_all(proxy, chosen, timeout=args.timeout, done=done)
    console.end_progress()
    console.out(table(results))
    healthy = sum(r.ok for r in results)
    console.out(f"{healthy} of {total} model(s) healthy at {proxy.url}")
    return 0 if healthy == total else 1


def _chosen(served: list[str], asked: Sequence[str]) -> list[str]:
    if not asked:
        return served
    unknown = [m for m in asked if m not in served]
    if unknown:
        raise UsageError(f"not served by the proxy: {', '.join(unknown)}")
    return list(dict.fromkeys(asked))


def table(results: Sequence[Health]) -> str:
    rows = [("MODEL", "STATUS", "LATENCY", "DETAIL")]
    for r in results:
        status = "ok" if r.ok else ("FAIL" if r.status is None else f"FAIL {r.status}")
        rows.append((r.model, status, f"{r.latency * 1000:.0f} ms", r.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for model, status, latency, detail in rows:
        line = f"{model:<{widths[0]}}  {status:<{widths[1]}}  {latency:>{widths[2]}}  {detail}"
        lines.append(line.rstrip())
    return "\n".join(lines)
