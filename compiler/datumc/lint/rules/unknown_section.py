"""A top-level section of a LiteLLM config that LiteLLM does not read.

Why: LiteLLM reads the sections it knows and ignores the rest without a word, so
a misspelled `litellm_setting:` or `router-settings:` silently drops every setting
in it. The known sections come from the pinned LiteLLM release (model_list,
litellm_settings, router_settings, general_settings, environment_variables,
include, guardrails, mcp_servers, credential_list, ...).

Severity: an error when the section is a near-miss of a LiteLLM section or a
settings key put at the top level (it was meant for LiteLLM and does nothing); a
warning for any other name, which may hold YAML anchors on purpose.

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
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel

CODE = "DC201"
NAME = "unknown-section"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    known = vocab().config_sections
    for key in config.data:
        name = str(key)
        if name in known:
            continue
        path = (name,)
        close = did_you_mean(name, known)
        home = _home(name)
        severity = Severity.ERROR if close or home else SEVERITY
        hint = close or (f"it is a {home} key: move it under {home}:" if home else
                         "LiteLLM reads only its own sections; remove it, or keep it on "
                         "purpose (an anchor holder)")
        yield config.diag(CODE, severity,
                          f"top level: unknown section '{name}'; LiteLLM ignores this whole "
                          "section", path, hint=hint)


def _home(name: str) -> str:
    """The settings section `name` is a key of, if any (a misplaced key)."""
    v = vocab()
    for section, keys in (("litellm_settings", v.litellm_settings),
                          ("router_settings", v.router_settings),
                          ("general_settings", v.general_settings)):
        if name in keys:
            return section
    return ""
