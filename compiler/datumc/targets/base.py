"""What every target shares: the render context and the Output type."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from datumc import __version__
from datumc.load.stack import Stack
from datumc.plan.config import LiteLLMConfig
from datumc.write.output import Output


@dataclass(frozen=True)
class RenderContext:
    """Built once per build and shared by every target."""

    stack: Stack
    config: LiteLLMConfig
    out_dir: Path | None = None  # where the build writes; default: the stack's out_dir

    @property
    def out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.stack.out_dir

    @cached_property
    def variables(self) -> dict[str, Any]:
        project = self.stack.project
        return {
            "version": __version__,
            "project": project,
            "proxy": project.proxy,
            "kubernetes": project.kubernetes,
            "config": self.config.data,
            "env": self.config.env,
            "optional_env": self.config.optional_env,
            "sources": self.sources,
            "model_count": len(self.config.data["model_list"]),
            "profile": self.stack.profile,
        }

    @cached_property
    def sources(self) -> str:
        """The datum dirs as datumc.toml names them (relative to the project), so the
        output does not depend on the directory `datumc build` runs from."""
        return ", ".join(p.replace("\\", "/") for p in self.stack.project.datumc.datum_dirs)

    @cached_property
    def config_yaml(self) -> bytes:
        """build/litellm/config.yaml, rendered once for every target that ships it."""
        from datumc.render.suppress import carry_suppressions

        text = self.render("litellm/config.yaml.j2")
        return carry_suppressions(text, self.config.suppressions).encode()

    def render(self, template: str, **extra: Any) -> str:
        from datumc.render.jinja import render

        return render(template, **self.variables, **extra)


class Target(Protocol):
    """A deployment target: a name, its templates, and the files it renders."""

    @property
    def name(self) -> str: ...

    @property
    def templates(self) -> tuple[str, ...]: ...

    def outputs(self, ctx: RenderContext) -> list[Output]: ...


__all__ = ["Output", "RenderContext", "Target"]
