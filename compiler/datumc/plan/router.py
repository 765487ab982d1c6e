"""router_settings: [router] keys, rate-limit enforcement, Redis, fallbacks and aliases."""

from __future__ import annotations

from typing import Any

from datumc.diagnostics import Diagnostic
from datumc.load.positions import KeyPath
from datumc.load.stack import Entry, Stack
from datumc.plan.model import Origins
from datumc.plan.model_list import env_ref
from datumc.plan.routing import (
    FALLBACK_KINDS,
    GROUP_RETRY,
    fallback_kinds,
    plan_group_retry,
    plan_retry,
)
from datumc.plan.scale import max_replicas
from datumc.plan.settings import project_override
from datumc.plan.sources import alias_path, datum_origin, project_origin
from datumc.validate.project import Project

ROUTER_FIELDS = ("routing_strategy", "num_retries", "timeout", "allowed_fails", "cooldown_time",
                 "enable_tag_filtering")
# [router] keys that configure datumc itself; they are not LiteLLM router settings.
ROUTER_OWN = frozenset({"redis", "redis_host_env", "redis_port_env", "redis_password_env"})
# Without this pre-call check LiteLLM only uses a deployment's rpm/tpm as a routing
# weight and never refuses a request (verified on 1.106.0 by tests/test_e2e_scenarios.py).
ENFORCE_LIMITS = "enforce_model_rate_limits"
AT: KeyPath = ("router_settings",)


def plan_router(stack: Stack, origins: Origins) -> tuple[dict[str, Any], list[Diagnostic]]:
    router = stack.project.router
    origins[AT] = project_origin(stack, "router", verbatim=False)
    out: dict[str, Any] = {}
    for key in ROUTER_FIELDS:
        value = getattr(router, key)
        if value is not None:
            out[key] = value
            origins[(*AT, key)] = project_origin(stack, "router", key)
    plan_retry(stack, out, origins, AT)
    for key, value in (router.model_extra or {}).items():
        if key not in ROUTER_OWN:
            out[key] = value
            origins[(*AT, key)] = project_origin(stack, "router", key)
    _enforce_limits(stack, out, origins)
    if needs_redis(stack.project):
        for key in ("host", "port", "password"):
            out[f"redis_{key}"] = env_ref(getattr(router, f"redis_{key}_env"))
            origins[(*AT, f"redis_{key}")] = project_origin(stack, "router", f"redis_{key}_env")
    diags = [d for kind in FALLBACK_KINDS for d in _fallbacks(stack, out, origins, kind)]
    diags.extend(_aliases(stack, out, origins))
    given_group_retry = GROUP_RETRY in out
    if plan_group_retry(stack, out, origins, AT) and given_group_retry:
        diags.append(project_override(stack, "router", GROUP_RETRY))
    return out, diags


def _enforce_limits(stack: Stack, out: dict[str, Any], origins: Origins) -> None:
    limited = next((e for e in stack.enabled
                    if e.datum.ai_model.rpm_limit is not None
                    or e.datum.ai_model.tpm_limit is not None), None)
    if limited is None:
        return
    given = out.get("optional_pre_call_checks")
    if given is not None and not isinstance(given, str | list):
        return  # not a list of checks: left as written (LiteLLM's own validation decides)
    checks = [given] if isinstance(given, str) else list(given or [])
    if ENFORCE_LIMITS not in checks:
        out["optional_pre_call_checks"] = [*checks, ENFORCE_LIMITS]
        if given is None:
            field = "rpm_limit" if limited.datum.ai_model.rpm_limit is not None else "tpm_limit"
            origins[(*AT, "optional_pre_call_checks")] = datum_origin(limited, "ai_model", field)


def needs_redis(project: Project) -> bool:
    """Router state shared through Redis: asked for, or implied by several processes."""
    return (
        project.router.redis
        or project.proxy.workers > 1
        or (max_replicas(project) > 1 and project.kubernetes.redis is not None)
    )


def uses_redis(project: Project) -> bool:
    """The config reads a Redis from env: shared router state, or a Redis cache."""
    return needs_redis(project) or project.cache.type == "redis"


def resolve(stack: Stack, name: str) -> str | None:
    """The served model_name a datum name (or a model_group) refers to, if enabled."""
    entry = stack.by_name.get(name)
    if entry is not None and entry.datum.ai_model.enabled:
        return entry.datum.public_name
    if name in stack.public_names:
        return name
    return None


def fallback_chains(stack: Stack, kind: str = "fallbacks") -> (
    dict[str, list[tuple[str, Entry, int]]]
):
    """model_name -> its chain: (target, the datum that lists it, index in its `kind`
    list: fallbacks, context_window_fallbacks or content_policy_fallbacks)."""
    chains: dict[str, list[tuple[str, Entry, int]]] = {}
    seen: dict[str, set[str]] = {}
    if kind not in fallback_kinds(stack):
        return chains
    for entry in stack.enabled:
        public = entry.datum.public_name
        chain = chains.setdefault(public, [])
        taken = seen.setdefault(public, {public})
        for index, target in enumerate(getattr(entry.datum.ai_model, kind)):
            resolved = resolve(stack, target)
            if resolved is not None and resolved not in taken:
                taken.add(resolved)
                chain.append((resolved, entry, index))
    return {name: chain for name, chain in chains.items() if chain}


def _fallbacks(stack: Stack, out: dict[str, Any], origins: Origins, kind: str) -> (
    list[Diagnostic]
):
    chains = fallback_chains(stack, kind)
    if not chains:
        return []
    diags = []
    if kind in out:  # [router] fallbacks next to datum ones: two sources, refused
        diags.append(project_override(stack, "router", kind))
    out[kind] = [{name: [t for t, _, _ in chain]} for name, chain in chains.items()]
    origins[(*AT, kind)] = project_origin(stack, "router", kind, verbatim=False)
    for row, (name, chain) in enumerate(chains.items()):
        first = chain[0][1]
        origins[(*AT, kind, row)] = datum_origin(first, "ai_model", kind)
        for col, (_, entry, index) in enumerate(chain):
            origins[(*AT, kind, row, name, col)] = datum_origin(entry, "ai_model", kind, index)
    return diags


def model_group_alias(stack: Stack) -> dict[str, str]:
    """alias -> model_name. The first datum (in path order) to claim an alias keeps it."""
    return {alias: entry.datum.public_name for alias, entry in _alias_owners(stack).items()}


def _alias_owners(stack: Stack) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        for alias in entry.datum.aliases:
            if alias != public and alias not in stack.public_names:
                out.setdefault(alias, entry)
    return out


def _aliases(stack: Stack, out: dict[str, Any], origins: Origins) -> list[Diagnostic]:
    owners = _alias_owners(stack)
    if not owners:
        return []
    diags = []
    if "model_group_alias" in out:
        diags.append(project_override(stack, "router", "model_group_alias"))
    out["model_group_alias"] = {a: e.datum.public_name for a, e in owners.items()}
    origins[(*AT, "model_group_alias")] = project_origin(stack, "router", "model_group_alias",
                                                         verbatim=False)
    for alias, entry in owners.items():
        origins[(*AT, "model_group_alias", alias)] = datum_origin(entry,
                                                                   *alias_path(entry, alias))
    return diags
