"""Several proxy replicas without Redis: every rate limit is multiplied.

Why: LiteLLM counts requests, tokens and failures per process. With `replicas = 3`
and no shared Redis, each pod enforces `rpm_limit` on its own, so the provider sees
up to three times the limit. Measured against the real LiteLLM 1.106.0 proxy: two
replicas of a model with `rpm_limit = 5` let through 10 requests in a minute (5 with
Redis), and a deployment benched after failures on one replica was still tried by
the other (with Redis, not once in 20 requests). Either let datumc run a Redis next
to the proxy (`redis = "bundled"`), or point the proxy at yours
(`redis = "external"`, with REDIS_HOST, REDIS_PORT and REDIS_PASSWORD in the Secret).
`[router] redis = true`, `[proxy] workers > 1` and `[cache] type = "redis"` wire
Redis too: LiteLLM keeps its router state in the cache's Redis. (LiteLLM also
connects to REDIS_HOST and REDIS_PORT by itself when its environment sets them,
even if the config names no Redis.)

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

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import Key
from datumc.load.stack import Stack
from datumc.plan.router import uses_redis
from datumc.plan.scale import max_replicas, max_replicas_path
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
        replicas = max_replicas(project)  # replicas, or the autoscaler's max
        if replicas > 1 and not uses_redis(project):
            path = max_replicas_path(project, doc.data, at)
            yield doc.diag(
                CODE, SEVERITY,
                f"{replicas} replicas without Redis: each replica counts rpm/tpm limits and "
                "cooldowns on its own (measured on LiteLLM 1.106.0: 2 replicas let through "
                f"2x rpm_limit), so the provider sees up to {replicas}x the limits",
                path,
                hint='set [kubernetes] redis = "bundled" (datumc runs one) or "external" '
                "(REDIS_HOST, REDIS_PORT, REDIS_PASSWORD in the Secret)",
                value=True,
            )
