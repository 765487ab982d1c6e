"""Recognise hardcoded secrets, mask them for messages, and name the env vars that replace them.

A value is a secret when its key says so (api_key, *_password, *_token, ...) or when
the value itself does (a URL with a password, a well-known token prefix, a PEM key).
An `os.environ/NAME` reference is never a secret: it is what secrets become.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from datumc.schema.vocab import ENV_REF_PREFIX, is_env_name

_SECRET_KEY: Final = re.compile(
    r"(?:^|_)(?:api_?key|key|secret|secret_?key|access_?key|password|passwd|pwd|token|"
    r"credential)$"
)
# Keys that end like a secret but hold none.
_NOT_SECRET_KEYS: Final = frozenset(
    {"cache_key", "prompt_cache_key", "sort_key", "partition_key", "primary_key", "max_token",
     "id_key", "user_api_key_alias"}
)
_URL_PASSWORD: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@")
_TOKEN_VALUE: Final = re.compile(
    r"^(?:sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]{8,}|ghp_[A-Za-z0-9]{20,}|"
    r"github_pat_[A-Za-z0-9_]{20,}|gho_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|"
    r"AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|hf_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{16,})$"
)
_EMBEDDED: Final = ("-----BEGIN", "hooks.slack.com/services/", '"private_key"')


def is_env_ref(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ENV_REF_PREFIX)


def env_ref_name(value: object) -> str | None:
    """NAME for a well-formed `os.environ/NAME`, else None."""
    if not is_env_ref(value):
        return None
    assert isinstance(value, str)
    name = value[len(ENV_REF_PREFIX):]
    return name if is_env_name(name) else None


def secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered not in _NOT_SECRET_KEYS and _SECRET_KEY.search(lowered) is not None


def secret_value(value: str) -> bool:
    """Does the value itself look like a credential, whatever its key?"""
    password = _URL_PASSWORD.match(value)
    if password is not None and not password.group(1).startswith(ENV_REF_PREFIX):
        return True
    return _TOKEN_VALUE.match(value) is not None or any(s in value for s in _EMBEDDED)


def looks_secret(key: str, value: object) -> bool:
    """A hardcoded secret under `key`: never copied into a datum."""
    if not isinstance(value, str) or not value or is_env_ref(value):
        return False
    return secret_key(key) or secret_value(value)


def mask(value: object) -> str:
    """Enough of a secret to recognise it, never enough to use it: `sk-p…3210`."""
    text = str(value)
    if len(text) >= 16:
        return f"{text[:4]}…{text[-4:]}"
    if len(text) >= 8:
        return f"{text[:2]}…"
    return "…"


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
