"""Several proxy replicas without Redis: every rate limit is multiplied.

Why: LiteLLM counts requests and tokens per process. With `replicas = 3` and no
shared Redis, each pod enforces `rpm_limit` on its own, so the provider sees up
to three times the limit (and cooldowns after failures are per pod too). Redis
shares that state. Either let datumc run one next to the proxy
(`redis = "bundled"`), or point the proxy at yours (`redis = "external"`, with
REDIS_HOST, REDIS_PORT and REDIS_PASSWORD in the Secret).

Bad:
    [kubernetes]
    replicas = 3

Good:
    [kubernetes]
    replicas = 3
    redis = "bundled"      # or "external"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import Key
from datumc.load.stack import Stack
from datumc.plan.router import needs_redis
from datumc.validate.project import Project, merge_profile

CODE = "DC403"
NAME = "replicas-without-redis"
SEVERITY = Severity.ERROR
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    for project, at in _variants(doc.data):
        replicas = project.kubernetes.replicas
        if replicas > 1 and not needs_redis(project):
            path = _replicas_path(doc.data, at)
            yield doc.diag(
                CODE, SEVERITY,
                f"{replicas} replicas without Redis: each pod applies rpm/tpm limits on its "
                f"own, so the provider sees up to {replicas}x the limits",
                path,
                hint='set [kubernetes] redis = "bundled" (datumc runs one) or "external" '
                "(REDIS_HOST, REDIS_PORT, REDIS_PASSWORD in the Secret)",
                value=True,
            )


def _variants(data: dict[str, Any]) -> Iterator[tuple[Project, tuple[Key, ...]]]:
    """The base settings, and each profile merged over them (whichever is being built)."""
    candidates: list[tuple[dict[str, Any], tuple[Key, ...]]] = [(data, ())]
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        candidates += [(merge_profile(data, overlay), ("profiles", name))
                       for name, overlay in profiles.items() if isinstance(overlay, dict)]
    for raw, at in candidates:
        try:
            yield Project.model_validate(raw), at
        except ValidationError:
            continue  # reported by the loader, at the offending lines


def _replicas_path(data: dict[str, Any], at: tuple[Key, ...]) -> tuple[Key, ...]:
    """Where the replica count comes from: the profile when it sets it, else the base."""
    node: Any = data
    for key in (*at, "kubernetes", "replicas"):
        if not isinstance(node, dict) or key not in node:
            return ("kubernetes", "replicas")
        node = node[key]
    return (*at, "kubernetes", "replicas")
