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

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import Key
from datumc.load.stack import Stack
from datumc.plan.router import needs_redis
from datumc.validate.project import project_variants

CODE = "DC403"
NAME = "replicas-without-redis"
SEVERITY = Severity.ERROR
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    for name, project in project_variants(doc.data):
        at: tuple[Key, ...] = ("profiles", name) if name is not None else ()
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


def _replicas_path(data: dict[str, Any], at: tuple[Key, ...]) -> tuple[Key, ...]:
    """Where the replica count comes from: the profile when it sets it, else the base."""
    node: Any = data
    for key in (*at, "kubernetes", "replicas"):
        if not isinstance(node, dict) or key not in node:
            return ("kubernetes", "replicas")
        node = node[key]
    return (*at, "kubernetes", "replicas")
