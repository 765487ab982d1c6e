"""litellm_settings, general_settings and other sections from datumc.toml."""

from __future__ import annotations

from typing import Any

from datumc.diagnostics import Diagnostic
from datumc.load.positions import KeyPath
from datumc.load.stack import Stack
from datumc.plan.integrations import DERIVED_FROM, alerting_settings, observability_settings
from datumc.plan.model import OWN_SECTIONS, Origins
from datumc.plan.model_list import OVERRIDE, env_ref
from datumc.plan.sources import PROJECT_FILE, project_origin

# Where datumc derives each key that a pass-through table may not set.
_DERIVED_FROM = {
    "master_key": "[proxy] master_key_env",
    "database_url": "[proxy] database_url_env",
    "cache": "[cache] type",
    "cache_params": "[cache]",
    "fallbacks": "the datums' [ai_model] fallbacks (some datums set them)",
    "model_group_alias": "the datums' aliases (some datums set them)",
    "credential_list": "the [credentials] tables",
    "context_window_fallbacks": "the datums' [ai_model] context_window_fallbacks",
    "content_policy_fallbacks": "the datums' [ai_model] content_policy_fallbacks",
    "model_group_retry_policy": "the datums' [ai_model.retry] tables",
    **DERIVED_FROM,
}


def plan_litellm_settings(stack: Stack, origins: Origins) -> tuple[dict[str, Any],
                                                                   list[Diagnostic]]:
    cache = stack.project.cache
    at: KeyPath = ("litellm_settings",)
    origins[at] = project_origin(stack, "litellm_settings", verbatim=False)
    out: dict[str, Any] = {}
    if cache.type is not None:
        params: dict[str, Any] = {"type": cache.type}
        if cache.ttl is not None:
            params["ttl"] = cache.ttl
        if cache.type == "redis":
            router = stack.project.router
            for key in ("host", "port", "password"):
                params[key] = env_ref(getattr(router, f"redis_{key}_env"))
                origins[(*at, "cache_params", key)] = project_origin(
                    stack, "router", f"redis_{key}_env")
        out["cache"] = True
        out["cache_params"] = params
        origins[(*at, "cache")] = project_origin(stack, "cache", "type")
        origins[(*at, "cache_params")] = project_origin(stack, "cache")
    out.update(observability_settings(stack, origins))
    return out, _pass_through(stack, "litellm_settings", out, stack.project.litellm_settings,
                              origins)


def plan_general_settings(stack: Stack, origins: Origins) -> tuple[dict[str, Any],
                                                                   list[Diagnostic]]:
    proxy = stack.project.proxy
    at: KeyPath = ("general_settings",)
    origins[at] = project_origin(stack, "general_settings", verbatim=False)
    out: dict[str, Any] = {"master_key": env_ref(proxy.master_key_env)}
    origins[(*at, "master_key")] = project_origin(stack, "proxy", "master_key_env")
    if proxy.database_url_env is not None:
        out["database_url"] = env_ref(proxy.database_url_env)
        origins[(*at, "database_url")] = project_origin(stack, "proxy", "database_url_env")
    out.update(alerting_settings(stack, origins))
    return out, _pass_through(stack, "general_settings", out, stack.project.general_settings,
                              origins)


def _pass_through(stack: Stack, section: str, out: dict[str, Any], extra: dict[str, Any],
                  origins: Origins) -> list[Diagnostic]:
    diags = []
    for key, value in extra.items():
        if key in out:
            diags.append(project_override(stack, section, key))
            continue
        out[key] = value
        origins[(section, key)] = project_origin(stack, section, key)
    return diags


def plan_extra_sections(stack: Stack, data: dict[str, Any], origins: Origins) -> (
    list[Diagnostic]
):
    """[extra_sections]: other top-level sections, verbatim; never one datumc writes."""
    diags = []
    for key, value in stack.project.extra_sections.items():
        if key in OWN_SECTIONS or key in data:  # data: credential_list from [credentials]
            diags.append(project_override(stack, "extra_sections", key))
            continue
        data[key] = value
        origins[(key,)] = project_origin(stack, "extra_sections", key)
    return diags


def project_override(stack: Stack, section: str, key: str) -> Diagnostic:
    where = _DERIVED_FROM.get(
        key, "the datums and the other tables" if key in OWN_SECTIONS else "another setting")
    message = f"[{section}] may not set '{key}'; datumc derives it from {where}"
    origin = project_origin(stack, section, key)
    if origin.doc is None:
        return Diagnostic(OVERRIDE, OVERRIDE.severity, message, PROJECT_FILE)
    return origin.doc.diag(OVERRIDE, OVERRIDE.severity, message, origin.path, hint=f"use {where}")
