"""The optional project file `datumc.toml`. Every field has a default."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from datumc.validate.credentials import CREDENTIALS_DESCRIPTION, Credential
from datumc.validate.datum import (
    AnyNamedRetryPolicy,
    EnvVarName,
    Name,
    Seconds,
    Table,
    Text,
    no_control_chars,
)
from datumc.validate.formats import (
    IMAGE_PATTERN,
    OUTSIDE_PROJECT,
    host_problem,
    image_problem,
    project_path_problem,
)
from datumc.validate.guardrails import Guardrails
from datumc.validate.limits import MAX_LIST_ITEMS, MAX_STRING_CHARS
from datumc.validate.observability import AlertingSection, ObservabilitySection
from datumc.validate.quotas import QuotasSection

DEFAULT_IMAGE: Final = "ghcr.io/berriai/litellm:main-v1.106.0"
ALL_TARGETS: Final = ("litellm", "podman", "compose", "kubernetes")

# "helm" is built only when asked for (datumc.toml targets or --target helm); "clients"
# too, or by default when datumc.toml has a [clients] table.
TargetName = Literal["litellm", "podman", "compose", "kubernetes", "helm", "clients"]
Port = Annotated[int, Field(ge=1, le=65535)]

_DNS1123 = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_QUANTITY = r"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?"


def _matching(pattern: str, what: str) -> AfterValidator:
    """A pattern check with a readable message (pydantic's would print the regex)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise ValueError(f"{value[:40]!r} {what}")
        return value

    return AfterValidator(check)


def _schema_pattern(pattern: str) -> dict[str, Any]:
    return {"pattern": f"^{pattern}$"}


# Deployment names end up as podman container names, compose project names and
# Kubernetes object names (DNS-1035 labels, at most 63 characters). The limits
# leave room for "<name>-<profile>-redis".
DeployName = Annotated[
    str,
    Field(min_length=1, max_length=36, json_schema_extra=_schema_pattern(_DNS1035)),
    _matching(_DNS1035, "is not a valid name: use lowercase letters, digits and '-', "
              "starting with a letter (it names containers and Kubernetes objects)"),
]
ProfileName = Annotated[
    str,
    Field(min_length=1, max_length=20, json_schema_extra=_schema_pattern(_DNS1123)),
    _matching(_DNS1123, "is not a valid profile name: use lowercase letters, digits and "
              "'-' (it becomes a directory and part of container names)"),
]
Namespace = Annotated[
    str,
    Field(min_length=1, max_length=63, json_schema_extra=_schema_pattern(_DNS1123)),
    _matching(_DNS1123, "is not a valid Kubernetes namespace: use lowercase letters, "
              "digits and '-'"),
]
def _checked(problem: Callable[[str], str | None]) -> AfterValidator:
    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            raise ValueError(f"{value[:60]!r} {found}")
        return value

    return AfterValidator(check)


ImageRef = Annotated[
    str, Field(min_length=1, json_schema_extra=_schema_pattern(IMAGE_PATTERN)),
    _checked(image_problem),
]
ListenHost = Annotated[str, Field(min_length=1, max_length=253), _checked(host_problem)]


# One line of text: paths, addresses. Emitted into shell
# scripts, unit files and YAML, where a newline would start a new command or key.
def _one_line(value: str) -> str:
    if value.endswith("\\"):  # a unit file would continue the line onto the next one
        raise ValueError("must not end with a backslash")
    return no_control_chars(value)


Line = Annotated[
    str, Field(min_length=1, max_length=MAX_STRING_CHARS), AfterValidator(_one_line)
]
Quantity = Annotated[
    str,
    Field(max_length=64, json_schema_extra=_schema_pattern(_QUANTITY)),
    _matching(_QUANTITY, "is not a Kubernetes quantity such as 250m, 0.5, 512Mi or 1Gi"),
]





def _inside_project(elsewhere: str) -> AfterValidator:
    """A path the project file names must stay inside the project."""

    def check(value: str) -> str:
        problem = project_path_problem(value)
        if problem is not None:
            raise ValueError(f"{problem}; {elsewhere}" if problem == OUTSIDE_PROJECT else problem)
        return no_control_chars(value)

    return AfterValidator(check)


ProjectDir = Annotated[
    str, Field(min_length=1, max_length=4096),
    _inside_project("to write elsewhere, pass `datumc build --out DIR`"),
]
# The JSON Schema of a datum directory is unchanged (a Text): the check is a validator.
DatumDir = Annotated[
    str, Field(max_length=MAX_STRING_CHARS),
    _inside_project("to lint datums elsewhere, pass them to `datumc lint PATH`"),
]

_SECTION = ConfigDict(
    extra="allow", strict=True, allow_inf_nan=False, frozen=True,
    json_schema_extra={"additionalProperties": False},
)


def _default_targets() -> list[TargetName]:
    return list(ALL_TARGETS)


class DatumcSection(BaseModel):
    model_config = _SECTION

    datum_dirs: list[DatumDir] = Field(
        default_factory=lambda: ["datums"],
        min_length=1,
        description="Directories scanned (recursively) for *.ai_model.toml and *.model.toml.",
    )
    out_dir: ProjectDir = Field(
        default="build",
        description="Where generated files go: a relative path inside the project.",
    )
    targets: list[TargetName] = Field(
        default_factory=_default_targets, description="Targets built by default."
    )


class ProxySection(BaseModel):
    model_config = _SECTION

    port: Port = Field(default=4000, description="Port the proxy listens on.")
    host: ListenHost = Field(default="0.0.0.0", description="Address the proxy binds "
                             "inside its container: an IP address or a host name.")
    master_key_env: EnvVarName = Field(
        default="LITELLM_MASTER_KEY", description="Env var holding the proxy master key."
    )
    image: ImageRef = Field(default=DEFAULT_IMAGE,
                            description="Pinned LiteLLM container image reference.")
    workers: Annotated[int, Field(ge=1, le=256)] = Field(default=1)
    container_name: DeployName = Field(
        default="litellm",
        description="Container, compose project and Kubernetes object name. A profile "
        "build appends -<profile> unless the profile sets it.",
    )
    env_file: Line = Field(
        default=".env", description="Env file (relative to the project) passed to the proxy."
    )
    database_url_env: EnvVarName | None = Field(
        default=None,
        description="Env var with a Postgres URL -> general_settings.database_url (adds "
        "postgres to compose).",
    )


class RouterSection(BaseModel):
    """router_settings. Keys beyond these pass through if LiteLLM knows them."""

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False, frozen=True,
        json_schema_extra={"additionalProperties": True},
    )

    routing_strategy: Text | None = None
    num_retries: Annotated[int, Field(ge=0)] | None = None
    timeout: Seconds | None = None
    allowed_fails: Annotated[int, Field(ge=0)] | None = None
    cooldown_time: Annotated[int | float, Field(ge=0)] | None = None
    enable_tag_filtering: bool | None = Field(
        default=None, description="-> router_settings.enable_tag_filtering: a request's tags "
        "choose among the deployments' [ai_model] tags.")
    retry_policy: AnyNamedRetryPolicy | None = Field(
        default=None, description="Retries per kind of error for every model group without "
        "its own [ai_model.retry] -> router_settings.retry_policy. Keys as in "
        "[ai_model.retry] (rate_limit) or LiteLLM's (RateLimitErrorRetries).")
    redis: bool = Field(
        default=False,
        description="Share router state (rpm/tpm, cooldowns) through Redis, configured by env.",
    )
    redis_host_env: EnvVarName = "REDIS_HOST"
    redis_port_env: EnvVarName = "REDIS_PORT"
    redis_password_env: EnvVarName = "REDIS_PASSWORD"


class CacheSection(BaseModel):
    model_config = _SECTION

    type: Literal["local", "redis"] | None = Field(
        default=None, description="Response cache: local (in-process) or redis. Unset: off."
    )
    ttl: Annotated[int, Field(ge=1)] | None = Field(default=None, description="Seconds.")


class Resources(BaseModel):
    model_config = _SECTION

    cpu: Quantity | None = None
    memory: Quantity | None = None


class ResourceSpec(BaseModel):
    model_config = _SECTION

    requests: Resources = Field(default_factory=lambda: Resources(cpu="250m", memory="512Mi"))
    limits: Resources = Field(default_factory=lambda: Resources(memory="1Gi"))


# What [kubernetes] may add to the proxy: options a platform team switches on. A typo
# inside one of these tables is an error at its line (extra="forbid"), never ignored.
_OPTION = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
_SUBDOMAIN = rf"{_DNS1123}(\.{_DNS1123})*"
_HOST = rf"(\*\.)?{_SUBDOMAIN}"
_PERCENT = r"(100|[1-9]?[0-9])%"
_ANNOTATION_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_ANNOTATION_KEY = rf"({_SUBDOMAIN}/)?{_ANNOTATION_NAME}"
DEFAULT_HPA_CPU: Final = 80  # percent of the CPU request, as the HPA controller assumes

Pods = Annotated[int, Field(ge=1, le=1000)]
Utilization = Annotated[int, Field(ge=1, le=1000)]
ObjectName = Annotated[
    str,
    Field(min_length=1, max_length=253, json_schema_extra=_schema_pattern(_SUBDOMAIN)),
    _matching(_SUBDOMAIN, "is not a valid Kubernetes name: use lowercase letters, digits, "
              "'-' and '.'"),
]
IngressHost = Annotated[
    str,
    Field(min_length=1, max_length=253, json_schema_extra=_schema_pattern(_HOST)),
    _matching(_HOST, "is not a host name such as llm.example.com (lowercase; no scheme, "
              "port or path)"),
]
AnnotationKey = Annotated[
    str,
    Field(min_length=1, max_length=317, json_schema_extra=_schema_pattern(_ANNOTATION_KEY)),
    _matching(_ANNOTATION_KEY, "is not a Kubernetes annotation key such as "
              "nginx.ingress.kubernetes.io/proxy-read-timeout"),
]


def _disruption(value: int | str) -> int | str:
    if isinstance(value, str) and re.fullmatch(_PERCENT, value) is None:
        raise ValueError(f'{value[:40]!r} is not a pod count or a percentage such as "50%"')
    if isinstance(value, int) and not 0 <= value <= 1000:
        raise ValueError("must be a pod count from 0 to 1000")
    return value


Disruption = Annotated[
    int | str, AfterValidator(_disruption),
    Field(json_schema_extra={"anyOf": [{"type": "integer", "minimum": 0, "maximum": 1000},
                                       {"type": "string", "pattern": f"^{_PERCENT}$"}]}),
]


class Autoscaling(BaseModel):
    """`[kubernetes] hpa`: a HorizontalPodAutoscaler (autoscaling/v2) for the proxy."""

    model_config = _OPTION

    min: Pods | None = Field(
        default=None, description="Fewest pods (minReplicas). Default: [kubernetes] replicas."
    )
    max: Pods = Field(description="Most pods (maxReplicas). Over 1, Redis is required.")
    cpu: Utilization | None = Field(
        default=None, description="Target average CPU use, in percent of the CPU request. "
        f"Default {DEFAULT_HPA_CPU} when memory is not set either.",
    )
    memory: Utilization | None = Field(
        default=None, description="Target average memory use, in percent of the memory request."
    )

    @property
    def targets(self) -> dict[str, int]:
        """Resource name -> target utilization (percent of the request)."""
        given = {k: v for k, v in (("cpu", self.cpu), ("memory", self.memory)) if v is not None}
        return given or {"cpu": DEFAULT_HPA_CPU}


class DisruptionBudget(BaseModel):
    """`[kubernetes] pdb`: a PodDisruptionBudget (policy/v1). Set one of the two."""

    model_config = _OPTION

    min_available: Disruption | None = Field(
        default=None, description='Pods kept running during a node drain: a count or "50%".'
    )
    max_unavailable: Disruption | None = Field(
        default=None, description='Pods a node drain may evict at once: a count or "25%".'
    )


class IngressSpec(BaseModel):
    """`[kubernetes] ingress`: an Ingress (networking.k8s.io/v1) to the proxy's Service."""

    model_config = _OPTION

    host: IngressHost = Field(description="Host name clients use, e.g. llm.example.com.")
    tls_secret: ObjectName | None = Field(
        default=None, description="TLS Secret (tls.crt, tls.key) for the host; unset: HTTP only."
    )
    class_: ObjectName | None = Field(
        default=None, alias="class",
        description="IngressClass (ingressClassName); unset: the cluster's default class.",
    )
    annotations: dict[AnnotationKey, Text] = Field(
        default_factory=dict, max_length=64,
        description="Annotations for the ingress controller (timeouts, body size, issuer).",
    )


def _check_hpa(hpa: Autoscaling | None, info: Any) -> Autoscaling | None:
    """min defaults to replicas, stays within max, and each target has its request."""
    replicas, resources = info.data.get("replicas"), info.data.get("resources")
    if hpa is None or replicas is None or resources is None:
        return hpa  # an invalid sibling is reported on its own
    if hpa.min is not None and replicas > 1 and hpa.min != replicas:
        raise ValueError(f"min = {hpa.min} and replicas = {replicas} disagree: with hpa, "
                         "replicas only gives min its default; set one of them")
    low = replicas if hpa.min is None else hpa.min
    if low > hpa.max:
        source = "min" if hpa.min is not None else "min (from replicas)"
        raise ValueError(f"{source} = {low} is above max = {hpa.max}")
    for resource in hpa.targets:
        if getattr(resources.requests, resource) is None:
            raise ValueError(f"a {resource} target needs [kubernetes.resources.requests] "
                             f"{resource}: the autoscaler measures use against the request")
    return hpa if hpa.min is not None else hpa.model_copy(update={"min": low})


def _check_pdb(pdb: DisruptionBudget | None, info: Any) -> DisruptionBudget | None:
    """One of the two, and never a budget that blocks every node drain."""
    if pdb is None:
        return None
    given = [(key, value) for key, value in (("min_available", pdb.min_available),
                                             ("max_unavailable", pdb.max_unavailable))
             if value is not None]
    if len(given) != 1:
        raise ValueError("set one of min_available and max_unavailable")
    key, value = given[0]
    blocked = (key == "max_unavailable" and value in (0, "0%")) or (
        key == "min_available" and value == "100%")
    if "hpa" in info.data and "replicas" in info.data and key == "min_available" \
            and isinstance(value, int):
        hpa = info.data["hpa"]
        fewest = hpa.min if hpa is not None and hpa.min is not None else info.data["replicas"]
        blocked = blocked or value >= fewest
    if blocked:
        raise ValueError(f"{key} = {value!r} lets no proxy pod be evicted, so every node "
                         "drain waits forever; leave room for one pod to go")
    return pdb


class KubernetesSection(BaseModel):
    model_config = _SECTION

    namespace: Namespace = "litellm"
    replicas: Annotated[int, Field(ge=1, le=1000)] = 1
    resources: ResourceSpec = Field(default_factory=ResourceSpec)
    service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    redis: Literal["bundled", "external"] | None = Field(
        default=None,
        description="With replicas > 1: run a Redis next to the proxy (bundled) or use one "
        "named by env (external).",
    )
    hpa: Annotated[Autoscaling | None, AfterValidator(_check_hpa)] = Field(
        default=None,
        description="A HorizontalPodAutoscaler: {min, max, cpu, memory}. The Deployment then "
        "leaves the pod count to it.",
    )
    pdb: Annotated[DisruptionBudget | None, AfterValidator(_check_pdb)] = Field(
        default=None,
        description="A PodDisruptionBudget: {min_available} or {max_unavailable}.",
    )
    ingress: IngressSpec | None = Field(
        default=None, description="An Ingress to the Service: {host, tls_secret, class, "
        "annotations}.",
    )
    metrics: Literal["servicemonitor", "annotations"] | None = Field(
        default=None,
        description="How Prometheus finds /metrics/ (needs the prometheus callback): a "
        "ServiceMonitor, or prometheus.io annotations on the pods.",
    )
    hardened: bool = Field(
        default=True,
        description="Non-root uid 65532, read-only root filesystem, writable /tmp only. "
        "false: the image's own user and a writable root filesystem.",
    )


ClientName = Literal["opencode", "claude-code", "continue", "aider", "avante", "librechat",
                     "kait"]
ALL_CLIENTS: Final = ("opencode", "claude-code", "continue", "aider", "avante", "librechat",
                      "kait")
OPEN_WEBUI_IMAGE: Final = "ghcr.io/open-webui/open-webui:v0.6.18"


def _all_clients() -> list[ClientName]:
    return list(ALL_CLIENTS)


class ClientsSection(BaseModel):
    """`[clients]`: the configs of the clients that talk to the proxy (build/clients/)."""

    model_config = _OPTION

    base_url: Line | None = Field(
        default=None, description="The proxy's address as clients reach it, without /v1. "
        "Default: http://localhost:<[proxy] port>.",
    )
    key_env: EnvVarName | None = Field(
        default=None, description="Env var clients read the proxy key from. Default: "
        "[proxy] master_key_env.",
    )
    models: list[Name] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS,
        description="Model names or aliases the clients see. Default: every model.",
    )
    access_groups: list[Name] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS,
        description="The clients see the models in these access groups (with models: both).",
    )
    default: Name | None = Field(default=None, description="The main model (name or alias).")
    small: Name | None = Field(default=None, description="The small, fast model.")
    opus: Name | None = Field(default=None, description="Claude Code's opus tier.")
    sonnet: Name | None = Field(default=None, description="Claude Code's sonnet tier.")
    haiku: Name | None = Field(default=None, description="Claude Code's haiku tier.")
    enabled: list[ClientName] = Field(
        default_factory=_all_clients, description="Clients whose configs are written."
    )
    open_webui: bool = Field(
        default=False, description="Add an Open WebUI service to compose.yaml, wired to "
        "the proxy.",
    )
    open_webui_image: ImageRef = Field(default=OPEN_WEBUI_IMAGE,
                                       description="Pinned Open WebUI image.")
    open_webui_port: Port = Field(default=3000, description="Host port of Open WebUI.")


Level = Literal["error", "warning", "info", "off"]


class LintSection(BaseModel):
    model_config = _SECTION

    disable: list[Text] = Field(default_factory=list, description="Rule codes or names to skip.")
    severity: dict[str, Level] = Field(
        default_factory=dict, description="Rule code or name -> error | warning | info | off."
    )


# [profiles.NAME.datums] chooses datums; it is not a settings overlay (load/profiles.py).
PROFILE_DATUMS: Final = "datums"
# A partial datum: its [b00t] and [ai_model] keys, checked as the datum's own are.
DatumOverride = Annotated[Table, WithJsonSchema({
    "type": "object", "additionalProperties": False,
    "properties": {"b00t": {"type": "object"}, "ai_model": {"type": "object"}},
})]


class ProfileDatums(BaseModel):
    """[profiles.NAME.datums]: which datums a profile serves, and what it changes in them."""

    model_config = _SECTION

    enable: list[Name] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS,
        description="Datums ([b00t] name) served in this profile, even if their file says "
        "enabled = false.",
    )
    disable: list[Name] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS,
        description="Datums ([b00t] name) left out in this profile.",
    )
    override: dict[Name, DatumOverride] = Field(
        default_factory=dict,
        description="Datum name -> [b00t] and [ai_model] keys merged over its file in this "
        "profile, validated as the datum.",
    )


def _profile_schema(schema: dict[str, Any]) -> None:
    """Editors see the [datums] table of each profile (its other tables overlay this file)."""
    datums = ProfileDatums.model_json_schema()
    for profile in schema.get("patternProperties", {}).values():
        profile["properties"] = {PROFILE_DATUMS: datums}


class Project(BaseModel):
    """`datumc.toml`: settings for the whole deployment."""

    model_config = ConfigDict(
        extra="allow",
        strict=True, allow_inf_nan=False,
        frozen=True,
        title="datumc project file",
        json_schema_extra={"additionalProperties": False},
    )

    datumc: DatumcSection = Field(default_factory=DatumcSection)
    proxy: ProxySection = Field(default_factory=ProxySection)
    router: RouterSection = Field(default_factory=RouterSection)
    cache: CacheSection = Field(default_factory=CacheSection)
    litellm_settings: Table = Field(
        default_factory=dict, description="Passed through; keys checked against LiteLLM's."
    )
    general_settings: Table = Field(
        default_factory=dict, description="Passed through; keys checked against LiteLLM's."
    )
    extra_sections: Table = Field(
        default_factory=dict,
        description="Other top-level sections of config.yaml (files_settings, guardrails, "
        "include, ...), emitted verbatim after general_settings. The files `include` names "
        "(relative to this file) are copied next to config.yaml and mounted by every "
        "target (helm refuses them).",
    )
    credentials: dict[Name, Credential] = Field(
        default_factory=dict, max_length=MAX_LIST_ITEMS, description=CREDENTIALS_DESCRIPTION
    )
    observability: ObservabilitySection | None = Field(
        default=None, description="Logging callbacks -> litellm_settings callbacks, "
        "success_callback, failure_callback.",
    )
    alerting: AlertingSection | None = Field(
        default=None, description="Slack alerts -> general_settings alerting, alert_types, "
        "alerting_threshold.",
    )
    guardrails: Guardrails = Field(
        default_factory=list, description="[[guardrails]]: one table per guardrail -> the "
        "config's guardrails list {guardrail_name, litellm_params}.",
    )
    kubernetes: KubernetesSection = Field(default_factory=KubernetesSection)
    lint: LintSection = Field(default_factory=LintSection)
    quotas: QuotasSection = Field(
        default_factory=QuotasSection, description="When the Prometheus alerting rules "
        "datumc writes for datums with rpd_limit fire (needs the prometheus callback).",
    )
    clients: ClientsSection | None = Field(
        default=None, description="Client configs (OpenCode, Claude Code, Continue, aider, "
        "avante.nvim, LibreChat, Kait) in build/clients/, and Open WebUI in compose.",
    )
    profiles: dict[ProfileName, Table] = Field(
        default_factory=dict,
        description="Named overlays (dev, staging, prod): tables merged over this file; "
        "[profiles.NAME.datums] enables, disables or overrides datums.",
        json_schema_extra=_profile_schema,
    )


def merge_profile(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge a profile overlay onto the raw project table. Its [datums] table
    applies to the datums, not to this file, and is left out."""
    return deep_merge(base, {k: v for k, v in overlay.items() if k != PROFILE_DATUMS})


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (an array too) replaces the base's."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def project_variants(data: dict[str, Any]) -> Iterator[tuple[str | None, Project]]:
    """The base settings (None) and each profile merged over them, where they validate
    (an invalid one is reported by the loader, at its own lines)."""
    candidates: list[tuple[str | None, dict[str, Any]]] = [(None, data)]
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        candidates += [(str(name), merge_profile(data, overlay))
                       for name, overlay in profiles.items() if isinstance(overlay, dict)]
    for name, raw in candidates:
        try:
            yield name, Project.model_validate(raw)
        except ValidationError:
            continue
