"""compose: the proxy on a server, with Redis and Postgres next to it when the config needs them.

* litellm: config.yaml bind-mounted read-only, the project's env file, a
  health check on /health/liveliness (python, which every LiteLLM image has),
  restart unless stopped.
* redis: when the config wires Redis (router state shared by several workers,
  or a Redis cache). The litellm service's REDIS_HOST/REDIS_PORT are set to
  this service, overriding the env file; the password comes from the env file,
  and Redis refuses to start without one.
* postgres: when [proxy] database_url_env is set.
"""

from __future__ import annotations

from typing import Any

from datumc.targets import deploy, includes, mounts, prometheus
from datumc.targets.base import Output, RenderContext
from datumc.validate.project import Project

name = "compose"
COMPOSE_TEMPLATE = "compose/compose.yaml.j2"
templates = (COMPOSE_TEMPLATE,)

DIRECTORY = "compose"
FILENAME = "compose.yaml"
CONFIG_FROM_HERE = "../litellm/config.yaml"
REDIS_SERVICE = "redis"
POSTGRES_SERVICE = "postgres"


def outputs(ctx: RenderContext) -> list[Output]:
    text = ctx.render(COMPOSE_TEMPLATE, **_variables(ctx))
    return [Output(f"{DIRECTORY}/{FILENAME}", text.encode()),
            *prometheus.outputs(ctx, DIRECTORY)]


def _variables(ctx: RenderContext) -> dict[str, Any]:
    project = ctx.stack.project
    run = deploy.proxy(ctx.stack)
    redis = _redis(project) if deploy.uses_redis(project) else None
    postgres = _postgres() if project.proxy.database_url_env else None
    return {
        "run": run,
        "compose_file": deploy.relative(ctx.out / DIRECTORY / FILENAME, ctx.stack.root),
        "ports": f"{run.port}:{run.port}",
        "env_file": deploy.env_file_from(ctx, DIRECTORY),
        "environment": _redis_address(project) if redis else {},
        "config_path": CONFIG_FROM_HERE,
        "config_in_container": deploy.CONFIG_IN_CONTAINER,
        "mounts": mounts.mounts(ctx, DIRECTORY),
        "include_mounts": includes.mounts(ctx, CONFIG_FROM_HERE, deploy.CONFIG_IN_CONTAINER),
        "healthcheck": ["CMD", "python", "-c", run.probe(deploy.LIVELINESS)],
        "depends_on": {s: {"condition": "service_healthy"}
                       for s, on in ((REDIS_SERVICE, redis), (POSTGRES_SERVICE, postgres)) if on},
        "redis": redis,
        "cache_redis": project.cache.type == "redis",
        "postgres": postgres,
        "open_webui": _open_webui(project, run.port),
    }


OPEN_WEBUI_SERVICE = "open-webui"
OPEN_WEBUI_VOLUME = "open-webui-data"


def _open_webui(project: Project, port: int) -> dict[str, Any] | None:
    """Open WebUI ([clients] open_webui), wired to the proxy's OpenAI API. Its key is the
    master key, read from the env file by the container's shell (as redis does): compose
    interpolation would read the shell's environment, not the env file."""
    clients = project.clients
    if clients is None or not clients.open_webui:
        return None
    key = clients.key_env or project.proxy.master_key_env
    start = f'OPENAI_API_KEY="${key}" exec bash start.sh'
    return {
        "image": clients.open_webui_image,
        "command": ["bash", "-c", start],
        "ports": f"{clients.open_webui_port}:8080",
        "environment": {
            "OPENAI_API_BASE_URL": f"http://litellm:{port}/v1",
            # The settings above win over what the admin UI saved: a rebuild takes effect.
            "ENABLE_PERSISTENT_CONFIG": "false",
            "ENABLE_OLLAMA_API": "false",
        },
        "volume": f"{OPEN_WEBUI_VOLUME}:/app/backend/data",
    }


def _redis_address(project: Project) -> dict[str, str]:
    router = project.router
    return {router.redis_host_env: REDIS_SERVICE, router.redis_port_env: str(deploy.REDIS_PORT)}


def _redis(project: Project) -> dict[str, Any]:
    # The shell in the container expands it (the compose filters write the `$` as `$$`,
    # so that compose itself leaves it alone).
    password = f'"${project.router.redis_password_env}"'
    start = (
        f"test -n {password} || {{ echo 'redis: {project.router.redis_password_env} is empty "
        "in the env file' >&2; exit 1; }; "
        f"exec redis-server --save '' --appendonly no --requirepass {password}"
    )
    return {
        "image": deploy.REDIS_IMAGE,
        "command": ["sh", "-c", start],
        "healthcheck": ["CMD-SHELL", f"REDISCLI_AUTH={password} redis-cli ping | grep -q PONG"],
    }


def _postgres() -> dict[str, Any]:
    return {
        "image": deploy.POSTGRES_IMAGE,
        "environment": {"POSTGRES_USER": deploy.POSTGRES_USER, "POSTGRES_DB": deploy.POSTGRES_DB},
        "healthcheck": ["CMD", "pg_isready", "-U", deploy.POSTGRES_USER, "-d", deploy.POSTGRES_DB],
    }
