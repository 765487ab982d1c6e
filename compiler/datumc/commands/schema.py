"""`datumc schema [--check]`: JSON Schemas for editors and CI, generated from the models."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from datumc.console import Console
from datumc.errors import DatumcError, UsageError
from datumc.load.source import Source, display_path, read_source
from datumc.validate.datum import Datum
from datumc.validate.project import Project
from datumc.write.atomic import (
    clean_temps,
    fsync_dir,
    read_current,
    replace_if_unchanged,
    write_temp,
)

MAX_SCHEMA_BYTES = 1024 * 1024
SCHEMAS: dict[str, type[BaseModel]] = {
    "ai_model.schema.json": Datum,
    "datumc.schema.json": Project,
}


@dataclass(frozen=True, slots=True)
class SchemaArgs:
    directory: Path
    check: bool = False


def schema_text(model: type[BaseModel]) -> str:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def run(args: SchemaArgs, console: Console) -> int:
    _check_dir(args.directory)
    stale: list[tuple[Path, bool]] = []
    for name, model in SCHEMAS.items():
        path = args.directory / name
        text = schema_text(model)
        current = _current(path)
        if current == text:
            continue
        if args.check:
            stale.append((path, current is None))
            continue
        _write(path, text)
        console.out(f"wrote {display_path(path)}")
    for path, missing in stale:
        what = "is missing" if missing else "differs from the datumc models"
        console.err(f"stale: {display_path(path)} {what}")
    if stale:
        console.err(_advice(args.directory, all(missing for _, missing in stale)))
        return 1
    if args.check:
        console.out("datumc: schemas up to date")
    return 0


def _advice(directory: Path, all_missing: bool) -> str:
    regenerate = "datumc schema" + ("" if directory == Path("schemas")
                                    else f" --dir {display_path(directory)}")
    if all_missing and not directory.is_dir():
        return (f"datumc: no {display_path(directory)}/ here: run `{regenerate}` to write the "
                "schemas, or pass --dir where your project keeps them")
    return f"datumc: run `{regenerate}` to regenerate"


def _check_dir(directory: Path) -> None:
    """--dir must be a directory, or a path where one can be made: a usage error otherwise
    (a FIFO, a file, a path through a file, a name too long)."""
    try:
        mode = directory.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"--dir {display_path(directory)}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(mode):
        raise UsageError(f"--dir {display_path(directory)} is not a directory")


def _current(path: Path) -> str | None:
    """The schema on disk, or None. A FIFO or device in its place is never opened."""
    found = read_source(path, limit=MAX_SCHEMA_BYTES)
    return found.text if isinstance(found, Source) else None


def _write(path: Path, text: str) -> None:
    """Atomically, as the build writes: a temp file renamed over the schema only if the
    schema still holds what was there before (an edit saved meanwhile is kept)."""
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise UsageError(f"{display_path(path)} is not a regular file; remove it and run "
                             "`datumc schema` again")
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_temps(path.parent, name=path.name)
        expected = read_current(path)
        tmp = write_temp(path, text.encode("utf-8"), 0o644)
        if not replace_if_unchanged(tmp, path, expected):
            raise DatumcError(f"{display_path(path)} changed while `datumc schema` was "
                              "running; not overwritten (run it again)")
        fsync_dir(path.parent)
    except OSError as exc:
        raise DatumcError(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None
