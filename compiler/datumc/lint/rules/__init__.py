"""One module per rule. Registration is explicit: add the module to RULE_MODULES."""

from __future__ import annotations

from types import ModuleType

from datumc.lint.rules import (
    compromised_image,
    image_not_pinned,
    replicas_without_redis,
    unknown_fallback,
)

RULE_MODULES: list[ModuleType] = [
    unknown_fallback,
    image_not_pinned,
    compromised_image,
    replicas_without_redis,
]
