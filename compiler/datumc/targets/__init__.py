"""The TARGETS registry: one module per deployment target, each naming its templates."""

from __future__ import annotations

from datumc.targets import clients, compose, helm, kubernetes, litellm, podman
from datumc.targets.base import Target

TARGETS: dict[str, Target] = {
    litellm.name: litellm,
    podman.name: podman,
    compose.name: compose,
    kubernetes.name: kubernetes,
    helm.name: helm,
    clients.name: clients,
}
