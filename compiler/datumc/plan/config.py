"""Turn a validated Stack into the LiteLLM proxy config, as plain data.

The result is what `config.yaml` must mean; the Jinja template only lays it out.
Keeping the meaning here lets lint, import and the round-trip tests compare
configs as data instead of text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.load.stack import Entry, Stack
from datumc.validate.datum import AiModel
from datumc.validate.project import Project
from datumc.validate.vocab import CAPABILITY_FLAGS, CAPABILITY_MODES, ENV_REF_PREFIX, Capability

OVERRIDE = "DC006"

# litellm_params keys a datum's [ai_model.parameters] may never set.
RESERVED_PARAMS = ("model", "api_key", "api_base")
FIELD_PARAMS = {
    "api_version": "api_version",
    "rpm_limit": "rpm",
    "tpm_limit": "tpm",
    "timeout": "timeout",
    "stream_timeout": "stream_timeout",
    "max_retries": "max_retries",
}
ROUTER_FIELDS = ("routing_strategy", "num_retries", "timeout", "allowed_fails", "cooldown_time")
# The bundled compose postgres reads its password from the env file under this name.
POSTGRES_PASSWORD = "POSTGRES_PASSWORD"
ROUTER_OWN = {"redis", "redis_host_env", "redis_port_env", "redis_password_env"}
# Top-level sections of config.yaml that datumc writes itself.
OWN_SECTIONS = ("model_list", "router_settings", "litellm_settings", "general_settings")
# Without this pre-call check LiteLLM only uses a deployment's rpm/tpm as a routing
# weight and never refuses a request (verified on 1.106.0 by tests/test_e2e_scenarios.py).
ENFORCE_LIMITS = "enforce_model_rate_limits"


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable the deployment needs. Names only; never a value."""

    name: str
    purpose: str
    users: tuple[str, ...] = ()

    def describe(self, limit: int = 5) -> str:
        if not self.users:
            return self.purpose
        shown = ", ".join(self.users[:limit])
        more = len(self.users) - limit
        return f"{self.purpose} for {shown}" + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True, slots=True)
class LiteLLMConfig:
    data: dict[str, Any]
    env: tuple[EnvVar, ...]


def env_ref(name: str) -> str:
    return f"{ENV_REF_PREFIX}{name}"


def build_config(stack: Stack) -> tuple[LiteLLMConfig, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    model_list = []
    for entry in stack.enabled:
        deployment, found = _deployment(entry)
        model_list.append(deployment)
        diags.extend(found)
    data: dict[str, Any] = {"model_list": model_list}
    router = _router_settings(stack)
    diags.extend(_router_conflicts(stack))
    if router:
        data["router_settings"] = router
    settings, found = _litellm_settings(stack)
    diags.extend(found)
    if settings:
        data["litellm_settings"] = settings
    general, found = _general_settings(stack)
    diags.extend(found)
    data["general_settings"] = general
    diags.extend(_extra_sections(stack, data))
    return LiteLLMConfig(data, tuple(_env_vars(stack))), diags


# -- model_list ---------------------------------------------------------------------


def _deployment(entry: Entry) -> tuple[dict[str, Any], list[Diagnostic]]:
    params, diags = _litellm_params(entry)
    info, found = _model_info(entry)
    diags.extend(found)
    out: dict[str, Any] = {"model_name": entry.datum.public_name, "litellm_params": params}
    if info:
        out["model_info"] = info
    return out, diags


def _litellm_params(entry: Entry) -> tuple[dict[str, Any], list[Diagnostic]]:
    am = entry.datum.ai_model
    params: dict[str, Any] = {"model": am.litellm_model}
    if am.api_base is not None:
        params["api_base"] = am.api_base
    elif am.api_base_env is not None:
        params["api_base"] = env_ref(am.api_base_env)
    if am.api_key_env is not None:
        params["api_key"] = env_ref(am.api_key_env)
    for field, key in FIELD_PARAMS.items():
        value = getattr(am, field)
        if value is not None:
            params[key] = value
    diags = []
    for key, value in am.parameters.items():
        if key in RESERVED_PARAMS or key in params:
            diags.append(_override(entry, ("ai_model", "parameters", key), key, am))
            continue
        params[key] = value
    return params, diags


def _override(entry: Entry, path: tuple[str, ...], key: str, am: AiModel) -> Diagnostic:
    field = {"model": "litellm_model", "api_key": "api_key_env", "api_base": "api_base"}.get(key)
    if field is None:
        field = next((f for f, k in FIELD_PARAMS.items() if k == key), key)
    return entry.diag(
        OVERRIDE,
        Severity.ERROR,
        f"[ai_model.parameters] may not set '{key}'; it comes from [ai_model] {field}",
        *path,
        hint=f"remove it from [ai_model.parameters] and set [ai_model] {field} instead",
    )


def _model_info(entry: Entry) -> tuple[dict[str, Any], list[Diagnostic]]:
    am = entry.datum.ai_model
    info: dict[str, Any] = {}
    caps = set(am.capabilities)
    mode = next((m for c, m in CAPABILITY_MODES.items() if c in caps), None)
    if mode is not None:
        info["mode"] = mode
    for cap in Capability:
        flag = CAPABILITY_FLAGS.get(cap)
        if flag is not None and cap in caps:
            info[flag] = True
    if am.context_window is not None:
        info["max_input_tokens"] = am.context_window
    if am.access_groups:
        info["access_groups"] = list(am.access_groups)
    diags = []
    for key, value in am.metadata.items():
        if key in info:
            diags.append(
                entry.diag(
                    OVERRIDE,
                    Severity.ERROR,
                    f"[ai_model.metadata] may not set '{key}'; datumc derives it",
                    "ai_model", "metadata", key,
                    hint="capabilities set mode and supports_*; context_window sets "
                    "max_input_tokens; access_groups sets access_groups",
                )
            )
            continue
        info[key] = value
    return info, diags


# -- router_settings --------------------------------------------------------------


def _router_settings(stack: Stack) -> dict[str, Any]:
    router = stack.project.router
    out: dict[str, Any] = {}
    for key in ROUTER_FIELDS:
        value = getattr(router, key)
        if value is not None:
            out[key] = value
    for key, value in (router.model_extra or {}).items():
        if key not in ROUTER_OWN:
            out[key] = value
    if _has_limits(stack):
        given = out.get("optional_pre_call_checks")
        checks = [given] if isinstance(given, str) else list(given or [])
        if ENFORCE_LIMITS not in checks:
            out["optional_pre_call_checks"] = [*checks, ENFORCE_LIMITS]
    if needs_redis(stack.project):
        out["redis_host"] = env_ref(router.redis_host_env)
        out["redis_port"] = env_ref(router.redis_port_env)
        out["redis_password"] = env_ref(router.redis_password_env)
    fallbacks = _fallbacks(stack)
    if fallbacks:
        out["fallbacks"] = fallbacks
    aliases = model_group_alias(stack)
    if aliases:
        out["model_group_alias"] = aliases
    return out


def _router_conflicts(stack: Stack) -> list[Diagnostic]:
    """[router] fallbacks / model_group_alias pass through only when no datum sets them:
    two sources for one setting would silently drop one of them."""
    extra = stack.project.router.model_extra or {}
    found = []
    if "fallbacks" in extra and _fallbacks(stack):
        found.append(_project_override(stack, "router", "fallbacks"))
    if "model_group_alias" in extra and model_group_alias(stack):
        found.append(_project_override(stack, "router", "model_group_alias"))
    return found


def _has_limits(stack: Stack) -> bool:
    """Does any served deployment set rpm_limit or tpm_limit?"""
    return any(
        e.datum.ai_model.rpm_limit is not None or e.datum.ai_model.tpm_limit is not None
        for e in stack.enabled
    )


def needs_redis(project: Project) -> bool:
    """Router state shared through Redis: asked for, or implied by several processes."""
    return (
        project.router.redis
        or project.proxy.workers > 1
        or (project.kubernetes.replicas > 1 and project.kubernetes.redis is not None)
    )


def resolve(stack: Stack, name: str) -> str | None:
    """The served model_name a datum name (or a model_group) refers to, if enabled."""
    entry = stack.by_name.get(name)
    if entry is not None and entry.datum.ai_model.enabled:
        return entry.datum.public_name
    if name in stack.public_names:
        return name
    return None


def _fallbacks(stack: Stack) -> list[dict[str, list[str]]]:
    chains: dict[str, list[str]] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        chain = chains.setdefault(public, [])
        for target in entry.datum.ai_model.fallbacks:
            resolved = resolve(stack, target)
            if resolved is not None and resolved != public and resolved not in chain:
                chain.append(resolved)
    return [{name: chain} for name, chain in chains.items() if chain]


def model_group_alias(stack: Stack) -> dict[str, str]:
    """alias -> model_name. The first datum (in path order) to claim an alias keeps it."""
    out: dict[str, str] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        for alias in entry.datum.aliases:
            if alias != public and alias not in stack.public_names:
                out.setdefault(alias, public)
    return out


# -- litellm_settings / general_settings ------------------------------------------


def _litellm_settings(stack: Stack) -> tuple[dict[str, Any], list[Diagnostic]]:
    project = stack.project
    out: dict[str, Any] = {}
    cache = project.cache
    if cache.type is not None:
        params: dict[str, Any] = {"type": cache.type}
        if cache.ttl is not None:
            params["ttl"] = cache.ttl
        if cache.type == "redis":
            router = project.router
            params["host"] = env_ref(router.redis_host_env)
            params["port"] = env_ref(router.redis_port_env)
            params["password"] = env_ref(router.redis_password_env)
        out["cache"] = True
        out["cache_params"] = params
    return _pass_through(stack, "litellm_settings", out, project.litellm_settings)


def _general_settings(stack: Stack) -> tuple[dict[str, Any], list[Diagnostic]]:
    proxy = stack.project.proxy
    out: dict[str, Any] = {"master_key": env_ref(proxy.master_key_env)}
    if proxy.database_url_env is not None:
        out["database_url"] = env_ref(proxy.database_url_env)
    return _pass_through(stack, "general_settings", out, stack.project.general_settings)


def _pass_through(
    stack: Stack, section: str, generated: dict[str, Any], extra: dict[str, Any]
) -> tuple[dict[str, Any], list[Diagnostic]]:
    diags = []
    for key, value in extra.items():
        if key in generated:
            diags.append(_project_override(stack, section, key))
            continue
        generated[key] = value
    return generated, diags


def _extra_sections(stack: Stack, data: dict[str, Any]) -> list[Diagnostic]:
    """[extra_sections]: other top-level sections, verbatim; never one datumc writes."""
    diags = []
    for key, value in stack.project.extra_sections.items():
        if key in OWN_SECTIONS:
            diags.append(_project_override(stack, "extra_sections", key))
            continue
        data[key] = value
    return diags


def _project_override(stack: Stack, section: str, key: str) -> Diagnostic:
    where = {
        "master_key": "[proxy] master_key_env",
        "database_url": "[proxy] database_url_env",
        "cache": "[cache] type",
        "cache_params": "[cache]",
        "fallbacks": "the datums' [ai_model] fallbacks (some datums set them)",
        "model_group_alias": "the datums' aliases (some datums set them)",
    }.get(key, "the datums and the other tables" if key in OWN_SECTIONS else "another setting")
    doc = stack.project_doc
    message = f"[{section}] may not set '{key}'; datumc derives it from {where}"
    if doc is None:
        return Diagnostic(OVERRIDE, Severity.ERROR, message, "datumc.toml")
    return doc.diag(OVERRIDE, Severity.ERROR, message, (section, key), hint=f"use {where}")


# -- env ------------------------------------------------------------------------------


def _env_vars(stack: Stack) -> list[EnvVar]:
    project = stack.project
    # Users are kept in an insertion-ordered dict, not a list: `user not in list` made
    # this quadratic in the number of datums sharing one key (thousands, for OPENAI_API_KEY).
    found: dict[str, tuple[str, dict[str, None]]] = {}

    def need(name: str, purpose: str, user: str | None = None) -> None:
        _, users = found.setdefault(name, (purpose, {}))
        if user is not None:
            users.setdefault(user)

    need(project.proxy.master_key_env, "master key clients send as a Bearer token")
    for entry in stack.enabled:
        am = entry.datum.ai_model
        if am.api_key_env:
            need(am.api_key_env, "API key", entry.name)
        if am.api_base_env:
            need(am.api_base_env, "API base URL", entry.name)
    if needs_redis(project) or project.cache.type == "redis":
        router = project.router
        need(router.redis_host_env, "Redis host")
        need(router.redis_port_env, "Redis port")
        need(router.redis_password_env, "Redis password")
    if project.proxy.database_url_env:
        need(project.proxy.database_url_env, "Postgres URL for keys, spend and the UI")
        need(POSTGRES_PASSWORD, "password of the postgres service compose.yaml runs (the "
             "Postgres URL must use it)")
    first, *rest = found.items()
    ordered = [first, *sorted(rest, key=lambda item: item[0])]
    return [EnvVar(name, purpose, tuple(users)) for name, (purpose, users) in ordered]
