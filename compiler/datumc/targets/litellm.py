"""The LiteLLM proxy config and the .env template every other target builds on."""

from __future__ import annotations

from datumc.targets import includes
from datumc.targets.base import Output, RenderContext

name = "litellm"
CONFIG_TEMPLATE = "litellm/config.yaml.j2"
ENV_TEMPLATE = "litellm/env.example.j2"
templates = (CONFIG_TEMPLATE, ENV_TEMPLATE)

ENV_MODE = 0o600


def outputs(ctx: RenderContext) -> list[Output]:
    return [
        Output("litellm/config.yaml", ctx.config_yaml),
        Output("litellm/.env.example", ctx.render(ENV_TEMPLATE).encode(), ENV_MODE),
        *includes.litellm_outputs(ctx),
    ]
