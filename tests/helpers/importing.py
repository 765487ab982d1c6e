"""Import a LiteLLM config, build it again, and read what came out."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import Result, run_cli


@dataclass(frozen=True)
class RoundTrip:
    imported: Result
    built: Result | None
    root: Path

    @property
    def config(self) -> Any:
        return yaml.safe_load((self.root / "build/litellm/config.yaml").read_text())

    def datum(self, index: int) -> dict[str, Any]:
        """The index-th (1-based) imported datum, parsed."""
        path = sorted((self.root / "datums").glob(f"{index:02d}-*.ai_model.toml"))
        assert len(path) == 1, sorted(p.name for p in (self.root / "datums").iterdir())
        return tomllib.loads(path[0].read_text())

    @property
    def project(self) -> dict[str, Any]:
        return tomllib.loads((self.root / "datumc.toml").read_text())

    def written(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*")) if p.is_file()
        }


def import_config(source: Path, root: Path, *args: str) -> Result:
    return run_cli("import", source, "--out", root, *args)


def round_trip(source: Path, root: Path) -> RoundTrip:
    """`datumc import SOURCE --out ROOT`, then `datumc build` in ROOT (if the import worked)."""
    imported = import_config(source, root)
    if imported.code != 0:
        return RoundTrip(imported, None, root)
    return RoundTrip(imported, run_cli("build", "--target", "litellm", cwd=root), root)


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
