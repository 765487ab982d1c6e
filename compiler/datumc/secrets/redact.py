"""Keep secret values out of everything datumc prints, using the detectors in
`datumc.secrets.detect` (one answer to "is this a key?", one `mask()`).

datumc never needs a secret's value: it emits env var names and `os.environ/`
references. A value still reaches a message when a user pastes a key where a name
belongs, or edits a generated file by hand and datumc shows the diff. `shown()` and
`mask_tokens()` mask such values; `redact()` is the console's last line of defence:
it masks the value of every secret environment variable in text about to be printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache

from datumc.secrets.detect import is_secret_name, key_shape, looks_secret, mask

_MIN_ENV_SECRET = 8  # shorter env values ("true", "4000") are not worth masking
_WORD = re.compile(r"[^\s\"'`,;:=()\[\]{}<>]+")


def shown(value: str, limit: int = 40) -> str:
    """A user's value as a message may quote it: masked when it looks secret, else cut short."""
    if looks_secret(value):
        return repr(mask(value))
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mask_tokens(text: str) -> str:
    """`text` with every key-shaped word masked."""
    return _WORD.sub(lambda m: mask(m.group()) if key_shape(m.group()) else m.group(), text)


def is_secret_env(name: str, value: str) -> bool:
    """Whether an environment variable holds a secret worth keeping out of output."""
    return len(value) >= _MIN_ENV_SECRET and (is_secret_name(name) or looks_secret(value))


@cache
def _env_secrets(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    values = {value for name, value in items if is_secret_env(name, value)}
    return tuple(sorted(values, key=len, reverse=True))


def env_secrets(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Values of the environment's secret variables, longest first."""
    env = os.environ if environ is None else environ
    return _env_secrets(tuple(sorted(env.items())))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret value from the environment masked."""
    for value in env_secrets(environ):
        if value in text:
            text = text.replace(value, mask(value))
    return text


__all__ = ["env_secrets", "is_secret_env", "is_secret_name", "looks_secret", "mask",
           "mask_tokens", "redact", "shown"]
