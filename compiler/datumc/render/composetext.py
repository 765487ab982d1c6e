"""Values for compose files, which compose interpolates before it uses them.

docker compose (compose-go, template/template.go) and podman-compose replace `$NAME`,
`${NAME}`, `${NAME:-default}`, ... in every string value of the file, from the shell
and the `.env` file next to it; `$$` is their escape for a literal `$`. So every `$` in a
value is doubled, and an image `reg/x:${TAG:-v1}` runs exactly that image, as run.sh does.

Keys are another matter: compose-go leaves them alone, podman-compose interpolates them
too, so no spelling of a `$` in a key means the same to both. A key holding `$` is
refused (the keys datumc writes are service and environment variable names).
"""

from __future__ import annotations

from typing import Any

from datumc.render.errors import CannotCarryError, shown


def text(value: str) -> str:
    """`value` with compose's escape: every `$` doubled."""
    return value.replace("$", "$$")


def escaped(value: Any) -> Any:
    """`value` (a scalar, list or mapping) with every string escaped and every key checked."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {_key(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escaped(v) for v in value]
    return value


def _key(key: Any) -> Any:
    if isinstance(key, str) and "$" in key:
        raise CannotCarryError(
            f"the key {shown(key)} cannot be written to a compose file: docker compose "
            "keeps a `$` in a key, podman-compose interpolates it"
        )
    return key
