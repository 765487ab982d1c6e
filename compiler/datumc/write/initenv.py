"""Create `.env` from `.env.example`, or add only the keys it is missing.

The user's file is never rewritten: its bytes are kept as they are and new
keys (empty, with the example's comments) are appended. Values are never
read out loud: only key names reach messages. The file is replaced atomically
by a temp file created with mode 0600, so at no moment is a secret readable by
others, and a reader sees the old file or the new one.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.errors import DatumcError
from datumc.load.env_loader import env_lines, parse_env
from datumc.load.source import Source, display_path, read_source
from datumc.validate.limits import MAX_ENV_BYTES
from datumc.write.atomic import clean_temps, fsync_dir, replace_if_unchanged, write_temp

ENV_MODE = 0o600


@dataclass(frozen=True, slots=True)
class ExampleKey:
    name: str
    comments: tuple[str, ...]  # the comment lines right above it in the example


@dataclass(frozen=True, slots=True)
class EnvPlan:
    """What init-env will do to the env file at `path` (the real file, symlinks followed)."""

    path: Path
    before: bytes | None  # None: the file does not exist yet
    after: bytes
    added: tuple[str, ...]
    empty: tuple[str, ...]  # keys whose value is still empty after the change
    mode: int | None  # the existing file's permission bits

    @property
    def changes(self) -> bool:
        return self.before != self.after

    @property
    def loose(self) -> bool:
        return self.mode is not None and self.mode & 0o077 != 0


def example_keys(source: Source) -> list[ExampleKey]:
    """Each key of an env example, in order, with the comment block right above it."""
    keys: list[ExampleKey] = []
    seen: set[str] = set()
    block: list[str] = []
    doc = parse_env(source)
    by_line = {e.line: e.key for e in doc.entries}
    for number, line in enumerate(env_lines(source.text), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            block.append(stripped)
            continue
        key = by_line.get(number)
        if key is not None and key not in seen:
            seen.add(key)
            keys.append(ExampleKey(key, tuple(block)))
        block = []
    return keys


def plan(example: Path, env: Path) -> EnvPlan:
    keys = example_keys(_read(example, "example"))
    target = env.resolve() if env.is_symlink() else env
    if target.is_dir():
        raise DatumcError(f"{display_path(env)} is a directory, not an env file")
    if not target.exists():
        text = "".join(_block(k, "\n") for k in keys).lstrip("\n")
        header = (f"# Created by `datumc init-env` from {display_path(example)}.\n"
                  "# Fill in the values. Keep this file private (mode 0600) and out of version "
                  "control.\n# Write values unquoted: podman --env-file keeps quote characters.\n")
        return EnvPlan(target, None, (header + text).encode(), tuple(k.name for k in keys),
                       tuple(k.name for k in keys), None)
    current = _read(target, "env")
    before = target.read_bytes()
    doc = parse_env(current)
    present = doc.keys()
    missing = [k for k in keys if k.name not in present]
    after = before + _addition(before, missing, example)
    empty = [e.key for e in doc.entries if not e.value] + [k.name for k in missing]
    mode = stat.S_IMODE(target.stat().st_mode)
    return EnvPlan(target, before, after, tuple(k.name for k in missing),
                   tuple(dict.fromkeys(empty)), mode)


def _read(path: Path, what: str) -> Source:
    if what == "example" and not path.is_file():
        raise DatumcError(f"{display_path(path)} not found: run `datumc build` first (it writes "
                          "the .env.example), or pass --from")
    source = read_source(path, limit=MAX_ENV_BYTES)
    if isinstance(source, Diagnostic):
        raise DatumcError(f"{source.location()}: {source.message}")
    return source


def _addition(before: bytes, missing: list[ExampleKey], example: Path) -> bytes:
    if not missing:
        return b""
    newline = "\r\n" if b"\r\n" in before else "\n"
    text = "" if not before or before.endswith(b"\n") else newline
    if before:
        text += newline
    text += f"# Added by `datumc init-env` from {display_path(example)}:{newline}"
    text += "".join(_block(k, newline) for k in missing).lstrip(newline)
    return text.encode()


def _block(key: ExampleKey, newline: str) -> str:
    comments = "".join(c + newline for c in key.comments)
    return f"{newline}{comments}{key.name}={newline}"


def apply(plan: EnvPlan) -> None:
    """Write the planned content with mode 0600, atomically; or just tighten the mode.

    A line someone adds to the file while this runs is never lost: the file is replaced
    only if it still holds what was read, checked again around the rename itself."""
    clean_temps(plan.path.parent, name=plan.path.name)
    if not plan.changes:
        if plan.loose:
            plan.path.chmod(ENV_MODE)
        return
    tmp = write_temp(plan.path, plan.after, ENV_MODE)  # 0600 from creation, any umask
    if not replace_if_unchanged(tmp, plan.path, plan.before):
        raise DatumcError(f"{display_path(plan.path)} changed while init-env was running; "
                          "nothing was written: run it again")
    fsync_dir(plan.path.parent)
