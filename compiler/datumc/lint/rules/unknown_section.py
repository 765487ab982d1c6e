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
from typing import TYPE_CHECKING

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import unknown_keys
from datumc.lint.rule import Scope

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC201"
NAME = "unknown-section"
SEVERITY = Severity.WARNING
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    if isinstance(doc.data, dict):
        yield from unknown_keys(doc, (), doc.data, vocab().config_sections, code=CODE,
                                severity=SEVERITY,
                                consequence="LiteLLM ignores this whole section")
