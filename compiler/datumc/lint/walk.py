"""Walk parsed TOML or YAML data: every string value, with its key path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.load.positions import Key, KeyPath


def strings(data: Any, path: KeyPath = (), *, in_list: bool = False) -> Iterator[
    tuple[KeyPath, str, bool]
]:
    """(path, value, in_list) for every string in `data`; in_list: a list item, at any depth
    below the nearest list (LiteLLM resolves os.environ/ refs in mappings only)."""
    if isinstance(data, str):
        yield path, data, in_list
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*path, _key(key)), in_list=False)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from strings(item, (*path, index), in_list=not isinstance(item, dict))


def mapping(data: Any, *path: Key) -> dict[Any, Any]:
    """The mapping at `path` in `data`, or {} when absent or not a mapping."""
    node = data
    for part in path:
        if not isinstance(node, dict):
            return {}
        node = node.get(part)
    return node if isinstance(node, dict) else {}


def dotted(path: KeyPath) -> str:
    """("model_list", 0, "litellm_params", "rpm") -> "model_list[0].litellm_params.rpm"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def project_tables(data: dict[str, Any]) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    """datumc.toml and each `[profiles.NAME]` overlay, with the path to each."""
    yield (), data
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        for name, overlay in profiles.items():
            if isinstance(overlay, dict):
                yield ("profiles", name), overlay


def _key(key: Any) -> Key:
    return key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)
