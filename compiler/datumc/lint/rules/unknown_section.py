"""A top-level section of a LiteLLM config that LiteLLM does not read.

Why: LiteLLM reads the sections it knows and ignores the rest without a word, so
a misspelled `litellm_setting:` or `router-settings:` silently drops every setting
in it. The known sections come from the pinned LiteLLM release (model_list,
litellm_settings, router_settings, general_settings, environment_variables,
include, guardrails, mcp_servers, credential_list, ...).

Bad:
    litellm_setting:
      drop_params: true

Good:
    litellm_settings:
      drop_params: true
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import unknown_keys
from datumc.plan.model import ConfigModel

CODE = "DC201"
NAME = "unknown-section"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    if isinstance(config.data, dict):
        yield from unknown_keys(config, (), config.data, vocab().config_sections, code=CODE,
                                severity=SEVERITY,
                                consequence="LiteLLM ignores this whole section")
