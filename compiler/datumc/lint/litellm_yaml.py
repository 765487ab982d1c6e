"""Reading a hand-written LiteLLM config: sections, deployments, model groups."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.walk import dotted

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

# Sections that mark a YAML file as a LiteLLM proxy config.
CORE_SECTIONS = ("model_list", "litellm_settings", "general_settings", "router_settings",
                 "include", "environment_variables")


@dataclass(frozen=True, slots=True)
class Deployment:
    """One `model_list` item that is a mapping."""

    index: int
    data: dict[str, Any]

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("model_list", self.index)

    @property
    def name(self) -> Any:
        return self.data.get("model_name")

    @property
    def params(self) -> dict[str, Any]:
        params = self.data.get("litellm_params")
        return params if isinstance(params, dict) else {}

    @property
    def info(self) -> dict[str, Any]:
        info = self.data.get("model_info")
        return info if isinstance(info, dict) else {}


def is_litellm_config(data: Any) -> bool:
    """A mapping with at least one LiteLLM section (or a near-miss spelling of one)."""
    if not isinstance(data, dict) or not data:
        return False
    known = vocab().config_sections | set(CORE_SECTIONS)
    keys = [str(k) for k in data]
    if any(k in known for k in keys):
        return True
    return any(difflib.get_close_matches(k, CORE_SECTIONS, n=1, cutoff=0.8) for k in keys)


def section(doc: YamlDoc, name: str) -> dict[str, Any]:
    data = doc.data.get(name) if isinstance(doc.data, dict) else None
    return data if isinstance(data, dict) else {}


def deployments(doc: YamlDoc) -> Iterator[Deployment]:
    items = doc.data.get("model_list") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield Deployment(index, item)


def model_groups(doc: YamlDoc) -> set[str]:
    """Every name a request (or a fallback) may use: model_names and their aliases."""
    names = {str(d.name) for d in deployments(doc) if d.name is not None}
    aliases = section(doc, "router_settings").get("model_group_alias")
    if isinstance(aliases, dict):
        names |= {str(a) for a in aliases}
    return names


def matches_group(name: str, groups: Iterable[str]) -> bool:
    """`name` is a group, or matches a wildcard model_name such as `openai/*`."""
    for group in groups:
        if name == group or ("*" in group and fnmatch.fnmatchcase(name, group)):
            return True
    return False


def models_elsewhere(doc: YamlDoc) -> bool:
    """Models may also come from an included file or the database."""
    if isinstance(doc.data, dict) and "include" in doc.data:
        return True
    return section(doc, "general_settings").get("store_model_in_db") is True


def did_you_mean(key: str, known: Iterable[str], *, cutoff: float = 0.75) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def unknown_keys(
    doc: YamlDoc, at: tuple[str | int, ...], values: dict[str, Any], known: frozenset[str],
    *, code: str, severity: Severity, consequence: str,
) -> Iterator[Diagnostic]:
    """One finding per key of `values` (found at `at`) that is not in `known`."""
    where = dotted(at) or "top level"
    for key in values:
        name = str(key)
        if name in known:
            continue
        yield doc.diag(
            code, severity, f"{where}: unknown key '{name}'; {consequence}",
            (*at, name), hint=did_you_mean(name, known) or "check the spelling against the "
            "LiteLLM docs",
        )
