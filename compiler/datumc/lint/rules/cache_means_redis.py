"""`cache: true` in litellm_settings with no cache type: that means Redis.

Why: LiteLLM's response cache defaults to `type: redis` when `cache_params` gives
no `type` (or is missing). Without a reachable Redis the proxy fails at startup,
or on the first request, which is rarely what someone who wrote `cache: true`
expected. Say which cache you mean.

The other way round, `cache_params` without `cache: true` is read by nothing: no
cache is built and its ttl is ignored.

Bad:
    litellm_settings:
      cache: true

Good:
    litellm_settings:
      cache: true
      cache_params:
        type: local           # in-process; or type: redis with host/port/password refs
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC213"
NAME = "cache-means-redis"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    settings = config.section("litellm_settings")
    if settings.get("cache") is not True:
        if "cache_params" in settings:
            yield config.diag(
                CODE, SEVERITY, "cache_params without cache: true; LiteLLM builds no cache "
                "and ignores them", ("litellm_settings", "cache_params"),
                hint="add cache: true next to cache_params, or remove cache_params")
        return
    params = settings.get("cache_params")
    if isinstance(params, dict) and "type" in params:
        return
    where = "cache_params has no type" if isinstance(params, dict) else "there is no cache_params"
    yield config.diag(
        CODE, SEVERITY,
        f"cache: true and {where}, so LiteLLM uses Redis; without a reachable Redis the "
        "proxy fails",
        ("litellm_settings", "cache"),
        hint="add cache_params: {type: local} for an in-process cache, or type: redis "
        "with host/port/password refs",
    )
