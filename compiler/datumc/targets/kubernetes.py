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
* Off unless [kubernetes] asks: hpa.yaml (HorizontalPodAutoscaler; the
  Deployment then carries no replica count), pdb.yaml (PodDisruptionBudget),
  ingress.yaml, and Prometheus discovery of LiteLLM's /metrics/ (a
  ServiceMonitor, or prometheus.io annotations on the pods) when the config
  turns the prometheus callback on. With a ServiceMonitor, datums with rpd_limit
  add prometheusrule.yaml: their daily-quota alerts (targets/prometheus.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datumc.plan.env import POSTGRES_PASSWORD, EnvVar
from datumc.plan.metrics import METRICS_PATH, metrics_need_auth, prometheus_enabled
from datumc.plan.scale import max_replicas
from datumc.render import kubetext
from datumc.render.errors import CannotCarryError
from datumc.targets import deploy, includes, mounts, prometheus
from datumc.targets.base import Output, RenderContext
from datumc.validate.project import Autoscaling, DisruptionBudget, Project

name = "kubernetes"
KUSTOMIZATION = "kubernetes/kustomization.yaml.j2"
DEPLOYMENT = "kubernetes/deployment.yaml.j2"
SERVICE = "kubernetes/service.yaml.j2"
REDIS = "kubernetes/redis.yaml.j2"
SECRET = "kubernetes/secret.template.yaml.j2"
HPA = "kubernetes/hpa.yaml.j2"
PDB = "kubernetes/pdb.yaml.j2"
INGRESS = "kubernetes/ingress.yaml.j2"
SERVICE_MONITOR = "kubernetes/servicemonitor.yaml.j2"
PROMETHEUS_RULE = "kubernetes/prometheusrule.yaml.j2"
templates = (KUSTOMIZATION, DEPLOYMENT, SERVICE, REDIS, SECRET, HPA, PDB, INGRESS,
             SERVICE_MONITOR, PROMETHEUS_RULE)

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
    # LiteLLM copies the admin UI and its logo to these paths at startup
    # (litellm/proxy/proxy_server.py: LITELLM_UI_PATH, LITELLM_ASSETS_PATH).
    "LITELLM_UI_PATH": "/tmp/litellm/ui",
    "LITELLM_ASSETS_PATH": "/tmp/litellm/assets",
}
# With a database: litellm-proxy-extras copies its Prisma migrations here, where a
# baseline migration can be written (ProxyExtrasDBManager._get_prisma_dir).
MIGRATION_DIR = {"LITELLM_MIGRATION_DIR": "/tmp/litellm/migrations"}
DATABASE_URL = "DATABASE_URL"  # what LiteLLM and its Prisma migrations read
# The startup probe polls every 5 s. With a database a pod may first wait for another
# pod's migration: LiteLLM retries Prisma's advisory lock for LITELLM_MIGRATION_LOCK_TIMEOUT
# (600 s by default), so the probe allows 15 minutes instead of 5.
STARTUP_FAILURES = 60
STARTUP_FAILURES_WITH_DATABASE = 180


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
    files += [(path, template) for path, template in _OPTIONAL if path in variables["optional"]]
    files.append(("secret.template.yaml", SECRET))
    out = [Output(f"{DIRECTORY}/{CONFIG_KEY}", configmap_data(deploy.config_yaml(ctx)))]
    out += [Output(f"{DIRECTORY}/{path}", ctx.render(template, **variables).encode())
            for path, template in files]
    room = CONFIGMAP_MAX_BYTES - len(deploy.config_yaml(ctx))
    out += includes.kube_outputs(ctx, DIRECTORY, room)
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


# Optional manifests: file name -> template, in the order kustomization.yaml lists them.
_OPTIONAL = (
    ("hpa.yaml", HPA),
    ("pdb.yaml", PDB),
    ("ingress.yaml", INGRESS),
    ("servicemonitor.yaml", SERVICE_MONITOR),
    ("prometheusrule.yaml", PROMETHEUS_RULE),
)


def _variables(ctx: RenderContext) -> dict[str, Any]:
    project = ctx.stack.project
    kube = project.kubernetes
    run = deploy.proxy(ctx.stack)
    names = Names(f"{run.name}-config", f"{run.name}-env", f"{run.name}-redis")
    bundled = bundles_redis(project)
    router = project.router
    metrics = _metrics(ctx)
    # The quota rules go where the Prometheus Operator (and its CRDs) is known to be.
    rule_groups = prometheus.rule_groups(ctx) if metrics == "servicemonitor" else []
    optional = {
        "hpa.yaml": kube.hpa is not None,
        "pdb.yaml": kube.pdb is not None,
        "ingress.yaml": kube.ingress is not None,
        "servicemonitor.yaml": metrics == "servicemonitor",
        "prometheusrule.yaml": bool(rule_groups),
    }
    database = project.proxy.database_url_env is not None
    return {
        "run": run,
        "names": names,
        "kustomize_dir": deploy.relative(ctx.out / DIRECTORY, ctx.stack.root),
        "kustomize_resources": [
            "deployment.yaml", "service.yaml", *(["redis.yaml"] if bundled else []),
            *(path for path, _ in _OPTIONAL if optional[path]),
        ],
        "optional": {path for path, wanted in optional.items() if wanted},
        "labels": {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": run.name},
        "uid": UID,
        "hardened": kube.hardened,
        "args": run.args(f"{CONFIG_DIR}/config.yaml"),
        "container_env": _env(project, names, bundled=bundled),
        "liveliness": deploy.LIVELINESS,
        "readiness": deploy.READINESS,
        "startup_failures": STARTUP_FAILURES_WITH_DATABASE if database else STARTUP_FAILURES,
        "resources": resources(project),
        "config_dir": CONFIG_DIR,
        "bundled_redis": bundled,
        "cache_redis": project.cache.type == "redis",
        "max_replicas": max_replicas(project),
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
        "hpa": kube.hpa,
        "hpa_metrics": _hpa_metrics(kube.hpa),
        "pdb_spec": _pdb_spec(kube.pdb),
        "ingress": kube.ingress,
        "metrics_path": METRICS_PATH,
        "metrics_auth": metrics is not None and metrics_need_auth(ctx.config.data),
        "rule_name": f"{run.name}-quotas",
        "rule_spec": {"groups": rule_groups},
        "master_key_env": project.proxy.master_key_env,
        "pod_annotations": _pod_annotations(run.port) if metrics == "annotations" else {},
        **_credentials(ctx, run.name),
        **includes.kube_variables(ctx, CONFIG_KEY),
    }


def _credentials(ctx: RenderContext, run_name: str) -> dict[str, Any]:
    """The Secret of credentials files (targets/mounts.py), mounted read-only."""
    found = mounts.mounts(ctx, DIRECTORY)
    secret = mounts.secret_name(run_name)
    return {
        "mounts": found,
        "credentials_secret": secret,
        "credentials_dir": mounts.CREDENTIALS_DIR,
        "credential_items": mounts.kube_volume(found, secret)["secret"]["items"],
        "create_command": mounts.create_command(ctx.stack.project.kubernetes.namespace,
                                                secret, found),
    }


def _env(project: Project, names: Names, *, bundled: bool) -> list[dict[str, Any]]:
    """Set explicitly, so they win over the same names in the Secret (envFrom)."""
    hardened = project.kubernetes.hardened
    env: list[dict[str, Any]] = [
        {"name": key, "value": value} for key, value in WRITABLE_ENV.items() if hardened
    ]
    if bundled:
        router = project.router
        env += [
            {"name": router.redis_host_env, "value": names.redis},
            {"name": router.redis_port_env, "value": str(deploy.REDIS_PORT)},
        ]
    database_url_env = project.proxy.database_url_env
    if database_url_env is not None:
        # A missing key stops the pod with CreateContainerConfigError, before LiteLLM
        # could start without its database.
        env.append({"name": DATABASE_URL, "valueFrom": {"secretKeyRef": {
            "name": names.secret, "key": database_url_env}}})
        if hardened:
            env += [{"name": key, "value": value} for key, value in MIGRATION_DIR.items()]
    return env


def _hpa_metrics(hpa: Autoscaling | None) -> list[dict[str, Any]]:
    if hpa is None:
        return []
    return [{"type": "Resource", "resource": {"name": resource, "target": {
        "type": "Utilization", "averageUtilization": percent}}}
        for resource, percent in hpa.targets.items()]


def _pdb_spec(pdb: DisruptionBudget | None) -> dict[str, int | str]:
    if pdb is None:
        return {}
    if pdb.min_available is not None:
        return {"minAvailable": pdb.min_available}
    assert pdb.max_unavailable is not None  # the model requires one of the two
    return {"maxUnavailable": pdb.max_unavailable}


def _pod_annotations(port: int) -> dict[str, str]:
    """The prometheus.io convention read by Prometheus's `kubernetes-pods` scrape job."""
    return {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
            "prometheus.io/path": METRICS_PATH}


def _metrics(ctx: RenderContext) -> str | None:
    """[kubernetes] metrics, refused when it could not work."""
    wanted = ctx.stack.project.kubernetes.metrics
    if wanted is None:
        return None
    if not prometheus_enabled(ctx.config.data):
        raise CannotCarryError(
            f'[kubernetes] metrics = "{wanted}": LiteLLM serves {METRICS_PATH} only with the '
            'prometheus callback; add callbacks = ["prometheus"] to [observability] (or '
            "[litellm_settings])"
        )
    if wanted == "annotations" and metrics_need_auth(ctx.config.data):
        raise CannotCarryError(
            '[kubernetes] metrics = "annotations": LiteLLM asks for the master key on '
            f"{METRICS_PATH}, and prometheus.io annotations cannot carry a token; use "
            'metrics = "servicemonitor" (which sends it from the Secret), or set '
            "[litellm_settings] require_auth_for_metrics_endpoint = false"
        )
    return wanted


def resources(project: Project) -> dict[str, dict[str, str]]:
    """The proxy container's requests and limits, unset ones left out (the helm target's
    values carry the same)."""
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
