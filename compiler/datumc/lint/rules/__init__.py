"""One module per rule. Registration is explicit: add the module to RULE_MODULES."""

from __future__ import annotations

from types import ModuleType

from datumc.lint.rules import unknown_fallback

RULE_MODULES: list[ModuleType] = [
    unknown_fallback,
]
