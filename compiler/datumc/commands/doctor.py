"""`datumc doctor`: is this deployment set up the way the datums say?

Prints one line per check (ok / warn / FAIL / skip) with a fix under each problem,
and exits 1 if any check failed. Never prints a secret value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datumc.console import Console
from datumc.pipeline import compile_project
from datumc.runtime import checks
from datumc.runtime.checks import Check, Status
from datumc.runtime.environment import env_file, shell_env
from datumc.runtime.http import check_url
from datumc.runtime.proxy import target


@dataclass(frozen=True, slots=True)
class DoctorArgs:
    project: Path
    url: str | None = None
    key_env: str | None = None
    profile: str | None = None


def run(args: DoctorArgs, console: Console) -> int:
    if args.url is not None:
        check_url(args.url)  # a bad --url is a usage error, before any check runs
    results = list(diagnose(args))
    for check in results:
        console.out(f"{check.status.value:<5} {check.title}")
        if check.fix and check.status in (Status.FAIL, Status.WARN):
            console.out(f"      fix: {check.fix}")
    failed = sum(c.status is Status.FAIL for c in results)
    warned = sum(c.status is Status.WARN for c in results)
    if failed:
        console.out(f"doctor: {failed} problem(s), {warned} warning(s)")
        return 1
    console.out(f"doctor: no problems ({warned} warning(s))" if warned else
                "doctor: no problems")
    return 0


def diagnose(args: DoctorArgs) -> list[Check]:
    compiled = compile_project(args.project, profile=args.profile)
    out = [checks.datums(compiled)]
    if compiled.stack is None or compiled.config is None:
        return out
    project = compiled.stack.project
    needed = [v.name for v in compiled.config.env]
    shell = shell_env()
    file = env_file(args.project, project)
    out += checks.env_file_checks(file, needed, shell, checks.example_path(compiled))
    out.append(checks.exported(file, needed, shell))
    proxy = target(args.project, project, url=args.url, key_env=args.key_env)
    up = checks.reachable(proxy)
    out.append(up)
    if up.status is Status.OK:
        out.append(checks.serves_datums(proxy, compiled))
    else:
        out.append(checks.skip("served models: the proxy is not reachable"))
    out.append(checks.fresh(compiled))
    out += checks.image(project)
    return out
