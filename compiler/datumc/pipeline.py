"""The build pipeline: discover -> load -> validate -> lint -> plan. Pure: no printing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, has_errors, sort_diagnostics
from datumc.errors import UsageError
from datumc.lint.policy import apply_policy
from datumc.lint.run import lint_config, lint_other_profiles, lint_stack, stack_texts
from datumc.load.stack import Stack, load_stack
from datumc.plan.config import LiteLLMConfig, build_config
from datumc.progress import Progress, silent
from datumc.secrets.leaks import find_leaks, known_secrets

if TYPE_CHECKING:
    from datumc.validate.project import Project
    from datumc.write.output import Output


@dataclass(slots=True)
class Compilation:
    stack: Stack | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config: LiteLLMConfig | None = None
    outputs: list[Output] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.stack is not None and not has_errors(self.diagnostics)


def check_targets(names: Sequence[str]) -> None:
    from datumc.targets import TARGETS  # rendering only: `datumc lint` never loads targets

    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise UsageError(
            f"unknown target {', '.join(unknown)}; choose from {', '.join(TARGETS)}"
        )


def default_targets(project: Project) -> list[str]:
    """`[datumc] targets`; with a [clients] table and no targets set, the clients too."""
    names: list[str] = list(project.datumc.targets)
    if (project.clients is not None and "targets" not in project.datumc.model_fields_set
            and "clients" not in names):
        names.append("clients")
    return names


def analyse(root: Path, *, profile: str | None = None,
            progress: Progress = silent) -> Compilation:
    """Load, validate and lint the project, and plan its LiteLLM config (no rendering)."""
    stack, diags = load_stack(root, profile=profile, progress=progress)
    if stack is None:
        return Compilation(None, sort_diagnostics(diags))
    return analyse_stack(stack, diags, progress)


def analyse_stack(stack: Stack, diags: list[Diagnostic] | None = None,
                  progress: Progress = silent) -> Compilation:
    """Lint a loaded stack and plan its config; `diags` are the loader's findings."""
    diags = list(diags or [])
    progress(f"checking {len(stack.entries)} datums")
    diags.extend(lint_stack(stack))
    progress("planning the LiteLLM config")
    config, found = build_config(stack)
    diags.extend(found)
    # The config rules run on the config the build will write, so `datumc lint` of
    # build/litellm/config.yaml finds nothing the datums' lint did not.
    diags.extend(lint_config(config.served))
    diags.extend(lint_other_profiles(stack))
    silenced: list[Diagnostic] = []
    diags = apply_policy(diags, texts=stack_texts(stack), lint=stack.project.lint,
                         suppressed=silenced)
    for diag in silenced:
        path = config.model.reported.get(diag)
        if path is not None:
            config.suppressions.setdefault(path, set()).add(diag.code)
    return Compilation(stack, sort_diagnostics(diags), config)


def compile_project(
    root: Path, *, profile: str | None = None, targets: Sequence[str] | None = None,
    out: Path | None = None, progress: Progress = silent,
) -> Compilation:
    """Everything `datumc build` needs, rendered in memory. Outputs only when error-free."""
    result = analyse(root, profile=profile, progress=progress)
    if not result.ok or result.stack is None or result.config is None:
        return result
    names = list(targets) if targets else default_targets(result.stack.project)
    check_targets(names)
    from datumc.targets import TARGETS
    from datumc.targets.base import RenderContext

    if "litellm" not in names:
        names.insert(0, "litellm")
    ctx = RenderContext(result.stack, result.config, out)
    progress(f"rendering {', '.join(n for n in TARGETS if n in names)}")
    outputs = [o for name in TARGETS if name in names for o in TARGETS[name].outputs(ctx)]
    progress("checking the outputs for secrets")
    leaks = find_leaks(result.stack, outputs, known_secrets(result.stack))
    if leaks:  # never hand a secret to the writer
        result.diagnostics = sort_diagnostics([*result.diagnostics, *leaks])
        return result
    result.outputs.extend(outputs)
    return result
