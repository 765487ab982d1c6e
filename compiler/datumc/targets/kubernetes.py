"""kubernetes: a kustomize directory for when one machine is not enough.

* kustomization.yaml generates the ConfigMap from its own copy of config.yaml
  (kustomize refuses files outside its directory); the generated name carries a
  hash of the content, so a changed config rolls the pods.
* deployment.yaml: replicas and resources from [kubernetes]; liveness on
  /health/liveliness, readiness on /health/readiness; non-root with a read-only
  root filesystem and /tmp as the one writable emptyDir; env from the Secret.
* service.yaml, and secret.template.yaml: the Secret's keys with empty values,
  for the operator to fill in. It is not a kustomize resource, so applying the
  directory never overwrites real values.
* redis.yaml when [kubernetes] redis = "bundled" and the config wires Redis.
  With redis = "external" (or [router] redis = true) the Redis address comes
  from the Secret. replicas > 1 with neither is lint error DC403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datumc.plan.env import POSTGRES_PASSWORD, EnvVar
from datumc.render import kubetext
from datumc.render.errors import CannotCarryError
from datumc.targets import deploy
from datumc.targets.base import Output, RenderContext
from datumc.validate.project import Project

name = "kubernetes"
KUSTOMIZATION = "kubernetes/kustomization.yaml.j2"
DEPLOYMENT = "kubernetes/deployment.yaml.j2"
SERVICE = "kubernetes/service.yaml.j2"
REDIS = "kubernetes/redis.yaml.j2"
SECRET = "kubernetes/secret.template.yaml.j2"
templates = (KUSTOMIZATION, DEPLOYMENT, SERVICE, REDIS, SECRET)

DIRECTORY = "kubernetes"
CONFIG_KEY = "config.yaml"
# The API server refuses a ConfigMap whose values exceed 1 MiB in all (ValidateConfigMap,
# core.MaxSecretSize).
CONFIGMAP_MAX_BYTES = 1024 * 1024
CONFIG_DIR = "/etc/litellm"
UID = 65532  # "nonroot" in LiteLLM's Wolfi-based images; any non-zero uid works
WRITABLE_ENV = {
    "HOME": "/tmp",
    "XDG_CACHE_HOME": "/tmp/.cache",
    # Newer LiteLLM releases copy the admin UI to these paths at startup.
    "LITELLM_UI_PATH": "/tmp/litellm/ui",
    "LITELLM_ASSETS_PATH": "/tmp/litellm/assets",
}


@dataclass(frozen=True, slots=True)
class Names:
    config: str
    secret: str
    redis: str


def outputs(ctx: RenderContext) -> list[Output]:
    variables = _variables(ctx)
    files = [
        ("kustomization.yaml", KUSTOMIZATION),
        ("deployment.yaml", DEPLOYMENT),
        ("service.yaml", SERVICE),
    ]
    if variables["bundled_redis"]:
        files.append(("redis.yaml", REDIS))
    files.append(("secret.template.yaml", SECRET))
    out = [Output(f"{DIRECTORY}/{CONFIG_KEY}", configmap_data(deploy.config_yaml(ctx)))]
    out += [Output(f"{DIRECTORY}/{path}", ctx.render(template, **variables).encode())
            for path, template in files]
    return sorted(out, key=lambda o: o.relpath)


def configmap_data(config: bytes) -> bytes:
    """config.yaml as the ConfigMap's one entry, refused when Kubernetes could not store it."""
    size = len(config)
    if size > CONFIGMAP_MAX_BYTES:
        raise CannotCarryError(
            f"{DIRECTORY}/{CONFIG_KEY}: the LiteLLM config is {size:,} bytes, and Kubernetes "
            f"refuses a ConfigMap over {CONFIGMAP_MAX_BYTES:,} bytes (1 MiB)"
        )
    return config


def bundles_redis(project: Project) -> bool:
    return project.kubernetes.redis == "bundled" and deploy.uses_redis(project)


def _variables(ctx: RenderContext) -> dict[str, Any]:
    project = ctx.stack.project
    run = deploy.proxy(ctx.stack)
    names = Names(f"{run.name}-config", f"{run.name}-env", f"{run.name}-redis")
    bundled = bundles_redis(project)
    router = project.router
    return {
        "run": run,
        "names": names,
        "kustomize_dir": deploy.relative(ctx.out / DIRECTORY, ctx.stack.root),
        "kustomize_resources": [
            "deployment.yaml", "service.yaml", *(["redis.yaml"] if bundled else [])
        ],
        "labels": {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": run.name},
        "uid": UID,
        "args": run.args(f"{CONFIG_DIR}/config.yaml"),
        "container_env": _env(project, names, bundled=bundled),
        "liveliness": deploy.LIVELINESS,
        "readiness": deploy.READINESS,
        "resources": _resources(project),
        "config_dir": CONFIG_DIR,
        "bundled_redis": bundled,
        "cache_redis": project.cache.type == "redis",
        "redis_labels": {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": run.name},
        "redis_uid": deploy.REDIS_UID,
        "redis_image": deploy.REDIS_IMAGE,
        "redis_port": deploy.REDIS_PORT,
        "redis_password_env": router.redis_password_env,
        # Kubernetes expands $(VAR) in args from the container's env: no shell needed.
        # The one deliberate reference; kube_args escapes every other `$(`.
        "redis_args": ["--save", "", "--appendonly", "no",
                       "--requirepass", kubetext.reference(router.redis_password_env)],
        "secret_env": _secret_env(ctx, bundled),
    }


def _env(project: Project, names: Names, *, bundled: bool) -> list[dict[str, str]]:
    """Set explicitly, so they win over the same names in the Secret (envFrom)."""
    env = [{"name": key, "value": value} for key, value in WRITABLE_ENV.items()]
    if bundled:
        router = project.router
        env += [
            {"name": router.redis_host_env, "value": names.redis},
            {"name": router.redis_port_env, "value": str(deploy.REDIS_PORT)},
        ]
    return env


def _resources(project: Project) -> dict[str, dict[str, str]]:
    spec = project.kubernetes.resources
    out: dict[str, dict[str, str]] = {}
    for kind, res in (("requests", spec.requests), ("limits", spec.limits)):
        values = {k: v for k, v in (("cpu", res.cpu), ("memory", res.memory)) if v is not None}
        if values:
            out[kind] = values
    return out


def _secret_env(ctx: RenderContext, bundled: bool) -> list[EnvVar]:
    project = ctx.stack.project
    set_here = {POSTGRES_PASSWORD}  # only compose runs postgres
    if bundled:
        set_here |= {project.router.redis_host_env, project.router.redis_port_env}
    return [var for var in ctx.config.env if var.name not in set_here]
