"""Fallbacks that lead back to where they started.

Why: when `a` falls back to `b` and `b` to `a`, a failing request bounces between
the two until LiteLLM's fallback depth limit, multiplying latency, retries and
cost while both are down. A model falling back to itself retries the same thing.
Fallback chains should end at a model with no fallbacks (or a different provider).
Checked for each kind (`fallbacks`, `context_window_fallbacks`,
`content_policy_fallbacks`), in datums and in a hand-written config.yaml alike.

Bad:
    # a.ai_model.toml                 # b.ai_model.toml
    fallbacks = ["b"]                 fallbacks = ["a"]

Good:
    # a.ai_model.toml                 # b.ai_model.toml
    fallbacks = ["b"]                 fallbacks = ["c"]     # c has no fallbacks
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import KeyPath
from datumc.load.stack import Entry, Stack
from datumc.plan.model import ConfigModel
from datumc.plan.router import resolve
from datumc.plan.routing import FALLBACK_KINDS, FALLBACK_LABELS, fallback_kinds

CODE = "DC109"
NAME = "fallback-cycle"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


HINT = "end the chain at a model that has no fallbacks of its own"


def check(stack: Stack) -> Iterator[Diagnostic]:
    for kind in fallback_kinds(stack):
        graph, first = _graph(stack, kind)
        for cycle in _cycles(graph):
            entry, index = first[cycle[0]]
            yield entry.diag(CODE, SEVERITY, _message(kind, cycle), "ai_model", kind, index,
                             hint=HINT)


def check_config(config: ConfigModel) -> Iterator[Diagnostic]:
    """The same cycles in any config. Lists planned from datum fields (not written
    verbatim) were checked at the datums, by check()."""
    for section in ("router_settings", "litellm_settings"):
        for kind in FALLBACK_KINDS:
            if not config.origin((section, kind))[0].verbatim:
                continue
            graph, first = _config_graph(config.section(section).get(kind), (section, kind))
            for cycle in _cycles(graph):
                yield config.diag(CODE, SEVERITY, _message(kind, cycle), first[cycle[0]],
                                  hint=HINT)


EXTRA_CHECKS = {Scope.CONFIG: check_config}


def _cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    for component in _strong_components(graph):
        cycle = _shortest_cycle(min(component), graph, component)
        if cycle:
            yield cycle


def _graph(stack: Stack, kind: str) -> tuple[dict[str, list[str]],
                                             dict[str, tuple[Entry, int]]]:
    """Served name -> its `kind` targets (served names); and where each edge is written."""
    graph: dict[str, list[str]] = {}
    where: dict[str, tuple[Entry, int]] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        edges = graph.setdefault(public, [])
        for index, target in enumerate(getattr(entry.datum.ai_model, kind)):
            resolved = resolve(stack, target)
            if resolved is not None and resolved not in edges:
                edges.append(resolved)
                where.setdefault(public, (entry, index))
    return graph, where


def _config_graph(value: Any, at: KeyPath) -> tuple[dict[str, list[str]], dict[str, KeyPath]]:
    """Model group -> its targets in a `[{group: [targets]}, ...]` list; and the path of
    each group's first edge. `"*"` (every group's generic chain) starts no cycle."""
    graph: dict[str, list[str]] = {}
    where: dict[str, KeyPath] = {}
    for row, item in enumerate(value if isinstance(value, list) else []):
        for group, targets in (item.items() if isinstance(item, dict) else ()):
            if group == "*" or not isinstance(targets, list):
                continue
            edges = graph.setdefault(str(group), [])
            for col, target in enumerate(targets):
                if isinstance(target, str) and target not in edges:
                    edges.append(target)
                    where.setdefault(str(group), (*at, row, group, col))
    return graph, where


def _strong_components(graph: dict[str, list[str]]) -> Iterator[set[str]]:
    """Strongly connected components that hold a cycle (Tarjan's algorithm, iterative:
    linear in the size of the graph, where listing every cycle would be exponential)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, []))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, []):
                    yield component


def _shortest_cycle(start: str, graph: dict[str, list[str]], within: set[str]) -> list[str]:
    """The shortest cycle through `start` inside its component (breadth-first)."""
    if start in graph.get(start, []):
        return [start]
    came_from: dict[str, str] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, []):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if nxt in within and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return []


def _message(kind: str, cycle: list[str]) -> str:
    label = FALLBACK_LABELS[kind]
    if len(cycle) == 1:
        if kind == "fallbacks":
            return f"'{cycle[0]}' falls back to itself"
        return f"'{cycle[0]}' names itself as its own {label}"
    return f"{label} cycle: " + " -> ".join([*cycle, cycle[0]])
