"""Hardcoded secrets in a config being imported, and the env vars that replace them.

A value is never copied into a datum when its key says it is a secret (api_key,
*_password, *_token, ...) or the value itself does (a provider key shape, a URL with
a password, a PEM key, a Slack webhook): `datumc.secrets.detect.sensitive`, the one
answer shared with lint. An `os.environ/NAME` reference is what secrets become.
"""

from __future__ import annotations

import re
import unicodedata

from datumc.secrets.detect import mask as mask_text
from datumc.validate.vocab import ENV_REF_PREFIX, is_env_name


def is_env_ref(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ENV_REF_PREFIX)


def env_ref_name(value: object) -> str | None:
    """NAME for a well-formed `os.environ/NAME`, else None."""
    if not is_env_ref(value):
        return None
    assert isinstance(value, str)
    name = value[len(ENV_REF_PREFIX):]
    return name if is_env_name(name) else None


def mask(value: object) -> str:
    """Enough of a secret to recognise it, never enough to use it (datumc.secrets.mask)."""
    return mask_text(str(value))


def env_base(text: str) -> str:
    """UPPER_SNAKE from any text (model names, hosts, keys); '' when nothing is left."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    snake = re.sub(r"[^A-Za-z0-9]+", "_", folded).strip("_").upper()
    if snake and snake[0].isdigit():
        snake = f"M_{snake}"
    return snake


class EnvNames:
    """Names for the env vars that replace hardcoded secrets.

    The same secret under the same base name gets the same variable; names already
    referenced anywhere in the config (`os.environ/X`) are never reused for a new value.
    """

    def __init__(self, used: set[str]) -> None:
        self._used = set(used)
        self._given: dict[tuple[str, str], str] = {}

    def name_for(self, base: str, value: str) -> str:
        base = base if is_env_name(base) else "SECRET"
        known = self._given.get((base, value))
        if known is not None:
            return known
        name, n = base, 1
        while name in self._used:
            n += 1
            name = f"{base}_{n}"
        self._used.add(name)
        self._given[(base, value)] = name
        return name


def referenced_env_names(value: object) -> set[str]:
    """Every NAME in an `os.environ/NAME` string anywhere inside `value`."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            name = env_ref_name(item)
            if name is not None:
                found.add(name)
    return found
