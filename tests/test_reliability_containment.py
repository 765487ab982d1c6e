"""Datum directories stay inside the project, symlinks included, with a clear error
otherwise; the output directory does not escape it either.

A configured datum directory that resolves (symlinks resolved) outside the project is a
DC010 at its datumc.toml line, or at the directory when there is no datumc.toml; one
that is absolute or holds `..` is a DC003 from the schema. Neither is walked. Each case
runs as a real process in a sandbox whose files outside the output directory are hashed
before and after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import datum, run_cli
from tests.helpers.reliability import Sandbox


class Box(Sandbox):
    """A project at base/proj and, beside it, files nothing may read or touch."""

    def project(self, text: str) -> None:
        (self.root / "datumc.toml").write_text(text)

    def run_text(self, *args: str) -> tuple[int, str]:
        """The exit code and everything printed; the sandbox's checks hold."""
        proc = self.run(*args)
        return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def box(tmp_path: Path) -> Box:
    box = Box(tmp_path)
    (box.outside / "datums").mkdir(parents=True)
    (box.outside / "datums/stranger.ai_model.toml").write_text(datum("stranger"))
    (box.root / "local").mkdir(parents=True)
    (box.root / "local/good.ai_model.toml").write_text(datum("good"))
    return box


def refused(box: Box, code: str, where: str, *args: str) -> str:
    """Exit 1 with `code` at `where`; nothing built, the stranger's datum never read."""
    status, out = box.run_text(*(args or ("build",)))
    assert status == 1, out
    assert f"{where}: error {code}" in out, out
    assert "stranger" not in out, "a datum outside the project was read"
    assert not (box.root / "build").exists()
    return out


# -- symlinks out of the project --------------------------------------------------------------


def test_symlinked_default_datums_dir_is_refused(box: Box) -> None:
    (box.root / "datums").symlink_to(box.outside / "datums", target_is_directory=True)
    out = refused(box, "DC010", "datums")
    assert "outside the project" in out and str(box.outside / "datums") in out


@pytest.mark.parametrize("command", ["build", "lint"])
def test_symlinked_datum_dir_is_refused_at_its_line(box: Box, command: str) -> None:
    (box.root / "models").symlink_to(box.outside / "datums", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["models"]\n')
    refused(box, "DC010", "datumc.toml:2:15", command)


def test_each_refused_dir_is_reported_at_its_own_item(box: Box) -> None:
    (box.root / "models").symlink_to(box.outside / "datums", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = [\n  "local",\n  "models",\n]\n')
    refused(box, "DC010", "datumc.toml:4:3")


def test_symlink_part_way_along_the_path(box: Box) -> None:
    (box.root / "via").symlink_to(box.outside, target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["via/datums"]\n')
    refused(box, "DC010", "datumc.toml:2:15")


def test_a_profile_datum_dir_is_reported_at_the_profile_line(box: Box) -> None:
    (box.root / "models").symlink_to(box.outside / "datums", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local"]\n\n[profiles.dev.datumc]\n'
                'datum_dirs = ["models"]\n')
    refused(box, "DC010", "datumc.toml:5:15", "build", "--profile", "dev")


# -- paths out of the project ------------------------------------------------------------------


@pytest.mark.parametrize("where", ["../outside/datums", "/", "/tmp", "local/../../outside",
                                   "C:\\\\datums", "\\\\\\\\server\\\\share"])
def test_datum_dir_outside_the_project_is_a_schema_error(box: Box, where: str) -> None:
    box.project(f'[datumc]\ndatum_dirs = ["{where}"]\n')
    out = refused(box, "DC003", "datumc.toml:2:15")
    assert "must be a relative path inside the project" in out


@pytest.mark.parametrize("where", ["/", "..", "../outside/datums"])
def test_a_refused_datum_dir_is_never_walked(box: Box, where: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    box.project(f'[datumc]\ndatum_dirs = ["local", "{where}"]\n')
    walked = _spy_scandir(monkeypatch)
    result = run_cli("build", cwd=box.root)
    assert result.code == 1 and "datumc.toml:2:24: error DC003" in result.output
    assert not [p for p in walked if not Path(p).absolute().is_relative_to(box.root)], walked


def _spy_scandir(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    walked: list[str] = []
    real = os.scandir

    def spy(path: str) -> Iterator[os.DirEntry[str]]:
        walked.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    return walked


def test_a_symlinked_dir_is_never_walked(box: Box, monkeypatch: pytest.MonkeyPatch) -> None:
    (box.root / "models").symlink_to(box.outside / "datums", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local", "models"]\n')
    walked = _spy_scandir(monkeypatch)
    assert run_cli("build", cwd=box.root).code == 1
    assert [Path(p).name for p in walked] == ["local"], walked


# -- what stays allowed -----------------------------------------------------------------------


def test_symlink_that_stays_inside_is_followed(box: Box) -> None:
    (box.root / "models").symlink_to(box.root / "local", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["models"]\n')
    status, out = box.run_text("build")
    assert status == 0, out
    assert "model_name: good" in (box.root / "build/litellm/config.yaml").read_text()


def test_project_reached_through_a_symlink(box: Box) -> None:
    (box.base / "link").symlink_to(box.root, target_is_directory=True)
    (box.root / "datums").mkdir()
    (box.root / "datums/good.ai_model.toml").write_text(datum("good"))
    result = run_cli("lint", "-p", box.base / "link")  # its datums/ is inside it
    assert result.code == 0, result.output


def test_symlinked_subdirectory_is_skipped_not_refused(box: Box) -> None:
    (box.root / "local/more").symlink_to(box.outside / "datums", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local"]\n')
    status, out = box.run_text("build")
    assert status == 0, out
    assert "stranger" not in (box.root / "build/litellm/config.yaml").read_text()


# -- the output directory -----------------------------------------------------------------------


def test_out_dir_through_a_symlink_writes_nothing_there(box: Box) -> None:
    (box.root / "via").symlink_to(box.outside, target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local"]\nout_dir = "via/build"\n')
    status, out = box.run_text("build")
    assert status == 1 and "via: error DC021" in out, out
    assert not (box.outside / "build").exists()


@pytest.mark.parametrize("out_dir", ["../outside", "/", "a/../../outside", "a" * 256])
def test_out_dir_outside_the_project_is_a_schema_error(box: Box, out_dir: str) -> None:
    box.project(f'[datumc]\ndatum_dirs = ["local"]\nout_dir = "{out_dir}"\n')
    refused(box, "DC003", "datumc.toml:3:11")


def test_build_through_a_symlink_to_the_project(box: Box) -> None:
    """`-p link` where link points at the project builds into the project's build/."""
    (box.base / "link").symlink_to(box.root, target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local"]\n')
    result = run_cli("build", "-p", box.base / "link")
    assert result.code == 0, result.output
    assert "model_name: good" in (box.root / "build/litellm/config.yaml").read_text()


def test_out_dir_that_is_a_symlink_loop(box: Box) -> None:
    (box.root / "build").symlink_to(box.root / "build", target_is_directory=True)
    box.project('[datumc]\ndatum_dirs = ["local"]\n')
    status, out = box.run_text("build")
    assert status == 1 and "build: error DC021" in out, out


def test_import_beside_a_datum_symlink_loop(box: Box, tmp_path: Path) -> None:
    target = box.root / "imported"
    (target / "datums").mkdir(parents=True)
    (target / "datums/loop.ai_model.toml").symlink_to(target / "datums/loop.ai_model.toml")
    config = tmp_path / "config.yaml"
    config.write_text("model_list:\n  - model_name: m\n    litellm_params:\n"
                      "      model: openai/m\n      api_key: os.environ/M_KEY\n")
    result = run_cli("import", config, "--out", target)
    assert result.code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
