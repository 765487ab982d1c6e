"""router_settings retry policies -> `[router] retry_policy` and `[ai_model.retry]`.

A policy moves when every key is one of LiteLLM's RetryPolicy fields with a value the
datumc field takes; `model_group_retry_policy` moves when, in addition, every group is
a model_name of model_list (its first deployment carries the table). Anything else is
kept verbatim, so the built config means the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datumc.diagnostics import Severity
from datumc.importer.codes import UNCHECKED
from datumc.importer.context import Context, Path
from datumc.importer.fits import misfit
from datumc.importer.models import Draft
from datumc.plan.routing import FIELD_FOR_RETRY, GROUP_RETRY, RETRY
from datumc.validate.datum import RetryPolicy


def take_retry(ctx: Context, path: Path, key: str, value: Any, out: dict[str, Any],
               drafts: Sequence[Draft]) -> bool:
    """Handle router_settings.retry_policy or model_group_retry_policy; True when done
    (moved into `out`, the [router] table, or into the datums, or left out)."""
    if key == GROUP_RETRY:
        return take_group_retry(ctx, path, value, drafts)
    if key != RETRY:
        return False
    table = retry_table(value)
    if table is not None:
        out[RETRY] = table
        return True
    return False  # kept verbatim: [router] retry_policy passes other keys through


def retry_table(value: Any) -> dict[str, int] | None:
    """A LiteLLM RetryPolicy mapping under datumc's names, when each value fits."""
    if not isinstance(value, dict):
        return None
    out: dict[str, int] = {}
    for key, retries in value.items():
        field = FIELD_FOR_RETRY.get(key) if isinstance(key, str) else None
        if field is None or misfit(RetryPolicy, field, retries) is not None:
            return None
        out[field] = retries
    return out


def take_group_retry(ctx: Context, path: Path, value: Any, drafts: Sequence[Draft]) -> bool:
    """Move model_group_retry_policy into the datums; False (and a note) to keep it."""
    firsts: dict[str, Draft] = {}
    for draft in drafts:
        firsts.setdefault(draft.public, draft)
    tables: dict[str, dict[str, int]] = {}
    for group, policy in (value.items() if isinstance(value, dict) else ()):
        table = retry_table(policy)
        if group not in firsts or not table:
            ctx.report(UNCHECKED, Severity.WARNING,
                       f"router_settings.model_group_retry_policy kept verbatim: the policy of "
                       f"'{group}' is not a model_name of model_list with RetryPolicy keys",
                       path, hint="key it by a model_name; use LiteLLM's RetryPolicy fields")
            return False
        tables[group] = table
    if not tables:
        return False
    for group, table in tables.items():
        firsts[group].ai_model["retry"] = table
    return True
