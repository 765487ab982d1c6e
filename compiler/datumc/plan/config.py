"""Plan: a validated Stack -> the LiteLLM config model, each value with its source.

The result is what `config.yaml` must mean; the Jinja template only lays it out.
Lint runs the config-level rules on it (reported at the datum or datumc.toml line
that produced each value), and the env inventory is read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from datumc.diagnostics import Diagnostic
from datumc.load.includes import follow_project_includes
from datumc.load.positions import KeyPath
from datumc.load.stack import Stack
from datumc.plan.clients import plan_claude_code
from datumc.plan.credentials import plan_credentials
from datumc.plan.env import EnvVar, env_inventory
from datumc.plan.guardrails import plan_guardrails
from datumc.plan.model import ConfigModel, Origins
from datumc.plan.model_list import plan_model_list
from datumc.plan.router import plan_router
from datumc.plan.settings import (
    plan_extra_sections,
    plan_general_settings,
    plan_litellm_settings,
)
from datumc.plan.sources import project_origin


@dataclass(frozen=True)
class LiteLLMConfig:
    """The planned config model, and the deployment settings that shape its env."""

    model: ConfigModel
    master_key_env: str
    postgres: bool = False
    # Config path -> codes an inline `# datumc: disable=` silences at the value's source
    # line: config.yaml carries the same comment, so its own lint agrees with the datums'.
    suppressions: dict[KeyPath, set[str]] = field(default_factory=dict)
    # The model with the files [extra_sections] include names merged in, as the proxy
    # merges them (load/includes.py): what lint checks; None without an include.
    served_model: ConfigModel | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.model.data

    @property
    def served(self) -> ConfigModel:
        """The config the proxy serves: config.yaml and the files it includes."""
        return self.served_model if self.served_model is not None else self.model

    @cached_property
    def inventory(self) -> tuple[EnvVar, ...]:
        return env_inventory(self.served, master_key_env=self.master_key_env,
                             postgres=self.postgres)

    @property
    def env(self) -> tuple[EnvVar, ...]:
        """The variables the proxy needs: `.env.example`, the Secret, the `.env` checks."""
        return tuple(v for v in self.inventory if v.required)

    @property
    def optional_env(self) -> tuple[EnvVar, ...]:
        """Variables LiteLLM reads when set, for what is configured (never written empty)."""
        return tuple(v for v in self.inventory if not v.required)


def build_config(stack: Stack) -> tuple[LiteLLMConfig, list[Diagnostic]]:
    origins: Origins = {(): project_origin(stack, verbatim=False)}
    model_list, diags = plan_model_list(stack, origins)
    data: dict[str, Any] = {"model_list": model_list}
    router, found = plan_router(stack, origins)
    diags.extend(found)
    if router:
        data["router_settings"] = router
    settings, found = plan_litellm_settings(stack, origins)
    diags.extend(found)
    plan_claude_code(stack, model_list, settings, origins)
    if settings:
        data["litellm_settings"] = settings
    general, found = plan_general_settings(stack, origins)
    diags.extend(found)
    data["general_settings"] = general
    plan_credentials(stack, data, origins)
    plan_guardrails(stack, data, origins)  # plan/guardrails.py
    diags.extend(plan_extra_sections(stack, data, origins))
    hints = _prefix_hints(stack)
    proxy = stack.project.proxy
    labels = {index: entry.name for index, entry in enumerate(stack.enabled)}
    model = ConfigModel(data, origins, prefix_hints=hints, labels=labels,
                        unplanned=stack.rejected_names)
    served, found = follow_project_includes(model, stack.root)
    diags.extend(found)
    config = LiteLLMConfig(model, proxy.master_key_env, proxy.database_url_env is not None,
                           served_model=served)
    return config, diags


def _prefix_hints(stack: Stack) -> dict[int, str]:
    from datumc.lint.providers import suggested_prefix

    out = {}
    for index, entry in enumerate(stack.enabled):
        prefix = suggested_prefix(entry.datum.ai_model.provider)
        if prefix is not None:
            out[index] = prefix
    return out
