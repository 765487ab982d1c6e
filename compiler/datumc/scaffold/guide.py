"""The words `datumc init` prints: the provider table and what to do next.

Names of environment variables only: init never reads a value.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from datumc.load.source import display_path
from datumc.plan.env import EnvVar
from datumc.scaffold.catalogue import CATALOGUE, DEFAULT, Provider

MAKE_KEY = "echo sk-$(openssl rand -hex 24)"


def catalogue_table() -> str:
    rows = [("PROVIDER", "NEEDS", "DATUMS")]
    rows += [(p.name, p.needs, ", ".join(m.name for m in p.models)) for p in CATALOGUE]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows]
    lines += ["", "datumc init --provider NAME [--provider NAME ...] [DIR]; "
              f"--yes with no --provider: {DEFAULT}"]
    return "\n".join(lines)


def next_steps(root: Path, env: Sequence[EnvVar], providers: Sequence[Provider],
               port: int) -> str:
    """The commands from a fresh project to a running proxy, naming every variable."""
    lines = ["next:"]
    if not _is_cwd(root):
        lines.append(f"  cd {shlex.quote(display_path(root))}")
    lines.append("  datumc init-env      # creates .env (mode 0600) from build/litellm/"
                 ".env.example")
    if env:
        lines.append("  then fill in .env:")
        width = max(len(v.name) for v in env)
        lines += [f"    {v.name:<{width}}  {_purpose(v, i, providers)}" for i, v in
                  enumerate(env)]
    lines += [f"  {p.setup}" for p in providers if p.setup]
    lines.append(f"  datumc serve         # the proxy on http://127.0.0.1:{port} "
                 "(pip install 'datumc[proxy]')")
    lines.append("  or, in podman: just init, then just up")
    return "\n".join(lines)


def _purpose(var: EnvVar, index: int, providers: Sequence[Provider]) -> str:
    text = var.describe(limit=3) + ("" if var.required else " (optional)")
    if index == 0:  # the inventory lists the master key first
        return f"{text}; make one with: {MAKE_KEY}"
    local = {p.base_env: p for p in providers if p.base_env}
    if var.name in local:
        url = local[var.name].local_url or ""
        podman = url.replace("localhost", "host.containers.internal")
        return f"{text}; {local[var.name].title} on this machine: {url} (from podman: {podman})"
    return text


def _is_cwd(root: Path) -> bool:
    try:
        return root.resolve() == Path.cwd().resolve()
    except OSError:
        return False
