"""`datumc schema [--check]`: JSON Schemas for editors and CI, generated from the models."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from datumc.console import Console
from datumc.load.source import display_path
from datumc.validate.datum import Datum
from datumc.validate.project import Project

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
    stale = []
    for name, model in SCHEMAS.items():
        path = args.directory / name
        text = schema_text(model)
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current == text:
            continue
        if args.check:
            stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.out(f"wrote {display_path(path)}")
    for path in stale:
        console.err(f"stale: {display_path(path)} differs from the datumc models")
    if stale:
        console.err("datumc: run `datumc schema` to regenerate")
        return 1
    if args.check:
        console.out("datumc: schemas up to date")
    return 0
