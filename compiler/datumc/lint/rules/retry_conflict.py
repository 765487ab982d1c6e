"""Datums of one model group set different `[ai_model.retry]` tables.

Why: LiteLLM 1.106 keeps one retry policy per model group
(`router_settings.model_group_retry_policy`, router.py:954, 1345), not per
deployment. datumc gives the group the table of its first datum (in path order)
that sets one; a different table in another datum of the group is not applied.

Bad:
    # a.ai_model.toml                 # b.ai_model.toml
    model_group = "chat"              model_group = "chat"
    [ai_model.retry]                  [ai_model.retry]
    rate_limit = 3                    rate_limit = 5

Good:
    # the same table in both, or in one datum of the group only
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.routing import retry_owners

CODE = "DC118"
NAME = "retry-conflict"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    owners = retry_owners(stack)
    for entry in stack.enabled:
        owner = owners.get(entry.datum.public_name)
        policy = entry.datum.ai_model.retry.litellm()
        if owner is None or owner is entry or not policy:
            continue
        if policy != owner.datum.ai_model.retry.litellm():
            yield entry.diag(
                CODE, SEVERITY,
                f"model group '{entry.datum.public_name}' has one retry policy, the "
                f"[ai_model.retry] of {owner.doc.display}; this different one is not applied",
                "ai_model", "retry",
                hint="give the group's datums the same [ai_model.retry], or set it in one",
            )
