"""A `Scene` as a Mermaid flowchart, for READMEs and pull requests.

Every label is a quoted Mermaid string in which only letters, digits and a few plain
punctuation marks are written as they are; every other character is a numeric entity
code (`#34;` for `"`), which Mermaid hands to the browser as `&#34;`. So no name can end
a string, start a link, a comment (`%%`), markdown or an HTML tag, or trip Mermaid's
own rewriting of `#...;` and of `style ...:...#...;` lines (`:` and `;` are encoded too).
Lines are joined with `<br>`, which no name can produce (`<` is always encoded).

Mermaid (11) rewrites some text after it has decoded the entities, so encoding alone
cannot keep these sequences: `\\n` becomes a line break, `:fa-...` a Font Awesome icon,
`$$...$$` KaTeX math, and `ﬂ°` and `¶ß` (its own entity markers) `&` and `;` in the
finished SVG. Each is written with an empty `<span></span>` between its characters:
the browser shows the same text, the rewriting never matches.

HTML collapses spaces: one at either end of a line, or after another space, is written
as a no-break space (U+00A0), which looks the same and stays.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from datumc.graph.scene import Edge, EdgeKind, Node, NodeKind, Scene

SAFE = frozenset(string.ascii_letters + string.digits + " .,_-/+=()'!?*")
BREAK = "<br>"
SPLIT = "<span></span>"
NO_BREAK_SPACE = "\u00a0"
# Character pairs Mermaid rewrites once entities are decoded (see above): split apart.
SPLIT_PAIRS = frozenset({("\\", "n"), ("$", "$"), ("\ufb02", "\u00b0"), ("\u00b6", "\u00df")})
ICON = ":fa-"  # after `fa`, `fab`, `fal`, ...: an icon; split after the colon

# Node shape per kind: (opening, closing) around the quoted label.
SHAPES = {
    NodeKind.GROUP: ("[", "]"),
    NodeKind.POOL: ("[[", "]]"),  # a double-sided box: several parallel deployments
    NodeKind.DEPLOYMENT: ("(", ")"),
    NodeKind.ALIAS: ("([", "])"),
    NodeKind.ANY: ("((", "))"),
    NodeKind.MISSING: ("{{", "}}"),
    NodeKind.ROUTER: ("[/", "/]"),
}
ARROWS = {
    EdgeKind.DEPLOYMENT: "---",
    EdgeKind.ALIAS: "-.->",
    EdgeKind.FALLBACKS: "-->",
    EdgeKind.CONTEXT_WINDOW: "==>",
    EdgeKind.CONTENT_POLICY: "-.->",
}
# Class names (never a user's text) and their styles. No `;` in a style line: Mermaid's
# entity rewriting would cut it.
CLASSES = {
    NodeKind.GROUP: ("grp", "fill:#eef4ff,stroke:#3b6fd8,stroke-width:2px"),
    NodeKind.POOL: ("pool", "fill:#eef4ff,stroke:#3b6fd8,stroke-width:3px"),
    NodeKind.DEPLOYMENT: ("dep", "fill:#ffffff,stroke:#888888"),
    NodeKind.ALIAS: ("alias", "fill:#f4f4f4,stroke:#777777,stroke-dasharray:4 3"),
    NodeKind.ANY: ("any", "fill:#fff8e0,stroke:#b08800"),
    NodeKind.MISSING: ("missing", "fill:#ffecec,stroke:#d00000,stroke-dasharray:5 5"),
    NodeKind.ROUTER: ("router", "fill:#f7f7f7,stroke:#999999"),
}
LINK_COLOURS = {
    EdgeKind.DEPLOYMENT: "#999999",
    EdgeKind.ALIAS: "#777777",
    EdgeKind.FALLBACKS: "#d06000",
    EdgeKind.CONTEXT_WINDOW: "#7a3fc0",
    EdgeKind.CONTENT_POLICY: "#c0306a",
}


def escape(text: str) -> str:
    """One line of text as the body of a quoted Mermaid label."""
    out = []
    for index, char in enumerate(spaced(text)):
        if index and _split_before(text, index):
            out.append(SPLIT)
        out.append(char if char in SAFE else f"#{ord(char)};")
    return "".join(out)


def spaced(text: str) -> str:
    """`text` with each space HTML would collapse (at either end, or after another
    space) made a no-break space: the line as a browser shows it."""
    if not text.startswith(" ") and not text.endswith(" ") and "  " not in text:
        return text
    last = len(text) - 1
    return "".join(
        NO_BREAK_SPACE if c == " " and (i in (0, last) or text[i - 1] == " ") else c
        for i, c in enumerate(text))


def _split_before(text: str, index: int) -> bool:
    return (text[index - 1], text[index]) in SPLIT_PAIRS or (
        text.startswith(ICON, index - 1))


def label(lines: tuple[str, ...] | list[str]) -> str:
    """A quoted label: each line escaped, lines joined by `<br>`."""
    return '"' + BREAK.join(escape(line) for line in lines) + '"'


def to_mermaid(scene: Scene) -> str:
    return "\n".join(_lines(scene)) + "\n"


def _lines(scene: Scene) -> Iterator[str]:
    yield "flowchart LR"
    for node in scene.nodes:
        yield "    " + _node(node)
    for edge in scene.edges:
        yield "    " + _edge(edge)
    yield from _classes(scene)
    yield from _link_styles(scene)


def _node(node: Node) -> str:
    opening, closing = SHAPES[node.kind]
    return f"{node.id}{opening}{label(node.lines)}{closing}"


def _edge(edge: Edge) -> str:
    arrow = ARROWS[edge.kind]
    text = f"|{label([edge.label])}|" if edge.label else ""
    return f"{edge.source} {arrow}{text} {edge.target}"


def _classes(scene: Scene) -> Iterator[str]:
    for kind, (name, style) in CLASSES.items():
        members = [n.id for n in scene.nodes if n.kind is kind]
        if members:
            yield f"    classDef {name} {style}"
            yield f"    class {','.join(members)} {name}"


def _link_styles(scene: Scene) -> Iterator[str]:
    for kind, colour in LINK_COLOURS.items():
        indexes = [str(i) for i, e in enumerate(scene.edges) if e.kind is kind]
        if indexes:
            yield f"    linkStyle {','.join(indexes)} stroke:{colour},color:{colour}"


# Mermaid's defaults: a larger chart is not drawn ("Maximum text size in diagram
# exceeded", "Edge limit exceeded") unless the page raises them.
MAX_TEXT_SIZE = 50_000
MAX_EDGES = 500


def size_note(scene: Scene, text: str) -> str | None:
    """Why Mermaid, as most sites configure it, would refuse to draw `text`, or None."""
    over = []
    if len(text) > MAX_TEXT_SIZE:
        over.append(f"{len(text):,} characters (Mermaid's default limit: {MAX_TEXT_SIZE:,})")
    if len(scene.edges) > MAX_EDGES:
        over.append(f"{len(scene.edges):,} edges (limit: {MAX_EDGES:,})")
    if not over:
        return None
    return ("the Mermaid chart has " + " and ".join(over) + "; Mermaid draws it only with "
            "maxTextSize/maxEdges raised: use --format svg or --format dot for a stack "
            "this size")
