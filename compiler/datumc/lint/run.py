"""Run the rules: datum and project rules over a Stack, config rules over a config model."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import config_checks, datum_checks, project_checks, yaml_checks
from datumc.load.stack import Stack
from datumc.plan.model import ConfigModel
from datumc.validate.project import project_variants

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
    return [replace(stack, project=project, profile=name)
            for name, project in project_variants(doc.data) if name != stack.profile]


def stack_texts(stack: Stack) -> dict[str, str]:
    """Display path -> source text, for inline suppressions."""
    docs = [*(e.doc for e in stack.entries), *stack.rejected]
    texts = {doc.display: doc.source.text for doc in docs}
    if stack.project_doc is not None:
        texts[stack.project_doc.display] = stack.project_doc.source.text
    return texts
