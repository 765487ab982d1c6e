"""An unknown key under `litellm_settings:`.

Why: the proxy copies each `litellm_settings` key onto the `litellm` module with
`setattr`. A key LiteLLM does not have is set and never read: `drop_param: true`
(missing s) leaves unsupported params in place and requests fail upstream. The
known keys are the pinned release's module settings plus the ones the proxy
handles itself (cache, callbacks, ...).

Bad:
    litellm_settings:
      drop_param: true
      request_timout: 600

Good:
    litellm_settings:
      drop_params: true
      request_timeout: 600
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import unknown_keys
from datumc.plan.model import ConfigModel

CODE = "DC202"
NAME = "unknown-litellm-setting"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG
REPLACES = ("DC404",)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    yield from unknown_keys(config, ("litellm_settings",), config.section("litellm_settings"),
                            vocab().litellm_settings, code=CODE, severity=SEVERITY,
                            consequence="LiteLLM sets it and never reads it")
