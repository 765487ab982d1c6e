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
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache

from datumc.diagnostics import Diagnostic
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


# Secret values read from the project's env file (not in os.environ): masked as well.
_KNOWN: set[str] = set()


def remember(values: Iterable[str]) -> None:
    """Mask these values (a project's `.env` secrets) in everything printed from now on."""
    _KNOWN.update(v for v in values if len(v) >= _MIN_ENV_SECRET)


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every secret value from the environment and the env file masked."""
    values = sorted({*env_secrets(environ), *_KNOWN}, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, mask(value))
    return text


# Characters a terminal or a log reader would act on: C0/C1 controls (ESC starts colour
# and cursor sequences), DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str, *, multiline: bool = False) -> str:
    """Control characters shown escaped (`\\x1b`); a line break too, unless `multiline`."""
    text = _CONTROL.sub(lambda m: _escape(m.group()), text)
    return text if multiline else text.replace("\n", "\\n")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def sanitize(text: str, *, multiline: bool = False) -> str:
    """The one sanitizer for printed text: secret values and key-shaped words masked,
    control characters (and, unless `multiline`, line breaks) escaped, so no value can
    leak, colour the terminal or forge another line of output."""
    return visible(redact(mask_tokens(text)), multiline=multiline)


def clean(diag: Diagnostic) -> Diagnostic:
    """A diagnostic as every output format prints it: message, hint and path sanitized."""
    return replace(diag, message=sanitize(diag.message), path=visible(diag.path),
                   hint=sanitize(diag.hint, multiline=True))


__all__ = [
    "clean",
    "env_secrets",
    "is_secret_env",
    "is_secret_name",
    "looks_secret",
    "mask",
    "mask_tokens",
    "redact",
    "remember",
    "sanitize",
    "shown",
    "visible",
]
