"""What the podman, compose and Kubernetes targets share: one proxy, described once.

Every deployment runs the same `config.yaml` (build/litellm/config.yaml; the
Kubernetes target carries a byte-identical copy because kustomize reads only
files under its own directory). The config decides what the deployment needs:
when it wires Redis through `os.environ/` (router state shared by several
processes, or a Redis response cache), compose adds a Redis service and
Kubernetes runs one or reads an external one from the Secret; podman reads
REDIS_HOST/PORT/PASSWORD from the env file like any other variable. Different
environments that need different settings are profiles, each with its own
build directory and its own config.yaml.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from datumc.load.stack import Stack
from datumc.plan.router import uses_redis

__all__ = ["uses_redis"]
from datumc.targets.base import RenderContext

CONFIG_IN_CONTAINER: Final = "/app/config.yaml"
LIVELINESS: Final = "/health/liveliness"
READINESS: Final = "/health/readiness"

# Images datumc adds next to the proxy. Pinned to a release, like the proxy's.
REDIS_IMAGE: Final = "docker.io/library/redis:7.4.2-alpine"
REDIS_PORT: Final = 6379
REDIS_UID: Final = 999  # the redis user of the official image
POSTGRES_IMAGE: Final = "docker.io/library/postgres:16.8-alpine"
POSTGRES_USER: Final = "litellm"
POSTGRES_DB: Final = "litellm"


@dataclass(frozen=True, slots=True)
class Proxy:
    """The proxy container as every target runs it."""

    name: str
    image: str
    host: str
    port: int
    workers: int

    def args(self, config_path: str = CONFIG_IN_CONTAINER) -> list[str]:
        """The proxy's command-line arguments (the image's entrypoint is `litellm`)."""
        args = ["--config", config_path, "--host", self.host, "--port", str(self.port)]
        if self.workers > 1:
            args += ["--num_workers", str(self.workers)]
        return args

    @property
    def local_url(self) -> str:
        """The proxy's address from inside its own container (for health checks)."""
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def probe(self, path: str = LIVELINESS) -> str:
        """Python for a health check: exits non-zero unless `path` answers 2xx.

        LiteLLM's images have python but not always curl or wget, so checks that
        run inside the container use python's own urllib.
        """
        url = self.local_url + path
        return (
            "import urllib.request; "
            f"r = urllib.request.urlopen({_py(url)}, timeout=5); print({_py(path)}, r.status)"
        )

    def list_models(self, master_key_env: str) -> str:
        """Python that prints the served model names, using the key inside the container."""
        url = self.local_url + "/v1/models"
        return (
            "import json, os, urllib.request; "
            f'q = urllib.request.Request({_py(url)}, headers={{"Authorization": '
            f'"Bearer " + os.environ[{_py(master_key_env)}]}}); '
            '[print(m["id"]) for m in json.load(urllib.request.urlopen(q, timeout=10))["data"]]'
        )


def _py(text: str) -> str:
    """A Python string literal for `text`, in double quotes (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def proxy(stack: Stack) -> Proxy:
    p = stack.project.proxy
    return Proxy(deploy_name(stack), p.image, p.host, p.port, p.workers)


def deploy_name(stack: Stack) -> str:
    """Container / compose project / Kubernetes name: `<container_name>-<profile>` for a
    profile build (so dev and staging can run side by side), unless the profile names
    the container itself."""
    name = stack.project.proxy.container_name
    if stack.profile and not _profile_sets(stack, "proxy", "container_name"):
        name = f"{name}-{stack.profile}"
    return name


def _profile_sets(stack: Stack, *path: str) -> bool:
    if stack.project_doc is None or stack.profile is None:
        return False
    node: object = stack.project_doc.data.get("profiles", {})
    for key in (stack.profile, *path):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def relative(target: Path, start: Path) -> str:
    """`target` relative to the directory `start`, with forward slashes.

    relpath makes both absolute against the working directory first, so `--out`
    and `--project` given relative to it line up.
    """
    rel = os.path.relpath(target, start)
    return rel.replace(os.sep, "/")


def env_file_from(ctx: RenderContext, directory: str) -> str:
    """The project's env file as seen from `<out>/<directory>/`: relative, unless the
    project names an absolute path."""
    env_file = Path(ctx.stack.project.proxy.env_file)
    if env_file.is_absolute():
        return str(env_file)
    return relative(ctx.stack.root / env_file, ctx.out / directory)


def dot_relative(path: str) -> str:
    """`path` spelled so tools that need a leading `.` (quadlet Volume=) see a path."""
    if path.startswith(("/", "./", "../")):
        return path
    return f"./{path}"


def config_yaml(ctx: RenderContext) -> bytes:
    """The LiteLLM config exactly as the litellm target writes it."""
    return ctx.config_yaml
