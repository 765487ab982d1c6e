"""Tag filtering is on, and a model group has no tagged deployment.

Why: with `enable_tag_filtering` on, LiteLLM 1.106 sends a request that carries tags
(its own `tags`, or its key's or team's) only to deployments with a matching tag, else
to those tagged "default"; when there are none it refuses the request with "Not
allowed to access model due to tags configuration", unless a deployment of the group
sets `model_info.allow_fail_open` (router_strategy/tag_based_routing.py:586-630,
323-349). A group none of whose deployments has tags thus refuses every tagged
request. When no deployment at all has tags, the setting routes nothing and is
reported once, at the setting.

Bad:
    [router]                              # datumc.toml
    enable_tag_filtering = true
    # ... and no datum sets tags

Good:
    [ai_model]                            # each datum of a served group
    tags = ["default"]                    # or the tags its callers send
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel, Deployment
from datumc.plan.routing import model_groups, routes_by_tag, tag_filtering

CODE = "DC232"
NAME = "tag-filtering-without-tags"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG
_HINT = 'give a deployment of the group tags (tags = ["default"] takes untagged and ' \
    "unmatched requests), or turn enable_tag_filtering off"


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    groups = model_groups(config)
    refusing = [name for name, group in groups.items() if _refuses_tagged(config, group)]
    setting = ("router_settings", "enable_tag_filtering")
    if refusing and len(refusing) == len(groups) and config.section("router_settings").get(
            "enable_tag_filtering") is True:
        yield config.diag(CODE, SEVERITY, "enable_tag_filtering is on but no deployment has "
                          "tags: every request that carries tags is refused", setting,
                          hint=_HINT)
        return
    for name in refusing:
        yield config.diag(
            CODE, SEVERITY,
            f"tag filtering is on and no deployment of '{name}' has tags: every request "
            f"to '{name}' that carries tags is refused",
            (*groups[name][0].path, "model_name"), hint=_HINT,
        )


def _refuses_tagged(config: ConfigModel, group: list[Deployment]) -> bool:
    """Tag filtering runs for the group, none of its deployments has tags, and none lets
    an unmatched request through (model_info.allow_fail_open)."""
    return (tag_filtering(config, group) and not any(routes_by_tag(d) for d in group)
            and not any(d.info.get("allow_fail_open") is True for d in group))
