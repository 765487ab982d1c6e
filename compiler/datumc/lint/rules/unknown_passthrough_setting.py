"""A key in datumc.toml `[litellm_settings]`, `[general_settings]` or `[router]` that
LiteLLM does not know.

Why: these sections pass through to the generated config, and LiteLLM ignores
unknown `litellm_settings` and `general_settings` keys without a word (unknown
`router_settings` keys get one log line). A typo such as `request_timout` leaves
the default in place and no one notices. Two keys are worse than ignored:
`health_check_interval` and `health_check_concurrency` under `[router]` make the
proxy refuse to start; they belong in `[general_settings]`. Profile overlays
(`[profiles.NAME.litellm_settings]`, ...) are checked too.

Bad:
    [litellm_settings]
    request_timout = 600

    [router]
    health_check_interval = 300

Good:
    [litellm_settings]
    request_timeout = 600

    [general_settings]
    health_check_interval = 300
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import did_you_mean
from datumc.lint.rule import Scope
from datumc.lint.walk import project_tables
from datumc.load.positions import Key
from datumc.load.stack import Stack
from datumc.load.toml_loader import TomlDoc
from datumc.validate.project import RouterSection

CODE = "DC404"
NAME = "unknown-passthrough-setting"
SEVERITY = Severity.WARNING
SCOPE = Scope.PROJECT

GENERAL_ONLY = frozenset({"health_check_interval", "health_check_concurrency"})


def _known() -> dict[str, frozenset[str]]:
    v = vocab()
    return {
        "litellm_settings": v.litellm_settings,
        "general_settings": v.general_settings,
        "router": v.router_settings | frozenset(RouterSection.model_fields),
    }


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    known = _known()
    for base, table in project_tables(doc.data):
        for section, keys in known.items():
            values = table.get(section)
            if isinstance(values, dict):
                yield from _section(doc, (*base, section), values, keys)


def _section(doc: TomlDoc, at: tuple[Key, ...], values: dict[str, Any],
             known: frozenset[str]) -> Iterator[Diagnostic]:
    section = at[-1]
    for key in values:
        if section == "router" and key in GENERAL_ONLY:
            yield doc.diag(
                CODE, Severity.ERROR,
                f"[router] {key} is a general_settings key; LiteLLM refuses to start "
                "when it is in router_settings",
                (*at, key), hint=f"move it to [general_settings] {key}",
            )
        elif key not in known:
            target = "router_settings" if section == "router" else section
            yield doc.diag(
                CODE, SEVERITY,
                f"[{section}] {key}: LiteLLM has no {target} key '{key}' and ignores it",
                (*at, key),
                hint=did_you_mean(key, known) or f"check the LiteLLM docs for {target}",
            )
