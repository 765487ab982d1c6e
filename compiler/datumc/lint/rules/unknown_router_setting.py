"""An unknown key under `router_settings:`.

Why: the proxy passes only the keys `Router()` accepts and drops the rest with
one log line, so a misspelled `routing_stategy` or `num_retry` leaves the default
in place. (`health_check_interval` here is worse, a startup error: see DC214.)

Bad:
    router_settings:
      num_retry: 3

Good:
    router_settings:
      num_retries: 3
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import unknown_keys
from datumc.plan.model import ConfigModel

CODE = "DC204"
NAME = "unknown-router-setting"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG
REPLACES = ("DC404",)

HANDLED_ELSEWHERE = frozenset({"health_check_interval", "health_check_concurrency"})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    values = {k: v for k, v in config.section("router_settings").items()
              if k not in HANDLED_ELSEWHERE}
    yield from unknown_keys(config, ("router_settings",), values, vocab().router_settings,
                            code=CODE, severity=SEVERITY,
                            consequence="LiteLLM drops it with only a log line")
