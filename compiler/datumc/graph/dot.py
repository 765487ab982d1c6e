"""A `Scene` as a Graphviz DOT digraph.

Every ID and attribute value is a double-quoted DOT string. In one, `\\"` is a quote;
in a label Graphviz then reads `\\\\` as a backslash, `\\n`, `\\l` and `\\r` as line breaks,
`\\N`, `\\G`, `\\E`, `\\T`, `\\H` and `\\L` as the node, graph, edge, tail, head and label
names, and `&...;` as an HTML entity. So a label's backslashes are doubled, its quotes
escaped, its `&` written `&amp;`, its line breaks `\\n`, and every control or
invisible formatting character a numeric entity (`&#13;`): what Graphviz draws is the
text itself, whatever the name holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from datumc.graph.scene import Edge, EdgeKind, Node, NodeKind, Scene

GRAPH_ATTRS = {"rankdir": "LR", "fontname": "sans-serif", "nodesep": "0.3", "ranksep": "0.6"}
NODE_DEFAULTS = {"fontname": "sans-serif", "fontsize": "11", "shape": "box", "style": "filled",
                 "fillcolor": "#ffffff"}
EDGE_DEFAULTS = {"fontname": "sans-serif", "fontsize": "9"}
# Characters that must never reach a DOT file as they are: controls, invisible format
# characters (bidirectional overrides, zero-width), line and paragraph separators.
_ENCODED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_LAST_ENTITY = 0xFFFF

NODE_STYLES = {
    NodeKind.GROUP: {"shape": "box", "style": "filled,bold", "color": "#3b6fd8",
                     "fillcolor": "#eef4ff"},
    NodeKind.POOL: {"shape": "box", "style": "filled,bold", "color": "#3b6fd8",
                    "fillcolor": "#eef4ff", "peripheries": "2"},
    NodeKind.DEPLOYMENT: {"shape": "box", "style": "filled,rounded", "color": "#888888"},
    NodeKind.ALIAS: {"shape": "box", "style": "filled,rounded,dashed", "color": "#777777",
                     "fillcolor": "#f4f4f4"},
    NodeKind.ANY: {"shape": "ellipse", "color": "#b08800", "fillcolor": "#fff8e0"},
    NodeKind.MISSING: {"shape": "octagon", "style": "filled,dashed", "color": "#d00000",
                       "fillcolor": "#ffecec"},
    NodeKind.ROUTER: {"shape": "note", "color": "#999999", "fillcolor": "#f7f7f7"},
}
EDGE_STYLES = {
    EdgeKind.DEPLOYMENT: {"arrowhead": "none", "color": "#999999"},
    EdgeKind.ALIAS: {"style": "dashed", "color": "#777777"},
    EdgeKind.FALLBACKS: {"color": "#d06000", "fontcolor": "#d06000"},
    EdgeKind.CONTEXT_WINDOW: {"style": "bold", "color": "#7a3fc0", "fontcolor": "#7a3fc0"},
    EdgeKind.CONTENT_POLICY: {"style": "dotted", "color": "#c0306a", "fontcolor": "#c0306a"},
}


def quote(text: str) -> str:
    """A DOT ID: a double-quoted string holding `text` verbatim."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def escape_label(text: str) -> str:
    """`text` as a double-quoted DOT label that Graphviz draws as exactly `text`."""
    return '"' + "".join(_char(c) for c in text) + '"'


def _char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == '"':
        return '\\"'
    if char == "\n":
        return "\\n"
    if char == "&":
        return "&amp;"
    if ord(char) <= _LAST_ENTITY and unicodedata.category(char) in _ENCODED_CATEGORIES:
        return f"&#{ord(char)};"
    return char  # beyond U+FFFF as it is: Graphviz 2.43 turns `&#65536;` into bad UTF-8


def to_dot(scene: Scene) -> str:
    return "\n".join(_lines(scene)) + "\n"


def _lines(scene: Scene) -> Iterator[str]:
    yield f"digraph {quote('routing')} {{"
    yield f"    graph {_attrs(GRAPH_ATTRS)};"
    yield f"    node {_attrs(NODE_DEFAULTS)};"
    yield f"    edge {_attrs(EDGE_DEFAULTS)};"
    for node in scene.nodes:
        yield f"    {_node(node)}"
    for edge in scene.edges:
        yield f"    {_edge(edge)}"
    yield "}"


def _node(node: Node) -> str:
    attrs = {**NODE_STYLES[node.kind], "class": node.kind.value}
    return f"{quote(node.id)} [label={escape_label(node.text)}, {_pairs(attrs)}];"


def _edge(edge: Edge) -> str:
    attrs = {**EDGE_STYLES[edge.kind], "class": edge.kind.value}
    text = f"label={escape_label(edge.label)}, " if edge.label else ""
    return f"{quote(edge.source)} -> {quote(edge.target)} [{text}{_pairs(attrs)}];"


def _attrs(attrs: dict[str, str]) -> str:
    return f"[{_pairs(attrs)}]"


def _pairs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in attrs.items())
