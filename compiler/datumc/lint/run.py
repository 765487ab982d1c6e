"""Run the rules: datum and project rules over a Stack, config rules over a config model."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import ValidationError

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import config_checks, datum_checks, project_checks, yaml_checks
from datumc.load.stack import Stack
from datumc.plan.model import ConfigModel
from datumc.validate.project import Project, merge_profile

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc


def lint_stack(stack: Stack) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in datum_checks():
        out.extend(check(stack))
    for check in project_checks():
        out.extend(check(stack))
    return out


def lint_config(config: ConfigModel) -> list[Diagnostic]:
    """Every config-level rule, on a hand-written config or a planned one alike."""
    out: list[Diagnostic] = []
    for check in config_checks():
        out.extend(check(config))
    return out


def lint_yaml(doc: YamlDoc) -> list[Diagnostic]:
    """A hand-written LiteLLM config: the config rules, and the rules about its text."""
    out = lint_config(ConfigModel.from_yaml(doc))
    for check in yaml_checks():
        out.extend(check(doc))
    return out


def lint_other_profiles(stack: Stack) -> list[Diagnostic]:
    """The config rules on every other variant of the project (the base and each
    profile): a typo in [profiles.prod] is reported while you build dev."""
    from datumc.plan.config import build_config

    out: list[Diagnostic] = []
    for variant in _variants(stack):
        config, found = build_config(variant)
        out.extend(found)
        out.extend(lint_config(config.model))
    return out


def _variants(stack: Stack) -> list[Stack]:
    doc = stack.project_doc
    if doc is None:
        return []
    base = stack.project if stack.profile is None else _project(doc.data)
    if base is None:
        return []
    names = [n for n in base.profiles if n != stack.profile]
    out = [] if stack.profile is None else [replace(stack, project=base, profile=None)]
    for name in names:
        overlay = base.profiles[name]
        project = _project(merge_profile(doc.data, overlay)) if isinstance(overlay, dict) else None
        if project is not None:
            out.append(replace(stack, project=project, profile=name))
    return out


def _project(raw: dict[str, object]) -> Project | None:
    try:
        return Project.model_validate(raw)
    except ValidationError:
        return None  # reported at the profile's own lines while loading


def stack_texts(stack: Stack) -> dict[str, str]:
    """Display path -> source text, for inline suppressions."""
    docs = [*(e.doc for e in stack.entries), *stack.rejected]
    texts = {doc.display: doc.source.text for doc in docs}
    if stack.project_doc is not None:
        texts[stack.project_doc.display] = stack.project_doc.source.text
    return texts
