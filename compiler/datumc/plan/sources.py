"""Origins of planned values: the datum key or `datumc.toml` key each one comes from."""

from __future__ import annotations

from typing import Any

from datumc.load.positions import Key, KeyPath
from datumc.load.stack import Entry, Stack
from datumc.plan.model import Origin

PROJECT_FILE = "datumc.toml"


def datum_origin(entry: Entry, *path: Key, verbatim: bool = False) -> Origin:
    """A value derived from a datum field (`verbatim`: the keys below map one to one)."""
    return Origin(entry.doc, path, verbatim=verbatim)


def alias_path(entry: Entry, alias: str) -> KeyPath:
    """Where a datum declares `alias`: [b00t] aliases or [ai_model] aliases."""
    for table in ("b00t", "ai_model"):
        section = entry.doc.data.get(table, {})
        aliases = section.get("aliases", []) if isinstance(section, dict) else []
        if isinstance(aliases, list) and alias in aliases:
            return (table, "aliases", aliases.index(alias))
    return ("b00t", "aliases")


def project_origin(stack: Stack, *path: Key, verbatim: bool = True) -> Origin:
    """A value from datumc.toml: the active profile's overlay when it sets the key."""
    doc = stack.project_doc
    if doc is None:
        return Origin(None, path, PROJECT_FILE, verbatim=verbatim)
    if stack.profile and _has(doc.data, ("profiles", stack.profile, *path)):
        return Origin(doc, ("profiles", stack.profile, *path), verbatim=verbatim)
    return Origin(doc, path, verbatim=verbatim)


def _has(data: Any, path: KeyPath) -> bool:
    node = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
