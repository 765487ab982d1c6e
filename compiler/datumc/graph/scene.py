"""`Routing` -> a `Scene`: nodes and edges with generated ids and plain-text labels.

Every emitter draws the same scene, so Mermaid, DOT and SVG show the same boxes with
the same words. Ids are made here from a kind and a counter, never from a name. Labels
are display text, a tuple of lines: a name is shown as it is, except for characters no
picture can show (controls, line breaks, separators, noncharacters), which are written
as escapes (`\\n`, `\\x1b`), so a name is always one line. Each emitter escapes the
lines only for its own reader.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from datumc.graph.model import Deployment, Fallback, Group, Ref, RefKind, Routing


class NodeKind(StrEnum):
    GROUP = "group"
    POOL = "pool"  # a group of several deployments, load-balanced
    DEPLOYMENT = "deployment"
    ALIAS = "alias"
    ANY = "any"  # the generic `*` chain's source
    MISSING = "missing"  # named by an alias or a fallback, defined nowhere
    ROUTER = "router"  # the settings that govern every chain


class EdgeKind(StrEnum):
    DEPLOYMENT = "deployment"
    ALIAS = "alias"
    FALLBACKS = "fallbacks"
    CONTEXT_WINDOW = "context_window_fallbacks"
    CONTENT_POLICY = "content_policy_fallbacks"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass(frozen=True, slots=True)
class Scene:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


ANY_LINES = ("*", "any group without its own chain")
EMPTY = '""'  # how an empty name is shown
MISSING_LINE = "not defined"
ROUTER_TITLE = "router"
# Deployment settings shown on one line (how requests are spread); the others (timeouts,
# retries) on the next.
ROUTING_KEYS = frozenset({"weight", "order", "rpm", "tpm"})


def build_scene(routing: Routing) -> Scene:
    return _Builder(routing).scene()


@dataclass
class _Builder:
    routing: Routing
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    ids: dict[tuple[RefKind, str], str] = field(default_factory=dict)
    counts: dict[NodeKind, int] = field(default_factory=dict)

    def scene(self) -> Scene:
        for group in self.routing.groups:
            self._group(group)
        for alias in self.routing.aliases:
            self.ids[(RefKind.ALIAS, alias.name)] = self._node(NodeKind.ALIAS, (alias.name,))
        for alias in self.routing.aliases:
            label = "alias, hidden" if alias.hidden else "alias"
            self._link(self.ids[(RefKind.ALIAS, alias.name)], alias.target, EdgeKind.ALIAS,
                       label)
        for step in self.routing.fallbacks:
            self._fallback(step)
        self._router()
        return Scene(tuple(self.nodes), tuple(self.edges))

    def _node(self, kind: NodeKind, lines: tuple[str, ...]) -> str:
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        node_id = kind.value if kind in (NodeKind.ANY, NodeKind.ROUTER) else f"{kind}{count}"
        self.nodes.append(Node(node_id, kind, tuple(shown(line) for line in lines)))
        return node_id

    def _group(self, group: Group) -> None:
        kind = NodeKind.POOL if group.balanced else NodeKind.GROUP
        group_id = self._node(kind, tuple(group_lines(group)))
        self.ids[(RefKind.GROUP, group.name)] = group_id
        for deployment in group.deployments:
            node = self._node(NodeKind.DEPLOYMENT, tuple(deployment_lines(group, deployment)))
            self.edges.append(Edge(group_id, node, EdgeKind.DEPLOYMENT))

    def _fallback(self, step: Fallback) -> None:
        label = f"{step.kind.value} {step.position}"
        source = self._ref(self.routing.resolve(step.source))
        self._link(source, step.target, EdgeKind(step.kind.value), label)

    def _link(self, source: str, name: str, kind: EdgeKind, label: str) -> None:
        ref = self.routing.resolve(name)
        if ref.kind is RefKind.WILDCARD:
            label = f"{label} ({name})"
        self.edges.append(Edge(source, self._ref(ref), kind, shown(label)))

    def _ref(self, ref: Ref) -> str:
        key = (RefKind.GROUP if ref.kind is RefKind.WILDCARD else ref.kind, ref.name)
        found = self.ids.get(key)
        if found is not None:
            return found
        if ref.kind is RefKind.ANY:
            found = self._node(NodeKind.ANY, ANY_LINES)
        else:
            found = self._node(NodeKind.MISSING, (ref.name, MISSING_LINE))
        self.ids[key] = found
        return found

    def _router(self) -> None:
        lines = [s.text for s in self.routing.router] + list(self.routing.notes)
        if lines:
            self._node(NodeKind.ROUTER, (ROUTER_TITLE, *lines))


def group_lines(group: Group) -> Iterator[str]:
    yield group.name
    if group.balanced:
        yield f"{len(group.deployments)} deployments, load-balanced"
    if group.access_groups:
        yield "access groups " + ", ".join(group.access_groups)


def deployment_lines(group: Group, deployment: Deployment) -> Iterator[str]:
    if deployment.label != group.name:
        yield deployment.label
    if deployment.model:
        yield deployment.model
    routing = [s.text for s in deployment.settings if s.key in ROUTING_KEYS]
    timing = [s.text for s in deployment.settings if s.key not in ROUTING_KEYS]
    for row in (routing, timing):
        if row:
            yield ", ".join(row)
    if deployment.label == group.name and not deployment.model and not deployment.settings:
        yield deployment.label


def shown(text: str) -> str:
    """`text` as one printable line: characters no picture can show escaped."""
    if not text:
        return EMPTY
    if all(c.isprintable() or c == " " for c in text):
        return text  # the common case: one scan
    return "".join(_escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if char == " " or not (unicodedata.category(char) in _HIDDEN or _noncharacter(code)):
        return char
    if char == "\n":
        return "\\n"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# Controls, line and paragraph separators, surrogates: never drawn as they are.
_HIDDEN = frozenset({"Cc", "Zl", "Zp", "Cs"})


def _noncharacter(code: int) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (XML forbids some)."""
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
