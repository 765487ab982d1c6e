"""Routing a datum asks for: deployment params, extra fallback kinds, retry policies.

LiteLLM 1.106 reads, per deployment, `litellm_params.tags` (tag routing,
router_strategy/tag_based_routing.py:138-180), `weight` (simple-shuffle,
router_strategy/simple_shuffle.py:17-65), `order` (utils.py:5250-5262, router.py:7642-7683)
and `max_parallel_requests` (types/router.py:655-656); and, from router_settings as
Router(...) arguments (proxy/proxy_server.py:7201-7225), `context_window_fallbacks` and
`content_policy_fallbacks` (router.py:944-945, 1255-1259; litellm_settings would reach
the same attributes only through `litellm.*` globals), `retry_policy` and
`model_group_retry_policy` (router.py:953-954, 1333-1345) and `enable_tag_filtering`
(router.py:948, 1061).
"""

from __future__ import annotations

from typing import Any, Final

from datumc.load.positions import KeyPath
from datumc.load.stack import Entry, Stack
from datumc.memo import IdentityMemo
from datumc.plan.model import ConfigModel, Deployment, Origins
from datumc.plan.sources import datum_origin, project_origin
from datumc.validate.datum import RETRY_KEYS

# [ai_model] field -> the litellm_params key it becomes, value for value.
ROUTING_PARAMS: Final = {
    "tags": "tags",
    "weight": "weight",
    "order": "order",
    "max_parallel_requests": "max_parallel_requests",
}
# [ai_model] fields naming models to fall back to, each -> the router_settings key of the
# same name, as [{model_name: [targets]}].
FALLBACK_KINDS: Final = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")
# How messages name one target of each kind of fallback.
FALLBACK_LABELS: Final = {
    "fallbacks": "fallback",
    "context_window_fallbacks": "context-window fallback",
    "content_policy_fallbacks": "content-policy fallback",
}
# The kinds some enabled datum lists targets of: most projects use `fallbacks` only,
# and the planner and three rules ask per kind (one answer per stack, the last two).
_USED: IdentityMemo[Stack, tuple[str, ...]] = IdentityMemo(limit=2)


def fallback_kinds(stack: Stack) -> tuple[str, ...]:
    """The FALLBACK_KINDS that some enabled datum of `stack` lists targets of."""
    return _USED(stack, None, _fallback_kinds)


def _fallback_kinds(stack: Stack) -> tuple[str, ...]:
    return tuple(k for k in FALLBACK_KINDS
                 if any(getattr(e.datum.ai_model, k) for e in stack.enabled))


GROUP_RETRY: Final = "model_group_retry_policy"
RETRY: Final = "retry_policy"
FIELD_FOR_RETRY: Final = {litellm: field for field, litellm in RETRY_KEYS.items()}


def retry_owners(stack: Stack) -> dict[str, Entry]:
    """model_name -> the datum whose [ai_model.retry] the group gets: the first (in path
    order) of the group's datums that sets one."""
    out: dict[str, Entry] = {}
    for entry in stack.enabled:
        if entry.datum.ai_model.retry.litellm():
            out.setdefault(entry.datum.public_name, entry)
    return out


def plan_retry(stack: Stack, out: dict[str, Any], origins: Origins, at: KeyPath) -> None:
    """router_settings.retry_policy, from [router] retry_policy."""
    policy = stack.project.router.retry_policy
    if policy is not None:
        out[RETRY] = policy.litellm(extra=True)
        origins[(*at, RETRY)] = project_origin(stack, "router", RETRY, verbatim=False)


def plan_group_retry(stack: Stack, out: dict[str, Any], origins: Origins, at: KeyPath) -> (
    bool
):
    """router_settings.model_group_retry_policy from the datums' [ai_model.retry]; True
    when the datums set it (so [router] may not set it too)."""
    owners = retry_owners(stack)
    if not owners:
        return False
    origins[(*at, GROUP_RETRY)] = project_origin(stack, "router", GROUP_RETRY, verbatim=False)
    groups: dict[str, Any] = {}
    for name, entry in owners.items():
        path = (*at, GROUP_RETRY, name)
        groups[name] = entry.datum.ai_model.retry.litellm()
        origins[path] = datum_origin(entry, "ai_model", "retry")
        for key in groups[name]:
            origins[(*path, key)] = datum_origin(entry, "ai_model", "retry", FIELD_FOR_RETRY[key])
    out[GROUP_RETRY] = groups
    return True


# -- reading routing back from any config (hand-written, or planned) ----------------------

SHUFFLE: Final = "simple-shuffle"


def model_groups(config: ConfigModel) -> dict[str, list[Deployment]]:
    """model_name -> its deployments, in model_list order."""
    out: dict[str, list[Deployment]] = {}
    for deployment in config.deployments():
        if deployment.name is not None:
            out.setdefault(str(deployment.name), []).append(deployment)
    return out


def routes_by_tag(deployment: Deployment) -> bool:
    """The deployment carries tags (or header regexes) tag filtering can match."""
    return any(isinstance(deployment.params.get(k), list) and deployment.params.get(k)
               for k in ("tags", "tag_regex"))


def tag_filtering(config: ConfigModel, group: list[Deployment]) -> bool:
    """Whether tag filtering runs for a model group: the first deployment that sets
    model_info.enable_tag_filtering decides, else router_settings' value
    (router_strategy/tag_based_routing.py:391-410, 503-512)."""
    for deployment in group:
        value = deployment.info.get("enable_tag_filtering")
        if value is not None:
            return value is True
    return config.section("router_settings").get("enable_tag_filtering") is True


def group_strategy(config: ConfigModel, name: str) -> str:
    """The routing strategy LiteLLM uses to pick among a model group's deployments: the
    routing_groups entry that claims it (priority groups claim no model), else the
    top-level routing_strategy (router.py:1675-1680, 1921-1937)."""
    router = config.section("router_settings")
    groups = router.get("routing_groups")
    for group in groups if isinstance(groups, list) else []:
        strategy = group.get("routing_strategy") if isinstance(group, dict) else None
        models = group.get("models") if isinstance(group, dict) else None
        if isinstance(strategy, str) and strategy != "priority" and isinstance(models, list) \
                and name in models:
            return strategy
    strategy = router.get("routing_strategy")
    return strategy if isinstance(strategy, str) else SHUFFLE
