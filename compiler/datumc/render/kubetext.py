"""Container command, args and env values for Kubernetes manifests.

The kubelet expands `$(NAME)` in a container's `command`, `args` and `env[].value` from
the container's environment (k8s.io/kubernetes third_party/forked/golang/expansion):
a value `$(LITELLM_MASTER_KEY)` would pass the master key, which envFrom loads from the
Secret. `$$` is the escape for a literal `$`; any other `$` is kept as it is. So a `$`
followed by `(` or by another `$` is doubled, and nothing else changes.

A deliberate reference (`--requirepass $(REDIS_PASSWORD)`) is a `Reference`, which is
left as written.
"""

from __future__ import annotations

import re
from typing import Any

from datumc.validate.vocab import is_env_name

_EXPANDED = re.compile(r"\$(?=[$(])")


class Reference(str):
    """`$(NAME)`: expanded by Kubernetes on purpose."""

    __slots__ = ()


def reference(name: str) -> Reference:
    if not is_env_name(name):
        raise ValueError(f"not an environment variable name: {name!r}")
    return Reference(f"$({name})")


def text(value: str) -> str:
    """A string the kubelet expands back to exactly `value` (a Reference is kept)."""
    return value if isinstance(value, Reference) else _EXPANDED.sub("$$", value)


def args(items: list[str]) -> list[str]:
    return [text(item) for item in items]


def env(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`env:` entries with every `value` escaped (`valueFrom` entries are kept)."""
    return [{k: text(v) if k == "value" else v for k, v in item.items()} for item in items]
