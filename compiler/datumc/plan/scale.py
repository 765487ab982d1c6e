"""How many proxy pods a project can run.

LiteLLM keeps rpm/tpm counters and deployment cooldowns in each process unless Redis
shares them, so what matters is the most pods that can run at once: `[kubernetes]
replicas`, or the HorizontalPodAutoscaler's `max` when `[kubernetes] hpa` is set (the
Deployment then leaves the count to the autoscaler, between `min` and `max`).
"""

from __future__ import annotations

from typing import Any

from datumc.load.positions import Key
from datumc.validate.project import Project

REPLICAS: tuple[Key, ...] = ("kubernetes", "replicas")
HPA_MAX: tuple[Key, ...] = ("kubernetes", "hpa", "max")


def max_replicas(project: Project) -> int:
    """The most proxy pods this project can run at once."""
    hpa = project.kubernetes.hpa
    return hpa.max if hpa is not None else project.kubernetes.replicas


def min_replicas(project: Project) -> int:
    """The fewest proxy pods the project runs (the autoscaler's floor, or replicas)."""
    hpa = project.kubernetes.hpa
    if hpa is not None and hpa.min is not None:
        return hpa.min
    return project.kubernetes.replicas


def max_replicas_path(project: Project, data: dict[str, Any],
                      at: tuple[Key, ...] = ()) -> tuple[Key, ...]:
    """Where `max_replicas` comes from in datumc.toml's table `data`: `hpa.max` when the
    autoscaler is set, else `replicas`; in the profile at `at` when it sets that key,
    else in the base table."""
    key = HPA_MAX if project.kubernetes.hpa is not None else REPLICAS
    return (*at, *key) if at and _has(data, (*at, *key)) else key


def _has(data: dict[str, Any], path: tuple[Key, ...]) -> bool:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
