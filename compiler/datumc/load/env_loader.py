"""`.env` files, line by line, keeping exactly what was written (quotes, `export`, comments)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.load.source import Source, read_source

_ASSIGN = re.compile(r"(?P<indent>\s*)(?P<export>export\s+)?(?P<key>[^=\s#]+)\s*=(?P<value>.*)")


@dataclass(frozen=True, slots=True)
class EnvEntry:
    key: str
    raw_value: str  # as written, after `=`, untouched
    line: int
    column: int  # of the key
    value_column: int
    exported: bool

    @property
    def value(self) -> str:
        """The value a shell would see for simple cases (quotes removed, no expansion)."""
        raw = self.raw_value.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            return raw[1:-1]
        if " #" in raw:
            raw = raw.split(" #", 1)[0].rstrip()
        return raw


@dataclass(frozen=True, slots=True)
class EnvDoc:
    source: Source
    entries: tuple[EnvEntry, ...]
    invalid_lines: tuple[int, ...] = ()

    @property
    def display(self) -> str:
        return self.source.display

    def keys(self) -> set[str]:
        return {e.key for e in self.entries}


def env_lines(text: str) -> list[str]:
    """The lines of an env file as podman, docker and python-dotenv split them: at `\n`
    only, one `\r` before it dropped. `str.splitlines` would also break at a form feed,
    `\x1c`-`\x1e`, U+2028 or a lone CR inside a value, and hide or invent keys."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def parse_env(source: Source) -> EnvDoc:
    entries = []
    invalid = []
    for number, line in enumerate(env_lines(source.text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ASSIGN.fullmatch(line)
        if match is None:
            invalid.append(number)
            continue
        key_col = match.start("key") + 1
        entries.append(
            EnvEntry(
                key=match.group("key"),
                raw_value=match.group("value"),
                line=number,
                column=key_col,
                value_column=match.start("value") + 1,
                exported=match.group("export") is not None,
            )
        )
    return EnvDoc(source, tuple(entries), tuple(invalid))


def load_env(path: Path, *, limit: int, display: str | None = None) -> EnvDoc | Diagnostic:
    source = read_source(path, limit=limit, display=display)
    if isinstance(source, Diagnostic):
        return source
    return parse_env(source)


def is_env_file(path: Path) -> bool:
    """`.env`, `.env.local`, `prod.env`, and templates such as `env.example`."""
    name = path.name
    return (
        name in (".env", "env")
        or name.startswith((".env.", "env."))
        or name.endswith(".env")
    )
