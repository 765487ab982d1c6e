"""helm: values.yaml for LiteLLM's own chart, litellm-helm (deploy/charts/litellm-helm in
the LiteLLM repository). Built only when asked for: `--target helm` or datumc.toml targets.

The values describe the same proxy as every other target:

* `proxy_config` is the planned LiteLLM config, the data of build/litellm/config.yaml
  (secrets as `os.environ/NAME` references only); the chart renders it into its
  ConfigMap with `toYaml`.
* `environmentSecrets` names one Secret (`<name>-env`, the kubernetes target's) holding
  every variable of the env inventory; the header lists them. `masterkeySecretName`
  and `masterkeySecretKey` point the chart's PROXY_MASTER_KEY at the master key in that
  same Secret, so the chart generates no key of its own.
* image repository and tag from `[proxy] image`; the Service port from `[proxy] port`
  (the chart passes it to LiteLLM as PORT); NUM_WORKERS from `[proxy] workers`.
* `replicaCount`, `resources`, `service.type`, and `autoscaling` (`[kubernetes] hpa`),
  `pdb` and `ingress` from `[kubernetes]`.
* Redis: `[kubernetes] redis = "bundled"` turns on the chart's Redis dependency, which
  sets REDIS_HOST, REDIS_PORT and REDIS_PASSWORD itself; otherwise the Redis address
  comes from the Secret.
* Database: never the chart's bundled Postgres (`db.deployStandalone: false`). With
  `[proxy] database_url_env`, DATABASE_URL comes from that key of the Secret, for the
  proxy and for the chart's migration Job (`extraEnvVars`); without one, the Job is off.

Helm reads values.yaml into JSON-like values and the chart writes `proxy_config` back
with `toYaml`, which is lossy: numbers pass through float64 and Go's float formatting
(3e-06 comes out as `3e-06`, which LiteLLM's YAML reader takes for a string), some
strings come out as YAML that PyYAML reads differently or not at all. A config holding
such a value is refused (`helm_problem`) instead of reaching LiteLLM changed; the
kubernetes target ships config.yaml byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any, Final

import yaml

from datumc.load.positions import Key, dotted
from datumc.plan.env import POSTGRES_PASSWORD, EnvVar
from datumc.plan.images import ImageRef
from datumc.render import kubetext
from datumc.render.errors import CannotCarryError, shown
from datumc.targets import deploy, includes, kubernetes, mounts
from datumc.targets.base import Output, RenderContext
from datumc.validate.project import Project

name = "helm"
VALUES_TEMPLATE = "helm/values.yaml.j2"
templates = (VALUES_TEMPLATE,)

DIRECTORY = "helm"
FILENAME = "values.yaml"

# The chart these values are written for: deploy/charts/litellm-helm of BerriAI/litellm.
# Its releases are published as an OCI artifact; CI stamps each with the LiteLLM release
# as appVersion. The image is pinned by these values whatever the chart's appVersion.
CHART: Final = "litellm-helm"
CHART_REPOSITORY: Final = "oci://ghcr.io/berriai/litellm-helm"
CHART_VERSION: Final = "1.1.0"  # Chart.yaml `version` of the chart source read

# What the chart sets in the proxy's environment by itself (templates/deployment.yaml).
CHART_REDIS_ENV: Final = {"host": "REDIS_HOST", "port": "REDIS_PORT",
                          "password": "REDIS_PASSWORD"}
CHART_DEFAULT_HOST: Final = "0.0.0.0"
DATABASE_URL: Final = "DATABASE_URL"  # what LiteLLM and its Prisma migrations read
NUM_WORKERS: Final = "NUM_WORKERS"  # litellm's --num_workers reads it (proxy_cli.py)


def outputs(ctx: RenderContext) -> list[Output]:
    includes.refuse_helm(ctx)
    variables = _variables(ctx)
    for key in ("proxy_config", "ingress", "resources", "extraEnvVars"):
        if key in variables["values"]:
            _check_carried(variables["values"][key], (key,))
    text = ctx.render(VALUES_TEMPLATE, **variables)
    return [Output(f"{DIRECTORY}/{FILENAME}", text.encode())]


def _variables(ctx: RenderContext) -> dict[str, Any]:
    project = ctx.stack.project
    kube = project.kubernetes
    run = deploy.proxy(ctx.stack)
    secret = f"{run.name}-env"
    bundled = kubernetes.bundles_redis(project)
    database = project.proxy.database_url_env
    _check_size(len(deploy.config_yaml(ctx)))
    repository, tag, pinned = chart_image(run.image)
    master_key = ctx.config.inventory[0].name  # the inventory lists the master key first

    values: dict[str, Any] = {
        "fullnameOverride": run.name,
        "image": {"repository": repository, "tag": tag,
                  **({"pullPolicy": "IfNotPresent"} if pinned else {})},
        "replicaCount": kube.replicas,
    }
    if kube.hpa is not None:
        values["autoscaling"] = _autoscaling(project)
    values["service"] = {"type": kube.service_type, "port": run.port}
    if run.host != CHART_DEFAULT_HOST:
        values["listen"] = run.host
    values["masterkeySecretName"] = secret
    values["masterkeySecretKey"] = master_key
    values["environmentSecrets"] = [secret]
    if run.workers > 1:
        values["envVars"] = {NUM_WORKERS: str(run.workers)}
    extra_env = _extra_env(project, secret, bundled=bundled)
    if extra_env:
        values["extraEnvVars"] = kubetext.env(extra_env)
    values["redis"] = {"enabled": bundled}
    values["db"] = {"deployStandalone": False, "useExisting": False}
    values["migrationJob"] = {"enabled": database is not None}
    resources = kubernetes.resources(project)
    if resources:
        values["resources"] = resources
    if kube.pdb is not None:
        values["pdb"] = _pdb(project)
    if kube.ingress is not None:
        values["ingress"] = _ingress(project)
    found = mounts.mounts(ctx, DIRECTORY)  # credentials files: targets/mounts.py
    credentials = mounts.secret_name(run.name)
    if found:
        values["volumes"] = [mounts.kube_volume(found, credentials)]
        values["volumeMounts"] = [mounts.kube_volume_mount()]
    values["proxy_config"] = ctx.config.data

    return {
        "run": run,
        "values": values,
        "secret": secret,
        "secret_env": secret_env(ctx, bundled=bundled),
        "master_key_env": master_key,
        "bundled_redis": bundled,
        "uses_redis": deploy.uses_redis(project),
        "database_url_env": database,
        "chart": CHART,
        "chart_repository": CHART_REPOSITORY,
        "chart_version": CHART_VERSION,
        "values_file": deploy.relative(ctx.out / DIRECTORY / FILENAME, ctx.stack.root),
        "not_carried": _not_carried(project),
        "credentials_command": mounts.create_command(kube.namespace, credentials, found),
    }


def chart_image(image: str) -> tuple[str, str, bool]:
    """(image.repository, image.tag, pinned) for the chart, which writes the image as
    `repository:tag`. A digest cannot be a tag, so its algorithm joins the repository
    (`repo@sha256` + `:` + hex is the reference again). No tag: `latest`, as podman and
    the kubelet read a bare name (the chart would put its own appVersion there)."""
    ref = ImageRef.parse(image)
    if ref.digest is not None:
        algorithm, _, encoded = ref.digest.partition(":")
        base = ref.repository if ref.tag is None else f"{ref.repository}:{ref.tag}"
        return f"{base}@{algorithm}", encoded, True
    return ref.repository, ref.tag or "latest", ref.versioned_tag


def secret_env(ctx: RenderContext, *, bundled: bool) -> list[EnvVar]:
    """The env inventory, less what the chart sets itself (the chart's Redis address and
    password) and the password of compose's own Postgres."""
    set_by_chart = {POSTGRES_PASSWORD}
    if bundled:
        router = ctx.stack.project.router
        set_by_chart |= {*CHART_REDIS_ENV.values(), router.redis_host_env,
                         router.redis_port_env, router.redis_password_env}
    return [var for var in ctx.config.env if var.name not in set_by_chart]


def _extra_env(project: Project, secret: str, *, bundled: bool) -> list[dict[str, Any]]:
    """Env entries the chart adds after its own (`extraEnvVars`, a list of k8s env vars;
    the migration Job gets them too)."""
    env: list[dict[str, Any]] = []
    if bundled:
        # The chart names its Redis REDIS_HOST/PORT/PASSWORD; the config may read others.
        router = project.router
        for key, chart_name in CHART_REDIS_ENV.items():
            wanted = getattr(router, f"redis_{key}_env")
            if wanted != chart_name:
                env.append({"name": wanted, "value": kubetext.reference(chart_name)})
    if project.proxy.database_url_env is not None:
        # A missing key stops the pod (CreateContainerConfigError) before LiteLLM could
        # start without its database.
        env.append({"name": DATABASE_URL, "valueFrom": {"secretKeyRef": {
            "name": secret, "key": project.proxy.database_url_env}}})
    return env


def _autoscaling(project: Project) -> dict[str, Any]:
    hpa = project.kubernetes.hpa
    assert hpa is not None
    targets = hpa.targets
    out: dict[str, Any] = {
        "enabled": True,
        "minReplicas": hpa.min if hpa.min is not None else project.kubernetes.replicas,
        "maxReplicas": hpa.max,
        # null removes the chart's default of 80 when only memory is wanted.
        "targetCPUUtilizationPercentage": targets.get("cpu"),
    }
    if "memory" in targets:
        out["targetMemoryUtilizationPercentage"] = targets["memory"]
    return out


def _pdb(project: Project) -> dict[str, Any]:
    pdb = project.kubernetes.pdb
    assert pdb is not None
    # The chart tests `if minAvailable`: 0 would read as unset (and become maxUnavailable 1).
    if pdb.min_available is not None and pdb.min_available != 0:
        return {"enabled": True, "minAvailable": pdb.min_available}
    if pdb.min_available == 0:
        return {"enabled": True, "maxUnavailable": "100%"}
    return {"enabled": True, "maxUnavailable": pdb.max_unavailable}


def _ingress(project: Project) -> dict[str, Any]:
    ingress = project.kubernetes.ingress
    assert ingress is not None
    return {
        "enabled": True,
        # null drops the chart's default class ("nginx"): the cluster's default class.
        "className": ingress.class_,
        "annotations": dict(ingress.annotations),
        "hosts": [{"host": ingress.host, "paths": [{"path": "/", "pathType": "Prefix"}]}],
        "tls": ([{"hosts": [ingress.host], "secretName": ingress.tls_secret}]
                if ingress.tls_secret is not None else []),
    }


def _not_carried(project: Project) -> list[str]:
    """[kubernetes] settings the chart's values do not express (said in the header)."""
    kube = project.kubernetes
    out = []
    if kube.hardened:
        out.append("hardened (the chart's own securityContext applies)")
    if kube.metrics is not None:
        out.append(f'metrics = "{kube.metrics}" (set the chart\'s serviceMonitor or '
                   "podAnnotations yourself)")
    return out


# --- What survives Helm: values.yaml -> Helm's values -> toYaml -> LiteLLM's PyYAML ---

# Helm turns values into JSON, and every number into a float64.
_INT64 = range(-(2 ** 63), 2 ** 64)  # the YAML reader takes integers up to uint64
# Characters toYaml drops, folds or writes so that the YAML it renders breaks.
_BAD_CHARS = frozenset(["\x7f", *map(chr, range(0x80, 0xA0)), "\u2028", "\u2029",
                        "\ufffe", "\uffff"])
_BAD_CHAR = re.compile("[" + "".join(sorted(_BAD_CHARS)) + "]")
# Written plain by toYaml, read by PyYAML as its `value` and `merge` tags.
_BAD_STRINGS = frozenset(["=", "<<"])
# The YAML reader in toYaml refuses an implicit key this long (in JSON-escaped characters).
KEY_MAX = 1000


# Integers a float64 holds exactly: encoding/json writes them back as the same digits.
_EXACT_INT = 2 ** 53


def helm_problem(value: Any) -> str | None:
    """Why `value` would not reach LiteLLM as written through the chart's toYaml."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and -_EXACT_INT <= value <= _EXACT_INT:
        return None  # the common case, without the float64 round trip below
    if isinstance(value, int | float):
        return _number_problem(value)
    if isinstance(value, str):
        return _string_problem(value)
    return None


@cache
def _number_problem(value: int | float) -> str | None:
    after = through_helm(value)
    if isinstance(after, bool) or not isinstance(after, int | float) or after != value:
        return (f"Helm turns the number into {after!r} (its values are float64, and "
                "Go writes them as LiteLLM's YAML reader does not read them)")
    return None


def _string_problem(text: str) -> str | None:
    if _plain(text):
        return None  # the common case: none of the characters or endings below
    if text in _BAD_STRINGS:
        return "Helm's toYaml writes it unquoted, and LiteLLM's YAML reader takes it for a tag"
    found = _BAD_CHAR.search(text)  # the first of them, as a scan of the characters finds
    if found is not None:
        bad = found.group()
        return (f"it holds U+{ord(bad):04X}, which Helm's toYaml drops, folds or writes "
                "as YAML that does not read back")
    if text == "\n" or text.endswith("\n\n"):
        return "Helm's toYaml drops its trailing line breaks"
    if text and text[-1].isspace() and ord(text[-1]) >= 0x80:
        return f"Helm's toYaml drops its trailing U+{ord(text[-1]):04X}"
    return None


def through_helm(number: int | float) -> Any:
    """The number LiteLLM reads after Helm: values are float64; toYaml goes through
    encoding/json (shortest digits, fixed notation from 1e-6 to 1e21) and a YAML round
    trip that writes floats with Go's %g (`1e-05`, which PyYAML reads as a string)."""
    value = float(number)
    if value == 0:
        return 0
    if 1e-6 <= abs(value) < 1e21:
        text = _fixed(*_digits(value))
        if "." not in text and int(text) in _INT64:
            return int(text)
    return _read_back(_go_g(value))


@cache
def _read_back(text: str) -> Any:
    """What LiteLLM's YAML reader makes of a number as Go wrote it (a scalar: immutable).
    Once per distinct text: a build checks every number of every datum."""
    return yaml.safe_load(text)


def _digits(value: float) -> tuple[bool, str, int]:
    """(negative, shortest significant digits, position of the decimal point)."""
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite: datumc.toml and datums refuse inf and nan
    return bool(sign), "".join(map(str, digits)), len(digits) + exponent


def _fixed(negative: bool, digits: str, point: int) -> str:
    if point <= 0:
        body = "0." + "0" * -point + digits
    elif point >= len(digits):
        body = digits + "0" * (point - len(digits))
    else:
        body = f"{digits[:point]}.{digits[point:]}"
    return ("-" if negative else "") + body


def _go_g(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64)."""
    negative, digits, point = _digits(value)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        sign = "-" if exponent < 0 else "+"
        return f"{'-' if negative else ''}{mantissa}e{sign}{abs(exponent):02d}"
    return _fixed(negative, digits, point)


def _check_size(size: int) -> None:
    """The chart puts the config in a ConfigMap, which Kubernetes caps at 1 MiB."""
    limit = kubernetes.CONFIGMAP_MAX_BYTES
    if size > limit:
        raise CannotCarryError(
            f"{DIRECTORY}/{FILENAME}: the LiteLLM config is {size:,} bytes, and Kubernetes "
            f"refuses a ConfigMap over {limit:,} bytes (1 MiB)"
        )


def _json_length(text: str) -> int:
    """Characters of `text` as Go's encoding/json writes it (HTML-safe escapes)."""
    return sum(2 if ch in '"\\\n\r\t' else 6 if ch < " " or ch in "<>&\u2028\u2029" else 1
               for ch in text)


def _check_carried(data: Any, at: tuple[Key, ...]) -> None:
    if _all_carried(data):
        return  # the common case; else the walk below finds the first problem, in order
    for path, value in _leaves(data, at):
        problem = helm_problem(value)
        if problem is not None:
            raise CannotCarryError(
                f"{DIRECTORY}/{FILENAME}: {dotted(path)} = {shown(str(value))} cannot go "
                f"through the chart: {problem}. The kubernetes target carries config.yaml "
                "unchanged"
            )


def _all_carried(data: Any) -> bool:
    """True when no key or scalar under `data` has a problem: what _check_carried checks,
    without building a path per leaf (a build checks every value of every datum). Any
    doubt, even an exception, answers False, and the ordered walk decides."""
    try:
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    text = str(key)
                    # A character is at most 6 in JSON: only long keys need counting.
                    if (not _plain(text) and helm_problem(text) is not None) or (
                            len(text) * 6 > KEY_MAX and _json_length(text) > KEY_MAX):
                        return False
                    stack.append(value)
            elif isinstance(item, list | tuple):
                stack.extend(item)
            elif not (type(item) is str and _plain(item)):
                leaf = item.isoformat() if hasattr(item, "isoformat") else item
                if helm_problem(leaf) is not None:
                    return False
    except Exception:  # the ordered walk raises it, or an earlier error
        return False
    return True


def _plain(text: str) -> bool:
    """A string _string_problem passes at first sight: ASCII without DEL, not ending in
    a line break, not one of the strings toYaml leaves as a tag."""
    return text.isascii() and "\x7f" not in text and not text.endswith("\n") \
        and text not in _BAD_STRINGS


def _leaves(data: Any, at: tuple[Key, ...]) -> Iterator[tuple[tuple[Key, ...], Any]]:
    """Every key (as a string) and scalar under `data`, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            text = str(key)
            yield (*at, text), text
            if _json_length(text) > KEY_MAX:
                raise CannotCarryError(
                    f"{DIRECTORY}/{FILENAME}: {dotted((*at, shown(text)))}: a key over "
                    f"{KEY_MAX} characters cannot go through the chart's toYaml"
                )
            yield from _leaves(value, (*at, text))
    elif isinstance(data, list | tuple):
        for index, item in enumerate(data):
            yield from _leaves(item, (*at, index))
    elif hasattr(data, "isoformat"):  # TOML dates and times: quoted ISO text in YAML
        yield at, data.isoformat()
    else:
        yield at, data
