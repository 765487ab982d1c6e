"""The proxy's environment: the shell plus the project's `.env` file.

Values are read but never shown: anything that must mention one uses `mask()`.
The shell wins over the file, as with docker compose: `FOO=x datumc serve` works.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datumc.load.env_loader import EnvDoc, load_env
from datumc.load.source import display_path
from datumc.secrets.detect import mask, unusable_env_value
from datumc.secrets.redact import is_secret_env, remember
from datumc.validate.limits import MAX_ENV_BYTES
from datumc.validate.project import Project

__all__ = ["EnvFile", "env_file", "gaps", "mask", "merged", "shell_env"]


@dataclass(frozen=True, slots=True)
class EnvFile:
    """The project's env file as found on disk (it may not exist)."""

    path: Path
    doc: EnvDoc | None = None
    problem: str = ""  # why it could not be read, if it exists but cannot be used

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def display(self) -> str:
        return display_path(self.path)

    @property
    def values(self) -> dict[str, str]:
        if self.doc is None:
            return {}
        return {e.key: e.value for e in self.doc.entries}

    def readable_by_others(self) -> bool:
        try:
            return bool(self.path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
        except OSError:
            return False

    def mode(self) -> str:
        try:
            return f"{stat.S_IMODE(self.path.stat().st_mode):04o}"
        except OSError:
            return "?"


def env_file(root: Path, project: Project) -> EnvFile:
    path = root / project.proxy.env_file
    if not path.exists():
        return EnvFile(path)
    loaded = load_env(path, limit=MAX_ENV_BYTES)
    if not isinstance(loaded, EnvDoc):
        return EnvFile(path, problem=loaded.message)
    remember(e.value for e in loaded.entries if is_secret_env(e.key, e.value))
    return EnvFile(path, loaded)


@dataclass(frozen=True, slots=True)
class Environment:
    """What the proxy would see, and where each value came from."""

    values: dict[str, str]
    from_file: frozenset[str] = field(default_factory=frozenset)


def merged(shell: Mapping[str, str], file: EnvFile) -> Environment:
    """The shell's variables plus those only the env file sets."""
    values = dict(shell)
    added = set()
    for key, value in file.values.items():
        if key not in values:
            values[key] = value
            added.add(key)
    return Environment(values, frozenset(added))


@dataclass(frozen=True, slots=True)
class Gaps:
    missing: list[str]  # unset or empty
    placeholders: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.placeholders)


def gaps(values: Mapping[str, str], needed: Sequence[str]) -> Gaps:
    missing = [n for n in needed if not values.get(n, "").strip()]
    placeholders = [n for n in needed if n not in missing and unusable_env_value(values[n])]
    return Gaps(missing, placeholders)


def shell_env() -> dict[str, str]:
    return dict(os.environ)
