"""What a proxy should serve according to the datums, and how that compares with
what it does serve.

The proxy drops a bad deployment with only a log line, so "it started" says little.
`/model/info` lists every loaded deployment (and, in LiteLLM 1.106, one entry per
alias too); comparing it with the datums finds dropped and stale deployments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from datumc.load.stack import Stack
from datumc.plan.router import model_group_alias

Deployment = tuple[str, str]  # (model_name, litellm model)


@dataclass(frozen=True, slots=True)
class Expected:
    deployments: Counter[Deployment]
    aliases: frozenset[str]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.deployments)


def expected(stack: Stack) -> Expected:
    deployments = Counter(
        (e.datum.public_name, e.datum.ai_model.litellm_model) for e in stack.enabled
    )
    return Expected(deployments, frozenset(model_group_alias(stack)))


@dataclass(frozen=True, slots=True)
class Difference:
    missing: list[Deployment] = field(default_factory=list)
    unexpected: list[Deployment] = field(default_factory=list)
    missing_aliases: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.missing_aliases)


def loaded(model_info: Iterable[dict[str, Any]], aliases: frozenset[str]) -> (
    tuple[Counter[Deployment], set[str]]
):
    """Deployments and alias names found in a /model/info listing."""
    deployments: Counter[Deployment] = Counter()
    seen_aliases = set()
    for item in model_info:
        name = item.get("model_name")
        params = item.get("litellm_params")
        model = params.get("model") if isinstance(params, dict) else None
        if not isinstance(name, str):
            continue
        if name in aliases:
            seen_aliases.add(name)
            continue
        deployments[(name, model if isinstance(model, str) else "?")] += 1
    return deployments, seen_aliases


def compare(want: Expected, model_info: Iterable[dict[str, Any]]) -> Difference:
    have, aliases = loaded(model_info, want.aliases)
    missing = sorted((want.deployments - have).elements())
    unexpected = sorted((have - want.deployments).elements())
    return Difference(missing, unexpected, sorted(want.aliases - aliases))


def describe(deployments: Iterable[Deployment]) -> str:
    return ", ".join(f"{name} ({model})" for name, model in deployments)
