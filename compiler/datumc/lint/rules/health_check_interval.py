"""`health_check_interval` that LiteLLM cannot use: a string, or under router_settings.

Why: under `router_settings:` the proxy raises "'health_check_interval' is NOT a
valid router_settings parameter" and does not start (same for
`health_check_concurrency`). Under `general_settings:` it must be an integer
number of seconds: LiteLLM 1.106 skips background health checks without a word
when it is a string such as `"300"` or `5m`.

Without `background_health_checks: true` the interval does nothing (a warning).

Bad:
    router_settings:
      health_check_interval: 300
    general_settings:
      health_check_interval: "300"

Good:
    general_settings:
      background_health_checks: true
      health_check_interval: 300
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC214"
NAME = "health-check-interval"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG
REPLACES = ("DC404",)

KEYS = ("health_check_interval", "health_check_concurrency")


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    router = config.section("router_settings")
    for key in KEYS:
        if key in router:
            yield config.diag(
                CODE, SEVERITY,
                f"router_settings.{key}: the proxy refuses to start with it here",
                ("router_settings", key), hint=f"move it to general_settings.{key}",
            )
    general = config.section("general_settings")
    if "health_check_interval" in general and general.get("background_health_checks") is not True:
        yield config.diag(
            CODE, Severity.WARNING,
            "general_settings.health_check_interval without background_health_checks: true; "
            "no background health check runs", ("general_settings", "health_check_interval"),
            hint="add background_health_checks: true, or remove the interval")
    for key in KEYS:
        value = general.get(key)
        if key in general and (isinstance(value, bool) or not isinstance(value, int)):
            yield config.diag(
                CODE, SEVERITY,
                f"general_settings.{key} is {repr(value)[:30]}, not an integer; LiteLLM "
                "skips background health checks without a warning",
                ("general_settings", key), hint=f"write {key}: 300 (seconds, no quotes)",
                value=True,
            )
