"""A `[clients]` pick or model that names no served model, or clients that see none.

Why: the client files (build/clients/) name models of the proxy. A pick such as
`default = "claude-sonet"` that is neither a served model_name nor an alias would be
written into every client, and each request from it would fail with "Invalid model
name". `models` or `access_groups` that leave no model would write clients with
nothing to ask for.

Bad:
    [clients]
    default = "claude-sonet"       # no datum serves it

Good:
    [clients]
    default = "claude-sonnet-4-5"  # a model name, or one of its aliases
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import Key
from datumc.load.stack import Stack
from datumc.plan.clients import unknown_names, visible

CODE = "DC406"
NAME = "client-unknown-model"
SEVERITY = Severity.ERROR
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    clients = stack.project.clients  # the build's own: a profile's overlay applied
    if clients is None:
        return
    profile = stack.profile
    at: tuple[Key, ...] = ("profiles", profile) if profile is not None else ()
    for path, name in unknown_names(stack, clients):
        where = (*at, "clients", *path)
        yield doc.diag(
            CODE, SEVERITY,
            f"[clients] {path[0]} names {name!r}, which is no served model or alias",
            where if _has(doc.data, where) else ("clients", *path),
            hint="use a model name (the datum's [b00t] name or model_group) or an alias",
            value=True,
        )
    if not visible(stack, clients):
        key = "models" if clients.models else "access_groups"
        where = (*at, "clients", key)
        yield doc.diag(
            CODE, SEVERITY, "[clients] models and access_groups leave the clients no model",
            where if _has(doc.data, where) else ("clients",),
            hint="name served models, or access groups some enabled datum is in",
            value=True,
        )


def _has(data: Any, path: tuple[Key, ...]) -> bool:
    node: Any = data
    for key in path:
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if (isinstance(node, dict) and key in node) or in_list:
            node = node[key]
        else:
            return False
    return True
