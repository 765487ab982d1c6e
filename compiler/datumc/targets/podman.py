"""podman: `run.sh` for a laptop or a homelab box, and the same container as a quadlet unit.

Both mount build/litellm/config.yaml read-only (`:ro,Z` relabels it for SELinux)
and pass the project's env file with `--env-file`. run.sh resolves its paths
against its own directory, so it works from any working directory.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from datumc.targets import deploy, includes, mounts, prometheus
from datumc.targets.base import Output, RenderContext

name = "podman"
RUN_TEMPLATE = "podman/run.sh.j2"
UNIT_TEMPLATE = "podman/litellm.container.j2"
templates = (RUN_TEMPLATE, UNIT_TEMPLATE)

DIRECTORY = "podman"
CONFIG_FROM_HERE = "../litellm/config.yaml"
SCRIPT_MODE = 0o755


def outputs(ctx: RenderContext) -> list[Output]:
    variables = _variables(ctx)
    unit_vars = {**variables, "env_file": deploy.dot_relative(variables["env_file"]),
                 "config_path": deploy.dot_relative(CONFIG_FROM_HERE),
                 "mounts": [replace(m, host=deploy.dot_relative(m.host))
                            for m in variables["mounts"]]}
    run = variables["run"]
    return [
        Output(f"{DIRECTORY}/run.sh", ctx.render(RUN_TEMPLATE, **variables).encode(),
               SCRIPT_MODE),
        Output(f"{DIRECTORY}/{run.name}.container",
               ctx.render(UNIT_TEMPLATE, **unit_vars).encode()),
        *prometheus.outputs(ctx, DIRECTORY),
    ]


def _variables(ctx: RenderContext) -> dict[str, Any]:
    run = deploy.proxy(ctx.stack)
    env_file = deploy.env_file_from(ctx, DIRECTORY)
    return {
        "run": run,
        "config_path": CONFIG_FROM_HERE,
        "config_in_container": deploy.CONFIG_IN_CONTAINER,
        "env_file": env_file,
        "env_file_absolute": PurePosixPath(env_file).is_absolute(),
        "liveliness": run.probe(deploy.LIVELINESS),
        "readiness": run.probe(deploy.READINESS),
        "list_models": run.list_models(ctx.stack.project.proxy.master_key_env),
        "master_key_env": ctx.stack.project.proxy.master_key_env,
        "mounts": mounts.mounts(ctx, DIRECTORY),
        "include_mounts": includes.podman_mounts(ctx, CONFIG_FROM_HERE,
                                                 deploy.CONFIG_IN_CONTAINER),
    }
