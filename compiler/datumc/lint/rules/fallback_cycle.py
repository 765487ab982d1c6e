"""Fallbacks that lead back to where they started.

Why: when `a` falls back to `b` and `b` to `a`, a failing request bounces between
the two until LiteLLM's fallback depth limit, multiplying latency, retries and
cost while both are down. A model falling back to itself retries the same thing.
Fallback chains should end at a model with no fallbacks (or a different provider).

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

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Entry, Stack
from datumc.plan.router import resolve

CODE = "DC109"
NAME = "fallback-cycle"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    graph, first = _graph(stack)
    for component in _strong_components(graph):
        cycle = _shortest_cycle(min(component), graph, component)
        if cycle:
            yield _diag(first[cycle[0]], cycle)


def _graph(stack: Stack) -> tuple[dict[str, list[str]], dict[str, tuple[Entry, int]]]:
    """Served name -> fallback targets (served names); and where each edge is written."""
    graph: dict[str, list[str]] = {}
    where: dict[str, tuple[Entry, int]] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        edges = graph.setdefault(public, [])
        for index, target in enumerate(entry.datum.ai_model.fallbacks):
            resolved = resolve(stack, target)
            if resolved is not None and resolved not in edges:
                edges.append(resolved)
                where.setdefault(public, (entry, index))
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


def _diag(at: tuple[Entry, int], cycle: list[str]) -> Diagnostic:
    entry, index = at
    if len(cycle) == 1:
        message = f"'{cycle[0]}' falls back to itself"
    else:
        message = "fallback cycle: " + " -> ".join([*cycle, cycle[0]])
    return entry.diag(
        CODE, SEVERITY, message, "ai_model", "fallbacks", index,
        hint="end the chain at a model that has no fallbacks of its own",
    )
