"""A value that no escape can carry into a generated file as its consumer reads it.

Raised by the emitters when the interpreter that reads a file would take a value for
something else (a quadlet unit reference, a podman option, ...) and its syntax has no
way to say otherwise. It is a `DatumcError`: the build stops with a one-line message and
exit 1, before any file is written.
"""

from __future__ import annotations

from datumc.errors import DatumcError

_SHOWN = 60


class CannotCarryError(DatumcError):
    """The value would not mean what it says in the file it is written to."""


def shown(value: str) -> str:
    """`value` for a message: repr, cut short."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 5] + "...'"


def operand(text: str) -> str:
    """`text`, which a command reads as an operand (podman: the image): refused when it
    would be read as an option instead. No quoting helps: the command sees the word."""
    if text.startswith("-"):
        raise CannotCarryError(
            f"{shown(text)} cannot be passed to podman as an image: podman reads an argument "
            "starting with '-' as an option"
        )
    return text
