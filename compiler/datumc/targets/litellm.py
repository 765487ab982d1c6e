"""The LiteLLM proxy config and the .env template every other target builds on."""

from __future__ import annotations

from datumc.targets.base import Output, RenderContext

name = "litellm"
templates = ("litellm/config.yaml.j2", "litellm/env.example.j2")

ENV_MODE = 0o600


def outputs(ctx: RenderContext) -> list[Output]:
    return [
        Output("litellm/config.yaml", ctx.render(templates[0]).encode()),
        Output("litellm/.env.example", ctx.render(templates[1]).encode(), ENV_MODE),
    ]
