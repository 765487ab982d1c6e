"""The checks behind `datumc doctor`. Each returns a `Check`; none prints.

A check never shows a secret: values are described (empty, placeholder, differs)
or masked, and only variable names are printed in full.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata

from datumc.diagnostics import summarize
from datumc.errors import DatumcError
from datumc.load.source import display_path
from datumc.pipeline import Compilation
from datumc.plan.images import ImageRef
from datumc.runtime.environment import EnvFile
from datumc.runtime.health import live, model_info
from datumc.runtime.http import ProxyUnreachable
from datumc.runtime.proxy import Target
from datumc.runtime.served import compare, describe, expected
from datumc.secrets.detect import unusable_env_value
from datumc.validate.project import Project
from datumc.write.writer import pending, plan_writes

_VERSION = re.compile(r"v?(\d+\.\d+\.\d+)")


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Check:
    status: Status
    title: str
    fix: str = ""


def ok(title: str) -> Check:
    return Check(Status.OK, title)


def warn(title: str, fix: str = "") -> Check:
    return Check(Status.WARN, title, fix)


def fail(title: str, fix: str = "") -> Check:
    return Check(Status.FAIL, title, fix)


def skip(title: str) -> Check:
    return Check(Status.SKIP, title)


# -- datums and build -------------------------------------------------------------------


def datums(compiled: Compilation) -> Check:
    counts = summarize(compiled.diagnostics)
    if not compiled.ok or compiled.stack is None:
        return fail(f"datums: {counts['error']} error(s)",
                    "run `datumc lint` and fix what it reports")
    stack = compiled.stack
    disabled = len(stack.entries) - len(stack.enabled)
    return ok(f"datums: {len(stack.enabled)} enabled, {disabled} disabled, "
              f"{counts['warning']} warning(s)")


def fresh(compiled: Compilation) -> Check:
    if compiled.stack is None or not compiled.outputs:
        return skip("build freshness: the datums do not compile")
    out_dir = compiled.stack.out_dir
    planned, _ = plan_writes(out_dir, compiled.outputs)
    stale = pending(planned)
    if stale:
        names = ", ".join(p.output.relpath for p in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        return fail(f"build is out of date in {display_path(out_dir)}: {names}{more}",
                    "run `datumc build`")
    return ok(f"build is fresh: {len(planned)} file(s) in {display_path(out_dir)}")


def image(project: Project) -> list[Check]:
    ref = project.proxy.image
    parsed = ImageRef.parse(ref)  # the same reading as lint's DC401
    tag = parsed.tag or ""
    if not (parsed.pinned_by_digest or parsed.versioned_tag):
        return [fail(f"image not pinned: {ref}",
                     "set [proxy] image to a version tag (e.g. "
                     "ghcr.io/berriai/litellm:main-v1.106.0) or a @sha256: digest")]
    checks = [ok(f"image pinned: {ref}")]
    native = _installed_litellm()
    wanted = _VERSION.search(tag)
    if native and wanted and wanted.group(1) != native:
        checks.append(warn(
            f"`datumc serve` runs LiteLLM {native}, the image pins {wanted.group(1)}",
            f"pip install 'litellm[proxy]=={wanted.group(1)}' to test what you deploy",
        ))
    return checks


def _installed_litellm() -> str | None:
    try:
        return metadata.version("litellm")
    except metadata.PackageNotFoundError:
        return None


# -- env file and environment ---------------------------------------------------------------


def env_file_checks(file: EnvFile, needed: Sequence[str], shell: Mapping[str, str],
                    example: str) -> list[Check]:
    if file.problem:
        return [fail(f"{file.display} cannot be read: {file.problem}",
                     "fix or recreate it; datumc lists the names in " + example)]
    if not file.exists:
        if all(shell.get(n) for n in needed):
            return [warn(f"no {file.display}; every needed variable is in the shell",
                         f"podman and compose read {file.display}, not the shell: "
                         f"cp {example} {file.display} && chmod 600 {file.display}")]
        return [fail(f"no {file.display}",
                     f"cp {example} {file.display} && chmod 600 {file.display}, then fill "
                     "in the values")]
    checks = [ok(f"{file.display} exists")]
    if file.readable_by_others():
        checks.append(fail(f"{file.display} is mode {file.mode()}; it holds secrets",
                           f"chmod 600 {file.display}"))
    else:
        checks.append(ok(f"{file.display} is mode {file.mode()}"))
    checks.append(_values(file, needed, shell))
    return checks


def _values(file: EnvFile, needed: Sequence[str], shell: Mapping[str, str]) -> Check:
    values = file.values
    absent = [n for n in needed if n not in values and not shell.get(n)]
    empty = [n for n in needed if n in values and not values[n].strip()
             and not shell.get(n)]
    placeholders = [n for n in needed if values.get(n, "").strip()
                    and unusable_env_value(values[n])]
    shell_only = [n for n in needed if n not in values and shell.get(n)]
    problems = []
    if absent:
        problems.append("missing " + ", ".join(absent))
    if empty:
        problems.append("empty " + ", ".join(empty))
    if placeholders:
        problems.append("placeholder values in " + ", ".join(placeholders))
    if problems:
        return fail(f"{file.display}: " + "; ".join(problems),
                    f"put the real values in {file.display} (unquoted: NAME=value)")
    if shell_only:
        return warn(f"{file.display} lacks {', '.join(shell_only)} (set only in the shell)",
                    f"podman and compose read {file.display}, not the shell")
    return ok(f"{file.display} holds all {len(needed)} needed variable(s)")


def exported(file: EnvFile, needed: Sequence[str], shell: Mapping[str, str]) -> Check:
    """Are the variables in this process's environment (what b00t scripts and SDKs read)?"""
    missing = [n for n in needed if not shell.get(n)]
    values = file.values
    differ = [n for n in needed if shell.get(n) and values.get(n)
              and shell[n] != values[n]]
    if missing:
        return warn(
            f"not exported to this shell: {', '.join(missing)}",
            f"set -a; . ./{file.display}; set +a   (`datumc serve` reads "
            f"{file.display} itself)",
        )
    if differ:
        return warn(f"the shell's value differs from {file.display} for "
                    f"{', '.join(differ)}; the shell wins", "unset them or update the file")
    return ok(f"all {len(needed)} needed variable(s) exported")


# -- the running proxy ----------------------------------------------------------------------------


def reachable(proxy: Target) -> Check:
    try:
        reply = live(proxy.url)
    except ProxyUnreachable as exc:
        return fail(f"proxy not reachable: {exc}",
                    "start it: `datumc serve` (native) or `just up` / podman, or pass --url")
    if reply.status != 200:
        return fail(f"proxy at {proxy.url} answers /health/liveliness with HTTP {reply.status}",
                    "is that a LiteLLM proxy? check --url")
    return ok(f"proxy reachable at {proxy.url}")


def serves_datums(proxy: Target, compiled: Compilation) -> Check:
    if compiled.stack is None:
        return skip("served models: the datums do not load")
    try:
        info = model_info(proxy)
    except DatumcError as exc:
        return fail(f"cannot list the proxy's models: {exc}",
                    f"export {proxy.key_env} (the master key) or pass --key-env")
    diff = compare(expected(compiled.stack), info)
    if not diff:
        count = len(compiled.stack.enabled)
        return ok(f"proxy serves exactly the {count} deployment(s) the datums define")
    parts = []
    if diff.missing:
        parts.append("not loaded: " + describe(diff.missing))
    if diff.missing_aliases:
        parts.append("aliases missing: " + ", ".join(diff.missing_aliases))
    if diff.unexpected:
        parts.append("not in the datums: " + describe(diff.unexpected))
    fix = ("the proxy drops a bad deployment with only a log line: read its log; "
           if diff.missing else "")
    return fail("proxy and datums disagree: " + "; ".join(parts),
                fix + "restart the proxy on the current build (`datumc build`, then "
                "`datumc serve`)")


def example_path(compiled: Compilation) -> str:
    if compiled.stack is None:
        return "build/litellm/.env.example"
    return display_path(compiled.stack.out_dir / "litellm" / ".env.example")
