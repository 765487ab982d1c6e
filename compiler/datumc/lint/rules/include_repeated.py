"""An `include:` entry names a file that was already merged: the config itself, a file
included twice, or an include cycle.

Why: LiteLLM reads each file once and skips such an entry without a word
(litellm/proxy/common_utils/config_includes.py:104-105), so the entry does nothing;
with a cycle it is usually a mistake in which file includes which. Found while the
config model follows `include:` (load/includes.py).

Bad:
    # models.yaml, included by config.yaml
    include: [config.yaml]

Good: include each file from one place.
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.includes import INCLUDE_REPEATED
from datumc.plan.model import ConfigModel

CODE = INCLUDE_REPEATED
NAME = "include-repeated"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    if config.includes is not None:
        yield from config.includes.of(CODE)
