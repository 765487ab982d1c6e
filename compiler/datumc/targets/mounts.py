"""Secret files the containers mount read-only: `[ai_model.vertex] credentials_file`.

A credentials file is never copied into the build. podman (run.sh `-v`, quadlet
`Volume=`) and compose (a read-only bind) mount it from the project; Kubernetes mounts a
Secret the operator creates from the file (the command is written beside the Secret
template). Inside the container every file sits at plan/cloud.py's `container_path()`,
which the config's `vertex_credentials` names. lint rule DC115 checks each file exists
inside the project before a build writes anything.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from datumc.plan.cloud import CREDENTIALS_DIR, container_path, credentials_files
from datumc.targets import deploy
from datumc.targets.base import RenderContext

__all__ = ["CREDENTIALS_DIR", "Mount", "create_command", "kube_volume", "kube_volume_mount",
           "mounts", "secret_name"]
VOLUME: Final = "credentials"  # the Kubernetes volume's name
_KEY_CHARS: Final = re.compile(r"[^-._a-zA-Z0-9]")  # a Secret key is [-._a-zA-Z0-9]+
_KEY_MAX: Final = 200  # of 253, leaving room for a -N suffix


@dataclass(frozen=True, slots=True)
class Mount:
    """One file: where it is in the project, and where the container sees it."""

    source: str  # relative to the project directory
    host: str  # relative to the target's own directory (what run.sh/compose/quadlet use)
    target: str  # absolute, inside the container
    key: str  # its key in the Kubernetes Secret

    @property
    def item_path(self) -> str:
        """The file's path below the Secret volume's mount point."""
        return str(PurePosixPath(self.target).relative_to(CREDENTIALS_DIR))


def mounts(ctx: RenderContext, directory: str) -> list[Mount]:
    """The credentials files of the enabled datums, as seen from `<out>/<directory>/`."""
    ams = [entry.datum.ai_model for entry in ctx.stack.enabled]
    found: list[Mount] = []
    keys: set[str] = set()
    for source in credentials_files(ams):
        key = _unique(_key(source), keys)
        host = deploy.relative(ctx.stack.root / source, ctx.out / directory)
        found.append(Mount(source, host, container_path(source), key))
    return found


def _key(source: str) -> str:
    name = _KEY_CHARS.sub("_", PurePosixPath(source).name)[:_KEY_MAX].strip(".")
    return name or "credentials"


def _unique(key: str, taken: set[str]) -> str:
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}-{n}"
    taken.add(candidate)
    return candidate


def secret_name(run_name: str) -> str:
    return f"{run_name}-credentials"


def create_command(namespace: str, name: str, found: list[Mount]) -> str:
    """The kubectl command that creates the credentials Secret, run from the project
    directory (the paths are relative to it)."""
    files = " ".join(shlex.quote(f"--from-file={_csv(f'{m.key}={m.source}')}") for m in found)
    return (f"kubectl -n {shlex.quote(namespace)} create secret generic "
            f"{shlex.quote(name)} {files}")


def _csv(value: str) -> str:
    """kubectl reads a --from-file value as one CSV record (pflag's StringSlice): a value
    with a quote or a comma is quoted, its quotes doubled."""
    if '"' in value or "," in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def kube_volume(found: list[Mount], secret: str) -> dict[str, Any]:
    """The pod volume of the credentials Secret, each key at its file's relative path."""
    items = [{"key": m.key, "path": m.item_path} for m in found]
    return {"name": VOLUME, "secret": {"secretName": secret, "items": items}}


def kube_volume_mount() -> dict[str, Any]:
    return {"name": VOLUME, "mountPath": CREDENTIALS_DIR, "readOnly": True}
