"""Keep secret values out of everything datumc prints.

datumc never needs a secret's value: it emits env var names and `os.environ/`
references. A value still reaches a message when a user pastes a key where a
name belongs, or edits a generated file by hand and datumc shows the diff. This
module masks such values (`sk-p…3210`) and, as a last line of defence, every
value of a secret-named environment variable in text about to be printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache

from datumc.schema.vocab import ENV_REF_PREFIX

ELLIPSIS = "…"
_SHOW = 4  # characters kept at each end of a long secret
_MIN_SHOWN = 12  # shorter values are hidden entirely

# Shapes of real provider keys and tokens.
_KEY_SHAPES = re.compile(
    r"(?:sk-(?:ant-|proj-|or-)?[A-Za-z0-9_\-]{8,}"
    r"|gsk_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{16,}|r8_[A-Za-z0-9]{16,}|xai-[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*)"
)
# A long run of token characters mixing letters and digits: an unknown kind of key.
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.]{24,}")
_SECRET_NAME = re.compile(
    r"(?i)(api_?key|secret|token|passw(or)?d|passphrase|credential|private_?key|access_?key"
    r"|auth_?key|(^|_)key$|_pwd$)"
)
_MIN_ENV_SECRET = 8  # shorter env values ("true", "4000") are not worth masking


def mask(value: str) -> str:
    """`sk-proj-abcd…3210`-style: a few characters at each end, the rest hidden."""
    if len(value) < _MIN_SHOWN:
        return ELLIPSIS
    return f"{value[:_SHOW]}{ELLIPSIS}{value[-_SHOW:]}"


def is_secret_name(name: str) -> bool:
    """Whether a key or variable name says it holds a secret (API_KEY, password, ...)."""
    return _SECRET_NAME.search(name) is not None


def looks_secret(value: str) -> bool:
    """Whether a value has the shape of a key or token (not an env var name or a URL)."""
    if value.startswith(ENV_REF_PREFIX) or "://" in value:
        return False
    if _KEY_SHAPES.search(value):
        return True
    return any(_high_entropy(m.group()) for m in _TOKEN.finditer(value))


def _high_entropy(token: str) -> bool:
    has_digit = any(ch.isdigit() for ch in token)
    has_lower = any(ch.islower() for ch in token)
    has_upper = any(ch.isupper() for ch in token)
    return has_digit and has_lower and (has_upper or len(token) >= 32) and "/" not in token


def mask_tokens(text: str) -> str:
    """`text` with every key-shaped token masked."""
    text = _KEY_SHAPES.sub(lambda m: mask(m.group()), text)
    return _TOKEN.sub(lambda m: mask(m.group()) if _high_entropy(m.group()) else m.group(), text)


def shown(value: str, limit: int = 40) -> str:
    """A user's value as a message may quote it: masked when it looks secret, else cut short."""
    if looks_secret(value):
        return repr(mask(value))
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@cache
def _env_secrets(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    values = {
        value for name, value in items
        if len(value) >= _MIN_ENV_SECRET and (is_secret_name(name) or looks_secret(value))
    }
    return tuple(sorted(values, key=len, reverse=True))


def env_secrets(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Values of the environment's secret-looking variables, longest first."""
    env = os.environ if environ is None else environ
    return _env_secrets(tuple(sorted(env.items())))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret value from the environment masked."""
    for value in env_secrets(environ):
        if value in text:
            text = text.replace(value, mask(value))
    return text
