"""A fallback from or to a model group the config does not define.

Why: `fallbacks: [{gpt-4o: [claude]}]` passes `--validate_config` even when no
deployment is named `claude`; it fails at request time, exactly when the primary
is already down. A fallback *from* an undefined group never applies at all.
Checked: `fallbacks`, `context_window_fallbacks`, `content_policy_fallbacks` (in
router_settings or litellm_settings) and `default_fallbacks`. Wildcard model names
(`openai/*`) and `model_group_alias` names count as defined, and `"*"` as the
group a fallback is *from* is LiteLLM's generic chain. When models may also
come from an `include:` file or the database (`store_model_in_db: true`), the
finding is a warning instead of an error.

Bad:
    model_list:
      - model_name: gpt-4o
        litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}
    router_settings:
      fallbacks: [{gpt-4o: [claude-sonnet]}]

Good:
    # ... plus a deployment named claude-sonnet in model_list
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.load.positions import Key
from datumc.plan.model import ConfigModel, Groups

CODE = "DC209"
NAME = "undefined-fallback-group"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

FALLBACK_KEYS = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    groups = config.model_groups()
    severity = Severity.WARNING if config.models_elsewhere() else SEVERITY
    for where in ("router_settings", "litellm_settings"):
        settings = config.section(where)
        for key in FALLBACK_KEYS:
            for path, name, role in _names(settings.get(key), (where, key)):
                if name not in groups:
                    yield _diag(config, path, name, role, groups, severity)
        for path, name, role in _default(settings.get("default_fallbacks"), where):
            if name not in groups:
                yield _diag(config, path, name, role, groups, severity)


def _names(value: Any, at: tuple[Key, ...]) -> Iterator[tuple[tuple[Key, ...], str, str]]:
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        for group, targets in item.items():
            if group != "*":  # the generic chain, for every group without its own
                yield (*at, index, str(group)), str(group), "from"
            if isinstance(targets, list):
                for t_index, target in enumerate(targets):
                    if isinstance(target, str):
                        yield (*at, index, str(group), t_index), target, "to"


def _default(value: Any, where: str) -> Iterator[tuple[tuple[Key, ...], str, str]]:
    if isinstance(value, list):
        for index, target in enumerate(value):
            if isinstance(target, str):
                yield (where, "default_fallbacks", index), target, "to"


def _diag(config: ConfigModel, path: tuple[Key, ...], name: str, role: str, groups: Groups,
          severity: Severity) -> Diagnostic:
    if role == "from":
        message = (f"fallback from '{name}', which no deployment in model_list is named; "
                   "this fallback never applies")
    else:
        message = (f"fallback to '{name}', which no deployment in model_list is named; "
                   "it fails at request time")
    if severity is not SEVERITY:
        message += " (unless an include: file or the database defines it)"
    hint = did_you_mean(name, groups) or "add a deployment with that model_name, or fix the name"
    return config.diag(CODE, severity, message, path, hint=hint)
