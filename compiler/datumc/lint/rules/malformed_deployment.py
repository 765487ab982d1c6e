"""A `model_list` item LiteLLM cannot load: no `model_name`, no `litellm_params.model`.

Why: the proxy reads `model["litellm_params"]["model"]` for every item while it loads
the config, so a missing `model` (or `litellm_params` that is not a mapping) stops it
at startup with a bare KeyError; an item without `model_name` cannot be requested.
Keys written next to `model_name` instead of inside `litellm_params` (`api_base`,
`litellm_provider`, `rpm`) are never read: a warning.

Bad:
    model_list:
      - model_name: local
        api_base: http://ollama:11434
        litellm_params: {}

Good:
    model_list:
      - model_name: local
        litellm_params:
          model: ollama_chat/qwen2.5:7b
          api_base: http://ollama:11434
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.load.positions import Key
from datumc.plan.model import ConfigModel

CODE = "DC222"
NAME = "malformed-deployment"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

ITEM_KEYS = frozenset({"model_name", "litellm_params", "model_info"})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    items = config.data.get("model_list")
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        yield from _item(config, ("model_list", index), item)


def _item(config: ConfigModel, at: tuple[Key, ...], item: Any) -> Iterator[Diagnostic]:
    if not isinstance(item, dict):
        yield config.diag(CODE, SEVERITY, f"{config.where(at)} is not a mapping; the proxy "
                          "fails to load the config", at,
                          hint="each item is {model_name: ..., litellm_params: {model: ...}}")
        return
    params = item.get("litellm_params")
    if not isinstance(params, dict) or not params.get("model"):
        where = (*at, "litellm_params") if "litellm_params" in item else at
        yield config.diag(CODE, SEVERITY,
                          f"{config.where(where)}: no litellm_params.model; the proxy stops at "
                          "startup (KeyError 'model')", where,
                          hint="add litellm_params: {model: provider/model-name}")
    if not item.get("model_name"):
        yield config.diag(CODE, SEVERITY, f"{config.where(at)}: no model_name; no request can "
                          "reach this deployment", at, hint="add model_name: the public name")
    for key in item:
        if str(key) not in ITEM_KEYS:
            path = (*at, str(key))
            yield config.diag(
                CODE, Severity.WARNING,
                f"{config.where(path)}: '{key}' next to model_name is never read",
                path, hint=did_you_mean(str(key), ITEM_KEYS)
                or "put provider settings inside litellm_params, metadata inside model_info")
