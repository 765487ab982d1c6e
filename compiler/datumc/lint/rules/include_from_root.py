"""A nested `include:` entry (in an included file) is not resolved next to the file
that declares it: the file is missing there but exists next to the root config, or
both exist.

Why: LiteLLM reads an entry relative to the file that declares it; an older layout's
root-relative name still works, with a warning in the proxy's log, and when both files
exist the one next to the declaring file wins
(litellm/proxy/common_utils/config_includes.py:11-42). Found while the config model
follows `include:` (load/includes.py).

Bad:
    # extra/models.yaml
    include: [more.yaml]        # more.yaml sits next to config.yaml

Good:
    include: [../more.yaml]     # or move more.yaml into extra/
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.includes import INCLUDE_FALLBACK
from datumc.plan.model import ConfigModel

CODE = INCLUDE_FALLBACK
NAME = "include-resolved-from-root"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    if config.includes is not None:
        yield from config.includes.of(CODE)
