"""Real b00t datums nobody here wrote compile unchanged; every enabled one is emitted."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli


@pytest.mark.parametrize("subdir", ["ai_model", "model"])
def test_corpus_dir_compiles(corpus: Path, tmp_path: Path, subdir: str) -> None:
    root = tmp_path / subdir
    shutil.copytree(corpus / "b00t" / subdir, root / "datums")
    originals = {p.name: p.read_bytes() for p in (root / "datums").iterdir()}
    result = run_cli("build", "--target", "litellm", cwd=root)
    assert result.code == 0, result.output
    assert " error " not in result.stderr
    assert {p.name: p.read_bytes() for p in (root / "datums").iterdir()} == originals
    config = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    emitted = {d["model_name"] for d in config["model_list"]}
    expected = set()
    for path in (root / "datums").iterdir():
        data = tomllib.loads(path.read_text())
        if data["ai_model"].get("enabled", True):
            expected.add(data["ai_model"].get("model_group", data["b00t"]["name"]))
    assert emitted == expected
    assert len(config["model_list"]) == len(originals)


def test_history_datum_compiles(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "history"
    shutil.copytree(corpus / "b00t" / "history" / "dotfiles-f2c68e2", root / "datums")
    result = run_cli("build", "--target", "litellm", cwd=root)
    assert result.code == 0, result.output


def test_corpus_outside_the_project_is_refused(corpus: Path, tmp_path: Path) -> None:
    """Datum directories stay inside the project: an absolute datum_dirs entry is a
    DC003 at its line, and nothing under it is read."""
    (tmp_path / "datumc.toml").write_text(
        f'[datumc]\ndatum_dirs = ["{(corpus / "b00t" / "ai_model").as_posix()}"]\n'
    )
    result = run_cli("lint", cwd=tmp_path)
    assert result.code == 1, result.output
    assert "datumc.toml:2:" in result.output and "DC003" in result.output
    assert ".ai_model.toml" not in result.output


def test_corpus_copied_into_the_project_lints(corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(corpus / "b00t" / "ai_model", tmp_path / "datums")
    result = run_cli("lint", cwd=tmp_path)
    assert result.code == 0, result.output
