"""Races: an edit saved while datumc writes is never lost.

The windows are stretched on purpose: the edit lands while the build stages its temp
files (before any rename), in the instant between the last check and a rename (an
editor writing through a file descriptor it opened earlier, so its bytes go to the
old inode), and while init-env replaces `.env`. Each time the edit must survive and
datumc must say so, and no temp file may stay behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datumc.diagnostics import Diagnostic
from datumc.pipeline import compile_project
from datumc.write import HAND_EDITED, initenv
from datumc.write.atomic import replace_if_unchanged, write_temp
from datumc.write.writer import Opener, apply_writes, build_lock, default_open, plan_writes
from tests.conftest import run_cli
from tests.helpers.reliability import TwoVersions, temps

CONFIG = "litellm/config.yaml"
EDIT = b"\n# saved by an editor while the build ran\n"


@pytest.fixture
def twov(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", 4)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    proj.switch(2)
    return proj


def _apply(proj: TwoVersions, opener: Opener = default_open) -> list[Diagnostic]:
    compiled = compile_project(proj.root)
    assert compiled.ok
    planned, conflicts = plan_writes(proj.out_dir, compiled.outputs)
    assert not conflicts
    with build_lock(proj.out_dir):
        return apply_writes(proj.out_dir, planned, opener=opener).diagnostics


def test_an_edit_saved_while_temps_are_staged_is_kept(twov: TwoVersions) -> None:
    target = twov.out_dir / CONFIG
    before = {p: p.read_bytes() for p in twov.out_dir.rglob("*") if p.is_file()}

    def editing_opener(path: Path, mode: int) -> int:
        if path.name.startswith(".config.yaml."):
            with target.open("ab") as fh:  # the editor saves now
                fh.write(EDIT)
        return default_open(path, mode)

    diags = _apply(twov, editing_opener)
    assert [d.code for d in diags] == [HAND_EDITED]
    assert target.read_bytes().endswith(EDIT)
    unchanged = [p for p in before if p != target and p.name != ".datumc-manifest.json"]
    assert all(p.read_bytes() == before[p] for p in unchanged), "another file was renamed"
    assert temps(twov.out_dir) == []


def test_bytes_written_to_the_old_file_during_its_rename_are_kept(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    path = tmp_path / "out.yaml"
    path.write_bytes(b"old\n")
    editor = path.open("ab")  # opened before: its writes go to the old inode
    tmp = write_temp(path, b"new\n", 0o644)
    real = Path.replace
    done: list[bool] = []

    def racing_replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target) == path and not done:  # the editor writes once, mid-rename
            done.append(True)
            editor.write(EDIT)
            editor.flush()
        return real(self, target)

    monkeypatch.setattr(Path, "replace", racing_replace)
    assert replace_if_unchanged(tmp, path, b"old\n") is False
    monkeypatch.undo()
    editor.close()
    assert path.read_bytes() == b"old\n" + EDIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]


def test_a_file_created_where_datumc_creates_one_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    tmp = write_temp(path, b"ours\n", 0o644)
    path.write_bytes(b"theirs\n")
    assert replace_if_unchanged(tmp, path, None) is False
    assert path.read_bytes() == b"theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.yaml"]


def test_a_line_appended_to_env_while_init_env_runs_is_kept(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    example = tmp_path / ".env.example"
    example.write_text("A=\nB=\n")
    env = tmp_path / ".env"
    env.write_text("A=1\n")
    env.chmod(0o600)
    plan = initenv.plan(example, env)
    real = Path.replace

    done: list[bool] = []

    def racing_replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target) == env and not done:
            done.append(True)
            with env.open("ab") as fh:
                fh.write(b"C=appended-meanwhile\n")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", racing_replace)
    with pytest.raises(Exception, match="changed while init-env was running"):
        initenv.apply(plan)
    monkeypatch.undo()
    assert env.read_text() == "A=1\nC=appended-meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env", ".env.example"]


def test_init_env_removes_the_temp_copy_a_killed_run_left(tmp_path: Path) -> None:
    example = tmp_path / ".env.example"
    example.write_text("A=\n")
    env = tmp_path / ".env"
    env.write_text("A=secret-value\n")
    env.chmod(0o600)
    dead = tmp_path / f"..env.{_dead_pid()}.0badc0de.datumc-tmp"
    dead.write_text("A=secret-value\n")
    initenv.apply(initenv.plan(example, env))
    assert not dead.exists()


def _dead_pid() -> int:
    pid = os.getpid() + 100_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_an_edit_saved_while_schema_writes_is_kept(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`datumc schema` writes as the build does: temp file, then a checked rename."""
    from datumc.commands import schema

    target = tmp_path / "datumc.schema.json"
    target.write_text("{}\n")
    real_write_temp = schema.write_temp

    def editing_write_temp(final: Path, content: bytes, mode: int) -> Path:
        tmp = real_write_temp(final, content, mode)
        if final == target:
            with target.open("ab") as fh:  # saved between the read and the rename
                fh.write(b"edited\n")
        return tmp

    monkeypatch.setattr(schema, "write_temp", editing_write_temp)
    result = run_cli("schema", "--dir", tmp_path)
    assert result.code == 1, result.output
    assert "changed while `datumc schema` was running" in result.stderr
    assert target.read_text() == "{}\nedited\n"
    assert not temps(tmp_path)


def test_schema_replaces_files_atomically_and_leaves_no_temp(tmp_path: Path) -> None:
    (tmp_path / "ai_model.schema.json").write_text("{}\n")
    inode = (tmp_path / "ai_model.schema.json").stat().st_ino
    assert run_cli("schema", "--dir", tmp_path).code == 0
    assert (tmp_path / "ai_model.schema.json").stat().st_ino != inode  # renamed, not rewritten
    assert run_cli("schema", "--dir", tmp_path, "--check").code == 0
    assert not temps(tmp_path)


RACE_RUNS = int(os.environ.get("DATUMC_RACE_RUNS", "20"))


def test_an_editor_saving_at_random_moments_never_loses_an_edit(tmp_path: Path) -> None:
    """Builds alternate between two versions while an editor thread appends a unique
    line to a random generated file at a random moment. Whether the save lands before
    the build reads, while it stages or renames, or after it finishes, the line must be
    in the file afterwards, and no temp file may stay behind."""
    import random
    import threading
    import time

    proj = TwoVersions(tmp_path / "proj", 4)
    proj.switch(1)
    started = time.monotonic()
    assert run_cli("build", cwd=proj.root).code == 0
    span = time.monotonic() - started  # saves are spread over one build's duration
    files = sorted(p for p in proj.out_dir.rglob("*") if p.is_file()
                   and not p.name.startswith(".datumc"))
    rng = random.Random(1234)
    outcomes = {"refused (hand edit found)": 0, "built, edit after": 0}
    for run in range(RACE_RUNS):
        proj.switch(2 if proj.current == 1 else 1)
        target, marker = rng.choice(files), f"\n# edit {run}\n".encode()
        delay = rng.uniform(0, span)

        def save(target: Path = target, marker: bytes = marker, delay: float = delay) -> None:
            time.sleep(delay)
            with target.open("ab") as fh:
                fh.write(marker)

        editor = threading.Thread(target=save)
        editor.start()
        code = run_cli("build", cwd=proj.root).code
        editor.join()
        assert marker in target.read_bytes(), f"run {run}: the edit to {target.name} was lost"
        assert temps(proj.out_dir) == []
        outcomes["built, edit after" if code == 0 else "refused (hand edit found)"] += 1
        assert code in (0, 1)
        assert run_cli("build", "--force", cwd=proj.root).code == 0  # start clean again
        for backup in proj.out_dir.rglob("*.bak*"):
            backup.unlink()
    print(f"\nrace figures: {RACE_RUNS} random saves during builds, none lost: {outcomes}")
