"""`datumc graph`: the routing of the planned config, drawn in Mermaid, DOT and SVG.

Each format is read back by its real consumer: Graphviz's `dot` (`-Tjson`, whose
`_ldraw_` text operations are the lines it draws, and `-Tsvg`), and Mermaid itself
(parsed and rendered under node with jsdom) when it is installed; a model of
Mermaid's label grammar checks every example without node. What they read must be
the scene, and the scene must be the routing model: every group, deployment, alias
and fallback edge, with its label unchanged. LiteLLM's own Router checks that the
routing model is what LiteLLM does with the same settings.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from datumc.graph.model import ANY_GROUP, FallbackKind, Routing
from datumc.graph.read import read_routing
from datumc.graph.scene import EdgeKind, NodeKind, Scene, build_scene, shown
from datumc.lint.registry import RULES
from datumc.pipeline import compile_project
from datumc.plan.model import ConfigModel
from datumc.report.text import render as render_text
from tests.conftest import Result, datum, require_tool, run_cli, run_datumc, write_project
from tests.helpers.golden import assert_golden

EXAMPLES = int(os.environ.get("DATUMC_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

# -- the fixture project: aliases, parallel deployments, all three fallback kinds, a
# cycle (alpha <-> beta), a dangling target (ghost-model) and the generic `*` chain ------

FIXTURE_DATUMS = {
    "alpha": datum("alpha", litellm_model="openai/gpt-4o-mini", api_key_env="OPENAI_API_KEY",
                   b00t={"aliases": ["a", "fast|cheap #1"]}, rpm_limit=60, timeout=10,
                   stream_timeout=5, fallbacks=["beta", "pool"]),
    "beta": datum("beta", provider="anthropic", litellm_model="anthropic/claude-haiku-4-5",
                  api_key_env="ANTHROPIC_API_KEY", max_retries=2, fallbacks=["alpha"]),
    "pool-one": datum("pool-one", litellm_model="openai/gpt-4o", api_key_env="OPENAI_API_KEY",
                      model_group="pool", rpm_limit=100, tpm_limit=50000,
                      access_groups=["team-a"], parameters={"weight": 3, "order": 1}),
    "pool-two": datum("pool-two", provider="azure", litellm_model="azure/gpt-4o",
                      api_key_env="AZURE_API_KEY", api_base_env="AZURE_API_BASE",
                      api_version="2024-10-21", model_group="pool",
                      access_groups=["team-a", "team-b"], parameters={"weight": 1, "order": 2}),
}
FIXTURE_TOML = """\
[router]
routing_strategy = "simple-shuffle"
num_retries = 2
timeout = 30
allowed_fails = 1
cooldown_time = 60
context_window_fallbacks = [{ alpha = ["pool", "beta"] }]

[litellm_settings]
content_policy_fallbacks = [{ beta = ["a", "ghost-model"] }]
default_fallbacks = ["pool"]

# The dangling fallback is reported, as a warning here, and drawn.
[lint]
severity = { DC209 = "warning" }
"""


@pytest.fixture
def fixture_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "fixture", FIXTURE_DATUMS, FIXTURE_TOML)


def graph(root: Path, fmt: str = "mermaid", *args: str | Path) -> Result:
    return run_cli("graph", "--project", root, "--format", fmt, *args)


def planned(root: Path) -> tuple[Routing, Scene]:
    result = compile_project(root)
    assert result.ok and result.config is not None, render_text(result.diagnostics)
    routing = read_routing(result.config.model)
    return routing, build_scene(routing)


# -- the scene is the routing model -------------------------------------------------------

FALLBACK_EDGES = {EdgeKind.FALLBACKS, EdgeKind.CONTEXT_WINDOW, EdgeKind.CONTENT_POLICY}


def assert_scene_is_routing(routing: Routing, scene: Scene) -> None:
    """Every group, deployment, alias, fallback step and missing name is drawn, once,
    with its name as the first line of its node, and edges join the right nodes."""
    nodes = {n.id: n for n in scene.nodes}
    assert len(nodes) == len(scene.nodes), "node ids are unique"
    groups = [n for n in scene.nodes if n.kind in (NodeKind.GROUP, NodeKind.POOL)]
    assert [n.lines[0] for n in groups] == [shown(g.name) for g in routing.groups]
    named = {}
    for group, node in zip(routing.groups, groups, strict=True):
        named[("group", group.name)] = node.id
        assert (node.kind is NodeKind.POOL) == group.balanced
        drawn = [nodes[e.target] for e in scene.edges
                 if e.source == node.id and e.kind is EdgeKind.DEPLOYMENT]
        assert len(drawn) == len(group.deployments)
        for deployment, box in zip(group.deployments, drawn, strict=True):
            assert box.kind is NodeKind.DEPLOYMENT
            assert shown(deployment.model) in box.lines or not deployment.model
            for setting in deployment.settings:
                assert any(shown(setting.text) in line for line in box.lines), setting
    aliases = [n for n in scene.nodes if n.kind is NodeKind.ALIAS]
    assert [n.lines for n in aliases] == [(shown(a.name),) for a in routing.aliases]
    named.update({("alias", a.name): n.id for a, n in zip(routing.aliases, aliases, strict=True)})
    missing = [n for n in scene.nodes if n.kind is NodeKind.MISSING]
    assert [n.lines[0] for n in missing] == [shown(m) for m in routing.missing]
    named.update({("missing", m): n.id for m, n in zip(routing.missing, missing, strict=True)})
    named.update({("any", n.lines[0]): n.id for n in scene.nodes if n.kind is NodeKind.ANY})

    def node_of(name: str) -> str:
        ref = routing.resolve(name)
        return named[(str(ref.kind).replace("wildcard", "group"), ref.name)]

    alias_edges = [(e.source, e.target) for e in scene.edges if e.kind is EdgeKind.ALIAS]
    assert alias_edges == [(named[("alias", a.name)], node_of(a.target))
                           for a in routing.aliases]
    steps = [(e.source, e.target, e.kind.value, e.label.split(" (")[0]) for e in scene.edges
             if e.kind in FALLBACK_EDGES]
    assert steps == [(node_of(f.source), node_of(f.target), f.kind.value,
                      f"{f.kind.value} {f.position}") for f in routing.fallbacks]


def scene_nodes(scene: Scene) -> dict[str, str]:
    return {n.id: n.text for n in scene.nodes}


def scene_edges(scene: Scene) -> list[tuple[str, str, str]]:
    return sorted((e.source, e.target, e.label) for e in scene.edges)


# -- DOT, read back by Graphviz -------------------------------------------------------------


def dot_json(dot_text: str) -> dict[str, Any]:
    proc = subprocess.run([require_tool("dot"), "-Tjson"], input=dot_text.encode(),
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    # Graphviz 2.43 writes control characters into JSON strings as they are.
    found: dict[str, Any] = json.loads(proc.stdout.decode(), strict=False)
    return found


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def graphviz_label(raw: str, *, node: str = "", graph: str = "routing") -> str:
    """A label attribute as Graphviz reads it: escString escapes (`\\\\`, `\\n`, `\\l`,
    `\\r` line breaks, `\\N` the node's name, `\\G` the graph's, any other `\\c` is c),
    then HTML entities."""
    names = {"n": "\n", "l": "\n", "r": "\n", "N": node, "G": graph}
    pieces = _ESCAPE.split(raw)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(names.get(piece, piece))
        else:
            out.append(_ENTITY.sub(lambda m: html.unescape(m.group()), piece))
    return "".join(out)


def drawn_text(item: dict[str, Any]) -> str:
    """The lines Graphviz drew for an object's label (its `T` operations)."""
    return "\n".join(op["text"] for op in item.get("_ldraw_", []) if op["op"] == "T")


@dataclass(frozen=True)
class DotReading:
    nodes: dict[str, str]  # id -> label as read from the attribute
    drawn: dict[str, str]  # id -> the text Graphviz drew
    edges: list[tuple[str, str, str]]  # (tail id, head id, label)
    drawn_edges: list[tuple[str, str, str]]


def read_dot(dot_text: str) -> DotReading:
    data = dot_json(dot_text)
    objects = data.get("objects", [])
    ids = {o["_gvid"]: o["name"] for o in objects}
    nodes = {o["name"]: graphviz_label(o["label"], node=o["name"]) for o in objects}
    drawn = {o["name"]: drawn_text(o) for o in objects}
    edges, drawn_edges = [], []
    for e in data.get("edges", []):
        tail, head = ids[e["tail"]], ids[e["head"]]
        edges.append((tail, head, graphviz_label(e.get("label", ""))))
        drawn_edges.append((tail, head, drawn_text(e)))
    return DotReading(nodes, drawn, sorted(edges), sorted(drawn_edges))


def assert_dot_is_scene(dot_text: str, scene: Scene) -> None:
    reading = read_dot(dot_text)
    assert reading.nodes == scene_nodes(scene)
    assert reading.drawn == scene_nodes(scene)
    assert reading.edges == scene_edges(scene)
    assert reading.drawn_edges == scene_edges(scene)


# -- Mermaid: a model of its flowchart label grammar ----------------------------------------

# Shapes as Mermaid's flowchart grammar spells them, and the node kind each one draws.
MERMAID_SHAPES = {("[", "]"): NodeKind.GROUP, ("[[", "]]"): NodeKind.POOL,
                  ("(", ")"): NodeKind.DEPLOYMENT, ("([", "])"): NodeKind.ALIAS,
                  ("((", "))"): NodeKind.ANY, ("{{", "}}"): NodeKind.MISSING,
                  ("[/", "/]"): NodeKind.ROUTER}
MERMAID_ARROWS = {"---": EdgeKind.DEPLOYMENT, "-->": EdgeKind.FALLBACKS,
                  "==>": EdgeKind.CONTEXT_WINDOW, "-.->": (EdgeKind.ALIAS,
                                                           EdgeKind.CONTENT_POLICY)}
_OPEN = r"\[\[|\(\[|\(\(|\{\{|\[/|\[|\("
_CLOSE = r"\]\]|\]\)|\)\)|\}\}|/\]|\]|\)"
# Inside a quoted label: plain characters, numeric entity codes and <br>; no quote, no
# bare `#`, `;`, `:`, `<`, `%`, `$`, backtick or non-ASCII character.
_BODY = r"(?:[A-Za-z0-9 .,_\-/+=()'!?*]|#[0-9]+;|<br>|<span></span>)*"
MERMAID_NODE = re.compile(rf"    (?P<id>[A-Za-z][A-Za-z0-9]*)(?P<open>{_OPEN})"
                          rf"\"(?P<body>{_BODY})\"(?P<close>{_CLOSE})")
MERMAID_EDGE = re.compile(rf"    (?P<src>[A-Za-z][A-Za-z0-9]*) (?P<arrow>---|-->|==>|-\.->)"
                          rf"(?:\|\"(?P<label>{_BODY})\"\|)? (?P<dst>[A-Za-z][A-Za-z0-9]*)")
MERMAID_STYLE = re.compile(r"    (classDef [a-z]+ [a-z0-9:#,. -]+|class [a-z0-9,]+ [a-z]+"
                           r"|linkStyle [0-9,]+ [a-z0-9:#,-]+)")


# What Mermaid 11 rewrites in a label once its entities are decoded: `\n` (a line break),
# `fa:fa-x` (an icon), `$$x$$` (KaTeX), and its own entity markers `ﬂ°` and `¶ß` (in the
# finished SVG). A label may hold them only split by markup.
MERMAID_REWRITES = re.compile(r"\\n|\$\$|fa[bklrs]?:fa-|\ufb02\u00b0|\u00b6\u00df")


def mermaid_decode(body: str) -> str:
    """What a browser shows for a label body: Mermaid rewrites `#NAME;` to `&NAME;` (and
    `#123;` to `&#123;`) around parsing (its encodeEntities/decodeEntities), the browser
    decodes the entity, `<br>` breaks the line and an empty span shows nothing."""
    lines = []
    for part in body.split("<br>"):
        part = part.replace("<span></span>", "\0")  # text nodes apart in the DOM
        part = re.sub(r"#(\w+);", lambda m: f"&{'#' if m[1].isdigit() else ''}{m[1]};", part,
                      flags=re.ASCII)
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group()), part)
        assert MERMAID_REWRITES.search(decoded) is None, f"Mermaid would rewrite {decoded!r}"
        lines.append(decoded.replace("\0", ""))
    return "\n".join(lines)


def browser_line(line: str) -> str:
    """A line as an HTML label must hold it to show it: each space HTML would collapse
    (at either end, or after another space) a no-break space."""
    chars = list(line)
    for index, char in enumerate(line):
        if char == " " and (index in (0, len(line) - 1) or line[index - 1] == " "):
            chars[index] = "\u00a0"
    return "".join(chars)


def browser_nodes(scene: Scene) -> dict[str, str]:
    return {n.id: "\n".join(browser_line(line) for line in n.lines) for n in scene.nodes}


def browser_edges(scene: Scene) -> list[tuple[str, str, str]]:
    return sorted((e.source, e.target, browser_line(e.label)) for e in scene.edges)


@dataclass(frozen=True)
class MermaidReading:
    nodes: dict[str, str]
    kinds: dict[str, NodeKind]
    edges: list[tuple[str, str, str]]
    arrows: list[tuple[str, str, str]]


def read_mermaid_model(text: str) -> MermaidReading:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, kinds, edges, arrows = {}, {}, [], []
    for line in lines[1:]:
        # Mermaid's pre-parse rewriting cuts the last `;` of a line that has `style`, then
        # `:`, `#` and `;`: no line may look like that (every `:` and `;` in a label is
        # encoded, and the style lines hold no `;`).
        assert re.search(r"(style|classDef).*:\S*#.*;", line) is None, line
        if (node := MERMAID_NODE.fullmatch(line)) is not None:
            assert node["id"] not in nodes, "node ids are unique"
            nodes[node["id"]] = mermaid_decode(node["body"])
            kinds[node["id"]] = MERMAID_SHAPES[(node["open"], node["close"])]
            for part in node["body"].split("<br>"):
                assert not part.startswith(" ") and not part.endswith(" "), "Mermaid trims"
                assert "  " not in part, "HTML collapses spaces"
        elif (edge := MERMAID_EDGE.fullmatch(line)) is not None:
            label = mermaid_decode(edge["label"]) if edge["label"] is not None else ""
            edges.append((edge["src"], edge["dst"], label))
            arrows.append((edge["src"], edge["dst"], edge["arrow"]))
        else:
            assert MERMAID_STYLE.fullmatch(line), f"not a line of the grammar: {line!r}"
    return MermaidReading(nodes, kinds, sorted(edges), arrows)


def assert_mermaid_model_is_scene(text: str, scene: Scene) -> None:
    reading = read_mermaid_model(text)
    assert reading.nodes == browser_nodes(scene)
    assert reading.kinds == {n.id: n.kind for n in scene.nodes}
    assert reading.edges == browser_edges(scene)
    for (src, dst, arrow), edge in zip(reading.arrows, scene.edges, strict=True):
        assert (src, dst) == (edge.source, edge.target)
        kinds = MERMAID_ARROWS[arrow]
        assert edge.kind in (kinds if isinstance(kinds, tuple) else (kinds,))


# -- Mermaid itself, under node -----------------------------------------------------------

# Parses each chart with Mermaid, renders it in jsdom (jsdom has no layout: every box
# measures 100 x 20) and answers with the parsed vertices and edges and each label's text
# as the browser shows it (text nodes, <br> as a line break).
MERMAID_JS = r"""
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
const resolve = createRequire(join(modules, 'resolve.js')).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);
const { JSDOM } = await load('jsdom');
const w = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true })
  .window;
globalThis.window = w;
for (const name of ['document', 'navigator', 'DOMParser', 'Element', 'HTMLElement',
  'SVGElement', 'Node', 'MutationObserver', 'CSSStyleSheet', 'getComputedStyle',
  'XMLSerializer']) {
  try { globalThis[name] = w[name]; } catch { /* a getter-only global: keep node's */ }
}
const box = { x: 0, y: 0, width: 100, height: 20, top: 0, left: 0, right: 100, bottom: 20 };
w.SVGElement.prototype.getBBox = () => box;
w.SVGElement.prototype.getComputedTextLength = () => 100;
w.Element.prototype.getBoundingClientRect = () => box;
const mermaid = (await load('mermaid')).default;
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

// Text nodes as they are, <br> as a line break. Whitespace a browser would collapse
// (a line break or tab in a text node, a space at either end of a line or after another
// space) is listed in `collapsed`: the browser would not show it as written.
const collapsed = [];
const shown = (el) => {
  let text = '';
  for (const child of el.childNodes) {
    if (child.nodeType === 3) text += child.data;
    else if (child.nodeName.toLowerCase() === 'br') text += '\n';
    else text += shown(child);
  }
  return text;
};
const check = (text) => {
  for (const line of text.split('\n')) {
    if (/[\t\r\f]|^ | $|  /.test(line)) collapsed.push(line);
  }
  return text;
};
const shownText = (el) => {
  let raw = '';
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) raw += child.data.replace(/\n/g, '\u2424');
      else if (child.nodeName.toLowerCase() === 'br') raw += '\n';
      else walk(child);
    }
  };
  walk(el);
  if (raw.includes('\u2424')) collapsed.push(raw);
  return check(shown(el));
};

async function read(text, id) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const vertices = [...diagram.db.getVertices().values()].map((v) => ({ id: v.id, type: v.type }));
  const edges = diagram.db.getEdges().map((e) => ({
    id: e.id, start: e.start, end: e.end, type: e.type, stroke: e.stroke, length: e.length }));
  const { svg } = await mermaid.render(id, text);
  const host = w.document.createElement('div');
  host.innerHTML = svg;
  const prefix = `${id}-flowchart-`;
  collapsed.length = 0;
  const labels = {};
  for (const g of host.querySelectorAll('g.node')) {
    labels[g.id.slice(prefix.length).replace(/-\d+$/, '')] = shownText(g.querySelector('.label'));
  }
  const edgeLabels = {};
  for (const g of host.querySelectorAll('g.edgeLabel .label[data-id]')) {
    edgeLabels[g.getAttribute('data-id')] = shownText(g);
  }
  return { vertices, edges, labels, edgeLabels, collapsed: [...collapsed] };
}

let count = 0;
for await (const line of createInterface({ input: process.stdin })) {
  let reply;
  try {
    reply = await read(JSON.parse(line), `chart${count++}`);
  } catch (err) {
    reply = { error: String(err?.message ?? err) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
"""


def mermaid_modules() -> Path:
    """Where `mermaid` and `jsdom` are installed for node (npm --prefix .venv/mermaid)."""
    given_dir = os.environ.get("DATUMC_MERMAID_MODULES")
    if given_dir:
        return Path(given_dir)
    return Path(sys.executable).parent.parent / "mermaid" / "node_modules"


class MermaidReader:
    """One node process running real Mermaid, asked one chart at a time."""

    def __init__(self, script: Path) -> None:
        node = require_tool("node")
        modules = mermaid_modules()
        if not (modules / "mermaid").is_dir() or not (modules / "jsdom").is_dir():
            message = (f"mermaid and jsdom are not installed in {modules} (npm install "
                       f"--prefix {modules.parent} mermaid@11 jsdom@29)")
            if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
                pytest.fail(message)
            pytest.skip(message)
        self.proc = subprocess.Popen([node, str(script), str(modules)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def read(self, text: str, timeout: float = 120) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(text).encode() + b"\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(f"mermaid under node gave no answer: {err.decode()[-2000:]}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def mermaid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MermaidReader]:
    script = tmp_path_factory.mktemp("mermaid") / "read.mjs"
    script.write_text(MERMAID_JS, encoding="utf-8")
    reader = MermaidReader(script)
    yield reader
    reader.close()


# Mermaid's parsed edge (type, stroke) per edge kind.
MERMAID_EDGE_KINDS = {
    EdgeKind.DEPLOYMENT: ("arrow_open", "normal"), EdgeKind.ALIAS: ("arrow_point", "dotted"),
    EdgeKind.FALLBACKS: ("arrow_point", "normal"),
    EdgeKind.CONTEXT_WINDOW: ("arrow_point", "thick"),
    EdgeKind.CONTENT_POLICY: ("arrow_point", "dotted"),
}


def assert_mermaid_is_scene(reader: MermaidReader, text: str, scene: Scene) -> None:
    reply = reader.read(text)
    assert "error" not in reply, reply.get("error")
    # A line break must be a <br> element, and no space may be one HTML collapses.
    assert not reply["collapsed"], reply["collapsed"]
    assert reply["labels"] == browser_nodes(scene)
    assert sorted(v["id"] for v in reply["vertices"]) == sorted(n.id for n in scene.nodes)
    parsed = [(e["start"], e["end"], e["type"], e["stroke"]) for e in reply["edges"]]
    assert parsed == [(e.source, e.target, *MERMAID_EDGE_KINDS[e.kind]) for e in scene.edges]
    labels = [reply["edgeLabels"].get(e["id"], "") for e in reply["edges"]]
    assert labels == [browser_line(e.label) for e in scene.edges]


# -- goldens ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "suffix"), [("mermaid", "mmd"), ("dot", "dot")])
def test_bundled_golden(bundled: Path, fmt: str, suffix: str) -> None:
    result = graph(bundled, fmt)
    assert result.code == 0, result.output
    assert_golden(result.stdout, f"graph/bundled.{suffix}")
    assert "error" not in result.stderr and "note:" not in result.stderr
    assert not (bundled / "build").exists(), "graph writes nothing under build/"


@pytest.mark.parametrize(("fmt", "suffix"), [("mermaid", "mmd"), ("dot", "dot")])
def test_fixture_golden(fixture_project: Path, fmt: str, suffix: str) -> None:
    result = graph(fixture_project, fmt)
    assert result.code == 0, result.output
    assert_golden(result.stdout, f"graph/fixture.{suffix}")
    # The linter's findings are shown, on stderr: the dangling target and the cycle.
    assert "warning DC209 fallback to 'ghost-model'" in result.stderr
    assert "warning DC109 fallback cycle: alpha -> beta -> alpha" in result.stderr


def test_output_is_byte_stable(fixture_project: Path) -> None:
    assert graph(fixture_project, "dot").stdout == graph(fixture_project, "dot").stdout
    assert graph(fixture_project).stdout == graph(fixture_project).stdout


# -- the routing model ------------------------------------------------------------------------


def test_fixture_routing_is_what_the_project_says(fixture_project: Path) -> None:
    routing, scene = planned(fixture_project)
    assert [g.name for g in routing.groups] == ["alpha", "beta", "pool"]
    pool = routing.groups[2]
    assert pool.balanced and pool.access_groups == ("team-a", "team-b")
    assert [(d.label, d.model, [s.text for s in d.settings]) for d in pool.deployments] == [
        ("pool-one", "openai/gpt-4o", ["weight 3", "order 1", "rpm 100", "tpm 50000"]),
        ("pool-two", "azure/gpt-4o", ["weight 1", "order 2"]),
    ]
    alpha = routing.groups[0].deployments[0]
    assert [s.text for s in alpha.settings] == ["rpm 60", "timeout 10 s", "stream_timeout 5 s"]
    assert [(a.name, a.target) for a in routing.aliases] == [("a", "alpha"),
                                                             ("fast|cheap #1", "alpha")]
    assert [(f.kind.value, f.source, f.target, f.position, f.setting)
            for f in routing.fallbacks] == [
        ("fallbacks", "alpha", "beta", 1, "router_settings.fallbacks"),
        ("fallbacks", "alpha", "pool", 2, "router_settings.fallbacks"),
        ("fallbacks", "beta", "alpha", 1, "router_settings.fallbacks"),  # the cycle
        ("fallbacks", ANY_GROUP, "pool", 1, "litellm_settings.default_fallbacks"),
        ("context_window_fallbacks", "alpha", "pool", 1,
         "router_settings.context_window_fallbacks"),
        ("context_window_fallbacks", "alpha", "beta", 2,
         "router_settings.context_window_fallbacks"),
        ("content_policy_fallbacks", "beta", "a", 1, "litellm_settings.content_policy_fallbacks"),
        ("content_policy_fallbacks", "beta", "ghost-model", 2,
         "litellm_settings.content_policy_fallbacks"),
    ]
    assert routing.missing == ("ghost-model",)
    assert [s.text for s in routing.router] == [
        "routing_strategy simple-shuffle", "num_retries 2", "timeout 30 s", "allowed_fails 1",
        "cooldown_time 60 s"]
    assert_scene_is_routing(routing, scene)
    missing = [n for n in scene.nodes if n.kind is NodeKind.MISSING]
    assert [n.lines for n in missing] == [("ghost-model", "not defined")]


def test_bundled_routing_is_the_planned_config(bundled: Path) -> None:
    result = compile_project(bundled)
    assert result.ok and result.config is not None
    data = result.config.data
    routing, scene = planned(bundled)
    assert_scene_is_routing(routing, scene)
    model_list = data["model_list"]
    in_order = dict.fromkeys(d["model_name"] for d in model_list)
    assert [g.name for g in routing.groups] == list(in_order)
    assert [d.index for g in routing.groups for d in g.deployments] == [
        i for name in in_order for i, d in enumerate(model_list) if d["model_name"] == name]
    assert [d.model for g in routing.groups for d in g.deployments] == [
        d["litellm_params"]["model"] for name in in_order for d in model_list
        if d["model_name"] == name]
    assert {a.name: a.target for a in routing.aliases} == data["router_settings"][
        "model_group_alias"]
    chains = [{f.source: [t.target for t in routing.fallbacks if t.source == f.source]}
              for f in routing.fallbacks if f.position == 1]
    assert chains == data["router_settings"]["fallbacks"]
    llama = next(g for g in routing.groups if g.name == "llama-3.3-70b")
    assert [d.label for d in llama.deployments] == ["groq-llama-3-3-70b",
                                                    "openrouter-llama-3-3-70b"]
    assert "timeout 600 s (litellm_settings.request_timeout)" in [s.text for s in routing.router]


def config(router: dict[str, Any] | None = None, settings: dict[str, Any] | None = None,
           groups: tuple[str, ...] = ("a", "b", "c", "openai/*")) -> ConfigModel:
    data: dict[str, Any] = {"model_list": [
        {"model_name": g, "litellm_params": {"model": f"openai/{g.strip('/*') or 'x'}"}}
        for g in groups]}
    if router is not None:
        data["router_settings"] = router
    if settings is not None:
        data["litellm_settings"] = settings
    return ConfigModel(data)


# Settings whose reading differs by where they are set; each is also given to LiteLLM's
# Router in test_litellm_reads_the_same_chains.
PRECEDENCE_CASES = {
    "router wins over litellm_settings": (
        {"fallbacks": [{"a": ["b"]}]}, {"fallbacks": [{"a": ["c"]}, {"b": ["c"]}]}),
    "an empty router list defers to litellm_settings": (
        {"context_window_fallbacks": []}, {"context_window_fallbacks": [{"a": ["c", "b"]}]}),
    "first key of an entry, first entry of a group, last generic chain": (
        {"context_window_fallbacks": [{"a": ["b"], "b": ["c"]}, {"a": ["c"]}, {"*": ["a"]},
                                      {"*": ["b", "c"]}]}, {}),
    "first entry of a group, last generic chain (content policy)": (
        {"content_policy_fallbacks": [{"b": ["a"]}, {"*": ["c"]}, {"b": ["c"]}, {"*": ["b"]}]},
        {}),
    "default_fallbacks is the generic chain, after the others": (
        {"fallbacks": [{"*": ["c"]}, {"a": ["b"]}]}, {"default_fallbacks": ["b", "a"]}),
    "a wildcard group and an alias as targets": (
        {"fallbacks": [{"a": ["openai/gpt-x", "al"]}], "model_group_alias": {"al": "c"}}, {}),
}


def chain(routing: Routing, kind: FallbackKind, group: str) -> list[str]:
    """The chain the routing model says LiteLLM tries for `group` (else the `*` one)."""
    own = [f.target for f in routing.fallbacks if f.kind is kind and f.source == group]
    if own:
        return own
    return [f.target for f in routing.fallbacks if f.kind is kind and f.source == ANY_GROUP]


def test_precedence_notes() -> None:
    router, settings = PRECEDENCE_CASES["router wins over litellm_settings"]
    routing = read_routing(config(router, settings))
    assert routing.notes == ("litellm_settings.fallbacks is ignored: router_settings.fallbacks "
                             "is set",)
    router, settings = PRECEDENCE_CASES[
        "first key of an entry, first entry of a group, last generic chain"]
    routing = read_routing(config(router, settings))
    assert routing.notes == (
        "router_settings.context_window_fallbacks[0]: only the first key is read; 'b' "
        "ignored",
        "router_settings.context_window_fallbacks[1]: 'a' already has a chain; this one is "
        "ignored",
    )
    router_node = build_scene(routing).nodes[-1]
    assert router_node.kind is NodeKind.ROUTER and router_node.lines[1:] == routing.notes


def test_wildcard_and_hidden_alias_and_secret_values() -> None:
    routing = read_routing(config({
        "fallbacks": [{"a": ["openai/gpt-x"]}],
        "model_group_alias": {"hid": {"model": "b", "hidden": True}, "gone": "nowhere"},
        "timeout": "sk-proj-1234567890abcdefghijklmnopqrstuv",
    }))
    scene = build_scene(routing)
    edges = {(e.kind, e.label) for e in scene.edges}
    assert (EdgeKind.FALLBACKS, "fallbacks 1 (openai/gpt-x)") in edges
    assert (EdgeKind.ALIAS, "alias, hidden") in edges
    assert routing.missing == ("nowhere",)
    assert_scene_is_routing(routing, scene)
    text = "\n".join(n.text for n in scene.nodes)
    assert "1234567890abcdef" not in text and "timeout sk-p…stuv" in text


@pytest.fixture(scope="module")
def litellm() -> Any:
    try:
        import litellm as module
    except ImportError:
        if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
            pytest.fail("litellm is not installed (scripts/test installs the proxy extra)")
        pytest.skip("litellm not installed")
    return module


@contextlib.contextmanager
def litellm_settings(module: Any, values: dict[str, Any]) -> Iterator[None]:
    """Set litellm_settings on the litellm module, as the proxy does; restore after."""
    old = {key: getattr(module, key) for key in values}
    try:
        for key, value in values.items():
            setattr(module, key, json.loads(json.dumps(value)))
        yield
    finally:
        for key, value in old.items():
            setattr(module, key, value)


def litellm_router(module: Any, data: dict[str, Any]) -> Any:
    model_list = [{"model_name": d["model_name"],
                   "litellm_params": {"model": d["litellm_params"]["model"]}}
                  for d in data["model_list"]]
    settings = {k: v for k, v in data.get("litellm_settings", {}).items()
                if k in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks",
                         "default_fallbacks", "num_retries", "request_timeout", "allowed_fails")}
    router_kwargs = json.loads(json.dumps(data.get("router_settings", {})))
    with litellm_settings(module, settings):
        return module.Router(model_list=model_list, **router_kwargs)


def assert_litellm_agrees(module: Any, data: dict[str, Any], routing: Routing) -> None:
    from litellm.router_utils.fallback_event_handlers import get_fallback_model_group

    router = litellm_router(module, data)
    tables = {FallbackKind.FALLBACKS: router.fallbacks,
              FallbackKind.CONTEXT_WINDOW: router.context_window_fallbacks,
              FallbackKind.CONTENT_POLICY: router.content_policy_fallbacks}
    names = [*(g.name for g in routing.groups), *(a.name for a in routing.aliases),
             "no-such-group"]
    for kind, table in tables.items():
        for name in names:
            theirs, _ = get_fallback_model_group(fallbacks=table or [], model_group=name)
            assert (theirs or []) == chain(routing, kind, name), (kind, name)
    aliases = {k: (v["model"] if isinstance(v, dict) else v)
               for k, v in router.model_group_alias.items()}
    assert aliases == {a.name: a.target for a in routing.aliases}
    shown_settings = {s.key: s.value for s in routing.router}
    for key in ("num_retries", "timeout", "allowed_fails", "cooldown_time"):
        if key in shown_settings:
            assert float(shown_settings[key].split()[0]) == float(getattr(router, key)), key


def test_litellm_reads_the_fixture_as_drawn(fixture_project: Path, litellm: Any) -> None:
    result = compile_project(fixture_project)
    assert result.config is not None
    assert_litellm_agrees(litellm, result.config.data, read_routing(result.config.model))


@pytest.mark.parametrize("key", ["fallbacks", "content_policy_fallbacks"])
def test_entries_litellm_refuses_are_noted(key: str, litellm: Any) -> None:
    model = config({key: [{"a": ["b"], "c": ["b"]}, "b"]})
    assert read_routing(model).notes == (
        f"router_settings.{key}[0] has 2 keys; LiteLLM refuses to start (one key per entry)",
        f"router_settings.{key}[1] is not a {{group: [fallbacks]}} entry; LiteLLM refuses "
        "to start",
    )
    with pytest.raises(ValueError, match="must have exactly one key"):
        litellm_router(litellm, model.data)


@pytest.mark.parametrize("case", list(PRECEDENCE_CASES))
def test_litellm_reads_the_same_chains(case: str, litellm: Any) -> None:
    router, settings = PRECEDENCE_CASES[case]
    model = config(router, settings)
    assert_litellm_agrees(litellm, model.data, read_routing(model))


# -- real consumers on the bundled project and the fixture -----------------------------------


@pytest.mark.tools
def test_dot_read_back_by_graphviz(bundled: Path, fixture_project: Path) -> None:
    for root in (bundled, fixture_project):
        result = graph(root, "dot")
        assert result.code == 0, result.output
        routing, scene = planned(root)
        assert_scene_is_routing(routing, scene)
        assert_dot_is_scene(result.stdout, scene)


def test_mermaid_read_back_by_the_grammar_model(bundled: Path, fixture_project: Path) -> None:
    for root in (bundled, fixture_project):
        result = graph(root)
        assert result.code == 0, result.output
        assert_mermaid_model_is_scene(result.stdout, planned(root)[1])


@pytest.mark.tools
def test_mermaid_read_back_by_mermaid(bundled: Path, fixture_project: Path,
                                      mermaid: MermaidReader) -> None:
    for root in (bundled, fixture_project):
        result = graph(root)
        assert result.code == 0, result.output
        assert_mermaid_is_scene(mermaid, result.stdout, planned(root)[1])


@pytest.mark.tools
def test_mermaid_reader_sees_a_broken_label(mermaid: MermaidReader) -> None:
    """The reader is a real check: what Mermaid does to text that is not escaped (drops
    quotes and tags, cuts a `;` after `style...:...#`) is what it reads back."""
    assert "error" in mermaid.read('flowchart LR\n    a["unterminated]\n')
    assert mermaid.read('flowchart LR\n    a["say "hi""]\n')["labels"] == {"a": "say hi"}
    assert mermaid.read('flowchart LR\n    a["<b>x</b>"]\n')["labels"] == {"a": "x"}
    assert mermaid.read('flowchart LR\n    a["p style:x#35;y;"]\n')["labels"] == {
        "a": "p style:x#y"}
    escaped = 'flowchart LR\n    a["#60;b#62;x#60;/b#62; #34;hi#34; style#58;#35;#59;"]\n'
    assert mermaid.read(escaped)["labels"] == {"a": '<b>x</b> "hi" style:#;'}


# -- SVG ------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def svg_reading(svg: bytes) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node id -> drawn text, and (tail, head, label) per edge, from Graphviz's SVG."""
    root = ET.fromstring(svg)
    nodes, edges = {}, []
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        title = group.findtext(f"{SVG}title") or ""
        text = "\n".join(t.text or "" for t in group.iter(f"{SVG}text")).replace("\xa0", " ")
        if "node" in classes:
            nodes[title] = text
        elif "edge" in classes:
            tail, _, head = title.partition("->")
            edges.append((tail, head, text))
    return nodes, sorted(edges)


@pytest.mark.tools
def test_svg_has_every_label(fixture_project: Path, tmp_path: Path) -> None:
    require_tool("dot")
    result = graph(fixture_project, "svg")
    assert result.code == 0, result.output
    scene = planned(fixture_project)[1]
    nodes, edges = svg_reading(result.stdout.encode())
    assert nodes == scene_nodes(scene)
    assert edges == scene_edges(scene)
    out = tmp_path / "routing.svg"
    written = graph(fixture_project, "svg", "--output", out)
    assert written.code == 0, written.output
    assert out.read_bytes() == result.stdout.encode()
    assert svg_reading(out.read_bytes()) == (nodes, edges)


def test_svg_without_dot_is_a_clear_error(fixture_project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    result = run_datumc("graph", "-p", fixture_project, "-f", "svg", cwd=tmp_path,
                        env={"PATH": str(empty)})
    assert result.code == 1
    assert result.stdout == ""
    assert "not on PATH" in result.stderr and "apt-get install graphviz" in result.stderr
    assert "--format mermaid" in result.stderr and "--format dot" in result.stderr
    assert "Traceback" not in result.output


FAKE_DOTS = {
    "exit": ("echo \"Error: <stdin>: syntax error in line 3 near 'x'\" >&2\nexit 3\n",
             ["Graphviz dot failed with exit code 3", "syntax error in line 3"]),
    "signal": ("kill -9 $$\n", ["Graphviz dot was killed by signal 9"]),
    "silent": ("exit 0\n", ["Graphviz dot produced no SVG"]),
}


@pytest.mark.parametrize("how", list(FAKE_DOTS))
def test_dot_failing_is_a_clear_error(fixture_project: Path, tmp_path: Path, how: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    script, messages = FAKE_DOTS[how]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    out = tmp_path / "g.svg"
    result = graph(fixture_project, "svg", "-o", out)
    assert result.code == 1
    for message in messages:
        assert message in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not out.exists()


# -- Mermaid's size limits ------------------------------------------------------------------


def chained_project(root: Path, count: int) -> Path:
    """`count` datums, each falling back to the next."""
    names = [f"m{i:03}" for i in range(count)]
    return write_project(root, {
        name: datum(name, api_key_env="OPENAI_API_KEY", fallbacks=names[i + 1:i + 2])
        for i, name in enumerate(names)})


def test_mermaid_size_note(tmp_path: Path) -> None:
    small = graph(chained_project(tmp_path / "small", 3))
    assert small.code == 0 and "note:" not in small.stderr
    big = graph(chained_project(tmp_path / "big", 260))
    assert big.code == 0, big.output
    assert "note: the Mermaid chart has" in big.stderr and "519 edges (limit: 500)" in big.stderr
    assert "--format svg" in big.stderr
    assert "note:" not in graph(tmp_path / "big", "dot").stderr


@pytest.mark.tools
def test_mermaid_refuses_what_the_note_says(tmp_path: Path, mermaid: MermaidReader) -> None:
    big = graph(chained_project(tmp_path / "big", 260))
    assert big.code == 0, big.output
    reply = mermaid.read(big.stdout)
    assert "limit" in reply.get("error", "") or "Maximum text size" in reply.get("error", "")


# -- errors, secrets, --output, --profile -------------------------------------------------


def test_project_errors_give_diagnostics_and_exit_1(tmp_path: Path) -> None:
    root = write_project(tmp_path / "broken", {
        "good": datum("good", fallbacks=["nope"]),
        "bad": '[b00t]\nname = "bad"\ntype = "ai_model"\n\n[ai_model]\nprovider = "openai"\n',
    })
    out = tmp_path / "g.mmd"
    for fmt in ("mermaid", "dot"):
        result = graph(root, fmt, "--output", out)
        assert result.code == 1
        assert result.stdout == ""
        assert re.search(r"datums/bad\.ai_model\.toml:\d+:\d+: error DC\d+ .*litellm_model",
                         result.stderr), result.stderr
        assert "graph failed with" in result.stderr and "nothing was drawn" in result.stderr
        assert not out.exists()
    assert not (root / "build").exists()


SECRET_ENV = "sk-proj-graphenv0123456789abcdefABCDEF"
SECRET_FILE = "sk-ant-api03-graphfile0123456789abcdefABCDEF"
SECRET_PASTED = "sk-proj-pasted0123456789abcdefghijKLMN"


def test_secrets_never_appear(fixture_project: Path, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_ENV)
    env_file = fixture_project / ".env"
    env_file.write_text(f"ANTHROPIC_API_KEY={SECRET_FILE}\n", encoding="utf-8")
    env_file.chmod(0o600)
    formats = ["mermaid", "dot", *(["svg"] if shutil.which("dot") else [])]
    for fmt in formats:
        result = graph(fixture_project, fmt)
        assert result.code == 0, result.output
        out = tmp_path / f"g.{fmt}"
        assert graph(fixture_project, fmt, "-o", out).code == 0
        for text in (result.output, out.read_text(encoding="utf-8")):
            assert SECRET_ENV not in text and SECRET_FILE not in text
            assert SECRET_ENV[8:20] not in text and SECRET_FILE[12:24] not in text
    # A key pasted where a value belongs: the build refuses, and says so masked.
    (fixture_project / "datums" / "beta.ai_model.toml").write_text(datum(
        "beta", parameters={"order": SECRET_PASTED}, api_key_env="ANTHROPIC_API_KEY"))
    for fmt in formats:
        result = graph(fixture_project, fmt)
        assert result.code == 1
        assert SECRET_PASTED not in result.output and SECRET_PASTED[8:20] not in result.output
        assert "error" in result.stderr


def test_a_secret_value_in_the_drawing_is_refused(fixture_project: Path,
                                                  tmp_path: Path) -> None:
    """The drawing's own words are checked too: a secret variable whose value the graph
    would show (here, contrived, a phrase only the graph uses) stops it. (A process of
    its own: datumc masks a secret it has seen in everything it prints afterwards.)"""
    out = tmp_path / "g.dot"
    result = run_datumc("graph", "-p", fixture_project, "-f", "dot", "-o", out, cwd=tmp_path,
                        env={"GRAPH_TEST_API_KEY": "deployments, load-balanced"})
    assert result.code == 1
    assert "GRAPH_TEST_API_KEY" in result.stderr and "would show a secret" in result.stderr
    assert "deployments, load-balanced" not in result.output
    assert not out.exists()


def test_output_file_is_written_atomically(fixture_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs" / "routing.mmd"
    missing_dir = graph(fixture_project, "mermaid", "-o", out)
    assert missing_dir.code == 1 and "is not a directory" in missing_dir.stderr
    out.parent.mkdir()
    out.write_text("old\n")
    out.chmod(0o640)
    result = graph(fixture_project, "mermaid", "-o", out)
    assert result.code == 0, result.output
    assert out.read_text() == graph(fixture_project).stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o640, "an existing file keeps its mode"
    assert sorted(p.name for p in out.parent.iterdir()) == ["routing.mmd"], "no temp left"
    assert "wrote" in result.stdout and "flowchart" not in result.stdout
    assert not (fixture_project / "build").exists()


def test_output_refuses_a_directory_and_a_symlink(fixture_project: Path,
                                                  tmp_path: Path) -> None:
    result = graph(fixture_project, "dot", "-o", tmp_path)
    assert result.code == 1 and "is a directory" in result.stderr
    target = tmp_path / "elsewhere.dot"
    target.write_text("keep\n")
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    result = graph(fixture_project, "dot", "-o", link)
    assert result.code == 1 and "is a symlink" in result.stderr
    assert target.read_text() == "keep\n" and link.is_symlink()


def test_profile_is_drawn(fixture_project: Path) -> None:
    toml = FIXTURE_TOML + "\n[profiles.strict.router]\nnum_retries = 0\ntimeout = 5\n"
    (fixture_project / "datumc.toml").write_text(toml, encoding="utf-8")
    base = graph(fixture_project, "dot")
    strict = graph(fixture_project, "dot", "--profile", "strict")
    assert base.code == strict.code == 0, strict.output
    assert "num_retries 2\\ntimeout 30 s" in base.stdout
    assert "num_retries 0\\ntimeout 5 s" in strict.stdout
    unknown = graph(fixture_project, "dot", "--profile", "nope")
    assert unknown.code == 2 and "unknown profile 'nope'" in unknown.stderr


# -- hostile names ------------------------------------------------------------------------

# Characters and words that mean something to Mermaid, DOT, HTML, XML, shells or
# terminals, mixed with any other character.
SPECIALS = [*'"\\\'{}[]|;#<>&`%$:*@/.-_=!?~^()', " ", "\t", "\n", "\r", "\x00", "\x1b",
            "\x7f", "\u0085", "\u2028", "\u202e", "\u200b", "\ufeff", "\ufffe", "é", "😀",
            "中", "ﬂ°", "¶ß", "#quot;", "#35;", "&amp;", "&#60;", "<br>", "\\n", "\\N", "\\G",
            "\\l", "%%", "$$", "style:", "classDef", "end", "-->", "-.->", "`x`", "&lt;"]
_piece = st.one_of(st.sampled_from(SPECIALS), st.characters(exclude_categories=("Cs",)))
raw_text = st.one_of(st.lists(_piece, min_size=1, max_size=12).map("".join),
                     st.lists(_piece, min_size=150, max_size=300).map("".join))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def as_name(text: str) -> str:
    """What a datum accepts as a name: one line, trimmed, at most 256 characters."""
    return _CONTROL.sub("", text).strip()[:256].strip()


names = raw_text.map(as_name).filter(bool)


HostileProject = tuple[dict[str, str], str, list[str]]


def hostile_project(pool: list[str], dangling: list[str]) -> HostileProject:
    """Datums and a datumc.toml whose every name is hostile: two datums in a fallback
    cycle, two load-balanced under a group, aliases, and pass-through chains to and from
    names defined nowhere (which may hold anything, control characters too)."""
    first, second, one, two, group, *aliases = pool
    datums = {
        "d0": datum(first, api_key_env="OPENAI_API_KEY", timeout=5,
                    b00t={"aliases": aliases}, fallbacks=[second, group]),
        "d1": datum(second, api_key_env="OPENAI_API_KEY", rpm_limit=10, fallbacks=[first]),
        "d2": datum(one, api_key_env="OPENAI_API_KEY", model_group=group,
                    parameters={"weight": 2}),
        "d3": datum(two, api_key_env="OPENAI_API_KEY", model_group=group, access_groups=[one]),
    }
    project = tomli_w.dumps({
        "litellm_settings": {
            "context_window_fallbacks": [{first: [aliases[0], dangling[0]]}],
            "content_policy_fallbacks": [{dangling[1]: [second]}, {group: [first]}],
        },
        # Findings about the names themselves (a fallback to nowhere, `$x` that looks like
        # shell syntax, template text) are warnings here: the drawing is under test.
        "lint": {"severity": {code: "warning" for code, rule in RULES.items()
                              if rule.configurable}},
    })
    return datums, project, [*pool, *dangling]


@st.composite
def hostile_projects(draw: st.DrawFn) -> HostileProject:
    pool = draw(st.lists(names, min_size=6, max_size=8, unique=True))
    dangling = draw(st.lists(raw_text.filter(lambda s: s not in pool), min_size=2,
                             max_size=2, unique=True))
    return hostile_project(pool, dangling)


# One project every run draws first: each character class the escaping handles.
WORST = hostile_project(
    ['say "hi"', "back\\slash \\N\\G\\l\\n", "x&amp;y &lt; #quot; #35; <br> ﬂ° ¶ß",
     "{}[]|;#<>` %%c $$m$$ fa:fa-car", "é😀中 \u202eevil\u200b", "a  b", "style:x#35;y;"],
    ["line\nbreak\x1b[31m\x00 ", ""])


def hostile_scene(tmp: Path, project: HostileProject) -> tuple[Routing, Scene]:
    datums, toml, all_names = project
    assume(len({shown(n) for n in all_names}) == len(all_names))  # distinct when drawn
    root = write_project(tmp, datums, toml)
    routing, scene = planned(root)
    assert {shown(g.name) for g in routing.groups} <= {shown(n) for n in all_names}
    assert_scene_is_routing(routing, scene)
    return routing, scene


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Path]:
    """A new project directory per hypothesis example."""
    counter = iter(range(10**9))
    return lambda: tmp_path / f"p{next(counter)}"


@PROPERTY
@given(project=hostile_projects())
@example(project=WORST)
def test_hostile_names_mermaid_grammar(fresh: Any, project: Any) -> None:
    _, scene = hostile_scene(fresh(), project)
    from datumc.graph.mermaid import to_mermaid

    assert_mermaid_model_is_scene(to_mermaid(scene), scene)


@pytest.mark.tools
@PROPERTY
@given(project=hostile_projects())
@example(project=WORST)
def test_hostile_names_dot(fresh: Any, project: Any) -> None:
    _, scene = hostile_scene(fresh(), project)
    from datumc.graph.dot import to_dot

    assert_dot_is_scene(to_dot(scene), scene)


@pytest.mark.tools
@PROPERTY
@given(project=hostile_projects())
@example(project=WORST)
def test_hostile_names_mermaid(fresh: Any, project: Any, mermaid: MermaidReader) -> None:
    _, scene = hostile_scene(fresh(), project)
    from datumc.graph.mermaid import to_mermaid

    assert_mermaid_is_scene(mermaid, to_mermaid(scene), scene)


def test_shown_names_are_one_printable_line() -> None:
    assert shown("a\nb\x1b[31m\u2028\ufffe") == "a\\nb\\x1b[31m\\u2028\\ufffe"
    assert shown("") == '""'
    assert shown('quo"te \\ é 😀 \u202e') == 'quo"te \\ é 😀 \u202e'  # drawn as they are
