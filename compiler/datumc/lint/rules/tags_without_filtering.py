"""A deployment has `tags` while tag filtering is off for its model group.

Why: LiteLLM 1.106 routes by tags only when `enable_tag_filtering` is on: router-wide
(`[router] enable_tag_filtering = true` in datumc.toml, `router_settings` in YAML), for
the group (`model_info.enable_tag_filtering`), or for a key or team in the database
(router_strategy/tag_based_routing.py:503-512). Otherwise every deployment of the
group serves every request and the tags only label its spend (router.py:4213-4221),
so requests meant for a tagged deployment land anywhere. This is an info note, since
labelling spend may be all the tags are for.

Bad:
    [ai_model]                            # a datum; datumc.toml leaves filtering off
    tags = ["eu"]

Good:
    [router]                              # datumc.toml
    enable_tag_filtering = true
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel
from datumc.plan.routing import model_groups, tag_filtering

CODE = "DC231"
NAME = "tags-without-filtering"
SEVERITY = Severity.INFO
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for name, group in model_groups(config).items():
        if tag_filtering(config, group):
            continue
        for deployment in group:
            tags = deployment.params.get("tags")
            if isinstance(tags, list) and tags:
                yield config.diag(
                    CODE, SEVERITY,
                    f"tags of '{config.label(deployment)}' do not route: tag filtering is off "
                    f"for '{name}', so they only label spend",
                    (*deployment.path, "litellm_params", "tags"),
                    hint="set enable_tag_filtering = true ([router] in datumc.toml, "
                    "router_settings in config.yaml), or remove the tags",
                )
