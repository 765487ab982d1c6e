"""An unknown key under `general_settings:`.

Why: the proxy reads the `general_settings` keys it knows and ignores the rest
without a word. `master_kye:` means no master key (and a proxy that refuses to
start), `database_ur:` means no database.

Bad:
    general_settings:
      master_kye: os.environ/LITELLM_MASTER_KEY

Good:
    general_settings:
      master_key: os.environ/LITELLM_MASTER_KEY
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import unknown_keys
from datumc.plan.model import ConfigModel

CODE = "DC205"
NAME = "unknown-general-setting"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG
REPLACES = ("DC404",)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    yield from unknown_keys(config, ("general_settings",), config.section("general_settings"),
                            vocab().general_settings, code=CODE, severity=SEVERITY,
                            consequence="LiteLLM ignores it")
