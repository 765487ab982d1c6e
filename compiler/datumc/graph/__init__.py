"""`datumc graph`: the routing of the planned LiteLLM config, drawn.

    config model --read--> Routing --scene--> Scene --mermaid/dot--> text (--dot -Tsvg--> SVG)

`read` knows how LiteLLM reads the config, `scene` lays the routing out as nodes and
edges with generated ids, and each emitter escapes the labels for its own reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from datumc.errors import UsageError
from datumc.graph.dot import to_dot
from datumc.graph.mermaid import size_note, to_mermaid
from datumc.graph.read import read_routing
from datumc.graph.scene import Scene, build_scene
from datumc.graph.svg import to_svg
from datumc.plan.model import ConfigModel


def _mermaid(scene: Scene) -> bytes:
    return to_mermaid(scene).encode("utf-8")


def _dot(scene: Scene) -> bytes:
    return to_dot(scene).encode("utf-8")


def _svg(scene: Scene) -> bytes:
    return to_svg(to_dot(scene))


# Format -> emitter; the file name suffix a format's output usually has.
FORMATS: dict[str, Callable[[Scene], bytes]] = {"mermaid": _mermaid, "dot": _dot, "svg": _svg}
SUFFIXES = {"mermaid": ".mmd", "dot": ".dot", "svg": ".svg"}


@dataclass(frozen=True, slots=True)
class Drawing:
    content: bytes
    notes: tuple[str, ...] = ()  # for the user, about the drawing (not the config)


def draw(config: ConfigModel, fmt: str) -> Drawing:
    """The routing of `config` in format `fmt` (mermaid, dot or svg)."""
    emit = FORMATS.get(fmt)
    if emit is None:
        raise UsageError(f"unknown graph format {fmt!r}; choose from {', '.join(FORMATS)}")
    scene = build_scene(read_routing(config))
    content = emit(scene)
    note = size_note(scene, content.decode("utf-8")) if fmt == "mermaid" else None
    return Drawing(content, (note,) if note else ())
