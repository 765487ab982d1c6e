"""`[[guardrails]]` in datumc.toml: one guardrail per table -> the config's `guardrails:` list.

LiteLLM 1.106 reads each item as Guardrail {guardrail_name, litellm_params: {guardrail, mode,
default_on, api_key, api_base, ...}} (types/guardrails.py:1416; proxy_server.py:7245 hands the
list to init_guardrails_v2). The provider and mode are checked against the pinned release
(data/integrations.json); `api_key_env` / `api_base_env` become os.environ/ references, which
the guardrail registry resolves (proxy/guardrails/guardrail_registry.py:768-772).
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from datumc.data.integrations import guardrail_providers, integration_facts
from datumc.validate.datum import EnvVarName, Name, Table
from datumc.validate.observability import did_you_mean

# Fields that become litellm_params keys; `params` may not set them again.
OWN_PARAMS: Final = ("guardrail", "mode", "default_on", "api_key", "api_base")


def _provider(value: str) -> str:
    if value in guardrail_providers():
        return value
    hint = did_you_mean(value, guardrail_providers(), cutoff=0.6)
    raise ValueError(f"{value[:60]!r} is not a guardrail provider LiteLLM has"
                     + (f"; {hint}" if hint else " (presidio, lakera_v2, bedrock, aporia, ...)"))


def _modes(value: str | list[str]) -> str | list[str]:
    modes = integration_facts()["guardrail_modes"]
    for one in [value] if isinstance(value, str) else value:
        if one not in modes:
            raise ValueError(f"{one[:60]!r} is not a guardrail mode; use one of "
                             + ", ".join(modes))
    return value


Provider = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_provider)]
Modes = Annotated[str | Annotated[list[str], Field(min_length=1, max_length=8)],
                  AfterValidator(_modes)]


class GuardrailSection(BaseModel):
    """One `[[guardrails]]` table."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: Name = Field(description="guardrail_name: what deployments and requests call it.")
    provider: Provider = Field(description="litellm_params.guardrail: presidio, lakera_v2, "
                               "bedrock, aporia, ... (LiteLLM's guardrail providers).")
    mode: Modes = Field(
        description="When it runs: pre_call, post_call, during_call, logging_only, ... or a "
        "list of them.",
    )
    default_on: bool | None = Field(
        default=None, description="Run on every request, not only those that name it.")
    api_key_env: EnvVarName | None = Field(
        default=None, description="Env var with the provider's key -> litellm_params.api_key "
        "(unset: the provider's own variable, e.g. LAKERA_API_KEY).",
    )
    api_base_env: EnvVarName | None = Field(
        default=None, description="Env var with the provider's URL -> litellm_params.api_base.")
    params: Table = Field(
        default_factory=dict, description="Other litellm_params of the provider, verbatim.")

    @model_validator(mode="after")
    def _no_twice(self) -> GuardrailSection:
        twice = [key for key in OWN_PARAMS if key in self.params]
        if twice:
            raise ValueError(f"params may not set {', '.join(twice)}: use the table's own "
                             "fields (provider, mode, default_on, api_key_env, api_base_env)")
        return self


def unique_names(items: list[GuardrailSection]) -> list[GuardrailSection]:
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise ValueError(f"two guardrails are named {item.name!r}; LiteLLM keeps one")
        seen.add(item.name)
    return items


Guardrails = Annotated[list[GuardrailSection], Field(max_length=256),
                       AfterValidator(unique_names)]

