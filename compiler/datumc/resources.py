"""Find the templates and schemas that ship with datumc.

An installed wheel carries them as package data (`datumc/templates`,
`datumc/schemas`). A source checkout keeps them at the top level of the
repository, next to `compiler/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from datumc.errors import DatumcError

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The directory holding `templates` or `schemas`."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise DatumcError(f"datumc is installed without its {name}/ directory; reinstall datumc")


def templates_dir() -> Path:
    return resource_dir("templates")


def schemas_dir() -> Path:
    return resource_dir("schemas")


def project_justfile() -> Path:
    """The justfile `datumc init` writes: the repository's own, shipped in the wheel."""
    for candidate in (_PACKAGE / "templates" / "project" / "justfile",
                      _PACKAGE.parent.parent / "justfile"):
        if candidate.is_file():
            return candidate
    raise DatumcError("datumc is installed without its justfile; reinstall datumc")


def data_file(name: str) -> Path:
    return _PACKAGE / "data" / name
