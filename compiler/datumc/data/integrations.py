"""Facts about LiteLLM integrations: data/integrations.json (scripts/snapshot_integrations.py).

Alert types (AlertType), guardrail providers and modes, the variables each guardrail reads, and
the Python package each callback imports with whether the pinned proxy image installs it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from datumc.resources import data_file


@cache
def integration_facts() -> dict[str, Any]:
    with data_file("integrations.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def alert_types() -> tuple[str, ...]:
    return tuple(integration_facts()["alert_types"])


def default_alert_types() -> tuple[str, ...]:
    """What LiteLLM alerts on when alert_types is unset (DEFAULT_ALERT_TYPES)."""
    return tuple(integration_facts()["default_alert_types"])


def guardrail_providers() -> frozenset[str]:
    return frozenset(integration_facts()["guardrails"])


def guardrail_reads(provider: str) -> tuple[str, ...]:
    entry = integration_facts()["guardrails"].get(provider)
    return tuple(entry.get("reads", ())) if isinstance(entry, dict) else ()


def missing_package(callback: str) -> dict[str, Any] | None:
    """The package fact of a callback whose package the pinned image lacks, else None."""
    entry = integration_facts()["packages"].get(callback)
    return entry if isinstance(entry, dict) and not entry.get("in_image", True) else None
