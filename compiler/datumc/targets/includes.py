"""The files `[extra_sections] include` names, carried by every target.

config.yaml names them as written; the build copies each file the proxy will merge
(nested includes too, load/includes.py) to build/litellm/ at its path relative to the
project, so the names resolve there as they do in the project. Every target then puts
them next to config.yaml in the container: podman and compose bind-mount each copy
read-only next to /app/config.yaml; Kubernetes carries each as an extra key of the
config ConfigMap, mounted at its path under /etc/litellm. The litellm-helm chart renders
proxy_config into a ConfigMap of its own with no room for more files: a helm build with
include files is refused. What a target cannot carry is refused, naming file and target.
"""

from __future__ import annotations

from dataclasses import dataclass
from posixpath import dirname, join
from typing import Any

from datumc.load.includes import IncludedFile
from datumc.render.errors import CannotCarryError, shown
from datumc.targets.base import Output, RenderContext

# Files the litellm target writes itself next to config.yaml: an include may not be one.
_LITELLM_OWN = frozenset({"config.yaml", ".env.example"})


@dataclass(frozen=True, slots=True)
class Mount:
    """One included file: its copy as seen from a target's directory, and where the
    container sees it."""

    source: str
    target: str


def included(ctx: RenderContext) -> tuple[IncludedFile, ...]:
    """The files the built config includes, each with a path under the project."""
    found = ctx.config.served.includes
    if found is None:
        return ()
    for file in found.files:
        if file.relpath is None:  # the plan reports it as an error: never rendered
            raise CannotCarryError(f"{file.doc.display} is outside the project")
    return found.files


def relpath(file: IncludedFile) -> str:
    assert file.relpath is not None  # included() refuses the others
    return file.relpath


def litellm_outputs(ctx: RenderContext) -> list[Output]:
    """Copies of the included files next to build/litellm/config.yaml."""
    out = []
    for file in included(ctx):
        if relpath(file) in _LITELLM_OWN:
            raise CannotCarryError(
                f"litellm: the included file {shown(relpath(file))} would overwrite the "
                f"generated litellm/{relpath(file)}; rename it")
        out.append(Output(f"litellm/{relpath(file)}", file.doc.source.text.encode()))
    return out


def mounts(ctx: RenderContext, config_from_here: str, config_in_container: str) -> (
    list[Mount]
):
    """Each included copy as seen from a target's directory (next to `config_from_here`),
    and its place next to `config_in_container`."""
    here, there = dirname(config_from_here), dirname(config_in_container)
    return [Mount(join(here, relpath(f)), join(there, relpath(f))) for f in included(ctx)]


def podman_mounts(ctx: RenderContext, config_from_here: str,
                  config_in_container: str) -> list[str]:
    """`SOURCE:TARGET:ro,Z` for podman -v and quadlet Volume=; refused with a ':' in a
    path, which podman would read as the next field."""
    out = []
    for mount in mounts(ctx, config_from_here, config_in_container):
        if ":" in mount.target:
            raise CannotCarryError(
                f"podman: cannot mount the included file {shown(mount.source)}: podman -v "
                "does not accept ':' in a path; rename it")
        out.append(f"{mount.source}:{mount.target}:ro,Z")
    return out


def refuse_helm(ctx: RenderContext) -> None:
    files = included(ctx)
    if files:
        raise CannotCarryError(
            f"helm: cannot carry the included file {shown(relpath(files[0]))}: the "
            "litellm-helm chart renders proxy_config into its own ConfigMap and mounts "
            "nothing next to it; build the kubernetes target, or move the included "
            "models into datums")


# Kubernetes: each included file is a ConfigMap key (valid whatever the file's name),
# mounted at its path next to config.yaml.
def kube_key(index: int) -> str:
    return f"include-{index + 1}.yaml"


def kube_outputs(ctx: RenderContext, directory: str, room: int) -> list[Output]:
    """Copies for kustomize's configMapGenerator (it reads only its own directory);
    refused when they do not fit the `room` the ConfigMap has left."""
    out = [Output(f"{directory}/{kube_key(i)}", f.doc.source.text.encode())
           for i, f in enumerate(included(ctx))]
    size = sum(len(o.content) for o in out)
    if size > room:
        raise CannotCarryError(
            f"kubernetes: the included files ({size:,} bytes) do not fit in the config "
            "ConfigMap with config.yaml: Kubernetes refuses a ConfigMap over 1 MiB")
    return out


def kube_variables(ctx: RenderContext, config_key: str) -> dict[str, Any]:
    """`include_keys` for kustomization.yaml and `config_items`, the ConfigMap volume's
    items (key -> path under the mount), for deployment.yaml; empty without includes."""
    files = included(ctx)
    if not files:
        return {"include_keys": [], "config_items": []}
    items = [{"key": config_key, "path": config_key}]
    items += [{"key": kube_key(i), "path": relpath(f)} for i, f in enumerate(files)]
    return {"include_keys": [kube_key(i) for i in range(len(files))], "config_items": items}

