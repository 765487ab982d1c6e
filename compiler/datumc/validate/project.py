"""The optional project file `datumc.toml`. Every field has a default."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from datumc.validate.datum import EnvVarName, Seconds, Table, Text, no_control_chars
from datumc.validate.formats import IMAGE_PATTERN, host_problem, image_problem
from datumc.validate.limits import MAX_STRING_CHARS

DEFAULT_IMAGE: Final = "ghcr.io/berriai/litellm:main-v1.106.0"
ALL_TARGETS: Final = ("litellm", "podman", "compose", "kubernetes")

TargetName = Literal["litellm", "podman", "compose", "kubernetes"]
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



NAME_MAX: Final = 255  # bytes in one file name


def _inside_project(elsewhere: str) -> AfterValidator:
    """A directory the project file names must stay inside the project: a repository
    someone clones cannot make `datumc build` write to ~/.config or /etc, nor read
    datums from the whole disk. Symlinks are checked where the directory is used."""

    def check(value: str) -> str:
        posix, windows = PurePosixPath(value), PureWindowsPath(value)
        if posix.is_absolute() or windows.is_absolute() or windows.drive or ".." in posix.parts:
            raise ValueError(
                f"must be a relative path inside the project (no leading /, no ..); {elsewhere}"
            )
        _short_names(posix)
        return no_control_chars(value)

    return AfterValidator(check)


def _short_names(path: PurePosixPath) -> None:
    """Each name fits a file system (else every use of the path fails with ENAMETOOLONG)."""
    for part in path.parts:
        size = len(part.encode(errors="replace"))
        if size > NAME_MAX:
            raise ValueError(f"has a name of {size} bytes; file names are at most {NAME_MAX} "
                             "bytes")


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


Level = Literal["error", "warning", "info", "off"]


class LintSection(BaseModel):
    model_config = _SECTION

    disable: list[Text] = Field(default_factory=list, description="Rule codes or names to skip.")
    severity: dict[str, Level] = Field(
        default_factory=dict, description="Rule code or name -> error | warning | info | off."
    )


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
        "include, ...), emitted verbatim after general_settings.",
    )
    kubernetes: KubernetesSection = Field(default_factory=KubernetesSection)
    lint: LintSection = Field(default_factory=LintSection)
    profiles: dict[ProfileName, Table] = Field(
        default_factory=dict,
        description="Named overlays (dev, staging, prod): tables merged over this file.",
    )


def merge_profile(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge a profile overlay onto the raw project table."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_profile(out[key], value)
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
