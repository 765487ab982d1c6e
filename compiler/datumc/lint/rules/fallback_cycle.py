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

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.litellm_config import resolve
from datumc.stack import Entry, Stack

CODE = "DC109"
NAME = "fallback-cycle"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    graph, first = _graph(stack)
    reported: set[frozenset[str]] = set()
    for start in graph:
        for cycle in _cycles_from(start, graph):
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
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


def _cycles_from(start: str, graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Cycles through `start` whose other members sort after it (each cycle once)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == start:
                yield path
            elif nxt not in path and nxt > start:
                stack.append((nxt, [*path, nxt]))


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
