"""Lint what the user names: datum files and dirs, LiteLLM YAML configs, .env files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datumc.diagnostics import Diagnostic, sort_diagnostics
from datumc.lint.policy import apply_policy
from datumc.lint.registry import env_checks
from datumc.lint.run import lint_yaml
from datumc.load.discover import no_datums_in, walk_datums
from datumc.load.env_loader import EnvDoc, is_env_file, load_env
from datumc.load.source import display_path
from datumc.load.stack import PROJECT_FILE, Stack, load_project, load_stack
from datumc.pipeline import Compilation, analyse, analyse_stack
from datumc.plan.model import skipped_as_not_litellm
from datumc.secrets.redact import is_secret_env, remember
from datumc.validate.limits import MAX_ENV_BYTES, MAX_YAML_BYTES
from datumc.validate.project import LintSection

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class _Selection:
    datums: list[Path] = field(default_factory=list)
    yamls: list[Path] = field(default_factory=list)
    envs: list[Path] = field(default_factory=list)
    project: bool = False
    problems: list[Diagnostic] = field(default_factory=list)


def _select(paths: Sequence[Path], root: Path) -> _Selection:
    sel = _Selection()
    for path in paths:
        if path.is_dir():
            if (path / PROJECT_FILE).is_file() and path.resolve() == root.resolve():
                sel.project = True
            found = list(walk_datums(path))
            if not found and not sel.project:
                sel.problems.append(no_datums_in(path))
            sel.datums.extend(found)
        elif path.name == PROJECT_FILE:
            sel.project = True
        elif path.suffix in YAML_SUFFIXES:
            sel.yamls.append(path)
        elif is_env_file(path):
            sel.envs.append(path)
        else:
            sel.datums.append(path)
    return sel


def lint_paths(paths: Sequence[Path], *, root: Path) -> list[Diagnostic]:
    """Diagnostics for `paths` (the whole project when empty), policy applied."""
    if not paths:
        return analyse(root).diagnostics
    sel = _select(paths, root)
    diags: list[Diagnostic] = list(sel.problems)
    context: Compilation | None = None
    if sel.datums or sel.project or sel.envs:
        context, found = _project_context(root, sel)
        diags.extend(found)
    stack = context.stack if context is not None else None
    lint = _lint_settings(root, stack)
    texts: dict[str, str] = {}
    for path in sel.yamls:
        diags.extend(_lint_yaml(path, texts))
    for path in sel.envs:
        diags.extend(_lint_env(path, context, texts))
    return sort_diagnostics(apply_policy(diags, texts=texts, lint=lint))


def _lint_settings(root: Path, stack: Stack | None) -> LintSection:
    """datumc.toml [lint], also when only LiteLLM YAML files are linted."""
    if stack is not None:
        return stack.project.lint
    if not (root / PROJECT_FILE).is_file():
        return LintSection()
    project = load_project(root)[0]
    return project.lint if project is not None else LintSection()


def _project_context(root: Path, sel: _Selection) -> tuple[Compilation, list[Diagnostic]]:
    """Lint the named datums with the whole project around them (for fallbacks, aliases):
    the project and the named datums are loaded and analysed once, together."""
    stack, found = load_stack(root, extra_paths=sel.datums)
    result = analyse_stack(stack, found) if stack is not None else Compilation(None, found)
    if not sel.datums:
        return result, result.diagnostics if sel.project else []
    wanted = {display_path(p) for p in sel.datums}
    if sel.project:
        wanted.add(display_path(root / PROJECT_FILE))
    return result, [d for d in result.diagnostics if d.path in wanted]


def _lint_yaml(path: Path, texts: dict[str, str]) -> list[Diagnostic]:
    # Imported here: linting datums (the pre-commit path) never needs PyYAML.
    from datumc.load.yaml_loader import YamlDoc, load_yaml

    doc = load_yaml(path, limit=MAX_YAML_BYTES)
    if not isinstance(doc, YamlDoc):
        return [doc]
    texts[doc.display] = doc.source.text
    skipped = skipped_as_not_litellm(doc)
    if skipped is not None:
        return [skipped]
    return lint_yaml(doc, texts)


def _lint_env(path: Path, context: Compilation | None,
              texts: dict[str, str]) -> list[Diagnostic]:
    doc = load_env(path, limit=MAX_ENV_BYTES)
    if not isinstance(doc, EnvDoc):
        return [doc]
    texts[doc.display] = doc.source.text
    remember(e.value for e in doc.entries if is_secret_env(e.key, e.value))
    needed = _needed(context)
    out: list[Diagnostic] = []
    for check in env_checks():
        out.extend(check(doc, needed))
    return out


def _needed(context: Compilation | None) -> dict[str, str] | None:
    """Env vars the project's enabled datums need, each with what it is for (from the
    config already planned); None without a datum project."""
    if context is None or context.stack is None or not context.stack.enabled:
        return None
    if context.config is None:
        return None
    return {v.name: v.describe(limit=3) for v in context.config.env}
