"""Hand edits: detected through the manifest, never overwritten without --force, shown
as a diff; --force keeps every edited version; a lost or corrupt manifest loses nothing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from datumc.write.writer import MANIFEST
from tests.conftest import run_cli
from tests.helpers.reliability import TwoVersions, snapshot

CONFIG = "litellm/config.yaml"
ENV = "litellm/.env.example"
SECRET = "sk-proj-Zq8xW2vY7tR4pL1mN6bH3cK9dJ5fG0aS3210"


@pytest.fixture
def proj(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", 6)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    return proj


def _edit(proj: TwoVersions, rel: str, old: bytes, new: bytes) -> bytes:
    path = proj.out_dir / rel
    data = path.read_bytes()
    assert old in data
    edited = data.replace(old, new, 1)
    path.write_bytes(edited)
    return edited


@pytest.fixture
def with_routing(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", 6, project_toml="[router]\nnum_retries = 1\n")
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    return proj


@pytest.mark.parametrize("inputs_change", [True, False])
def test_hand_edit_is_kept_and_the_diff_shown(with_routing: TwoVersions,
                                             inputs_change: bool) -> None:
    proj = with_routing
    edited = _edit(proj, CONFIG, b"num_retries: 1", b"num_retries: 7  # my change")
    before = snapshot(proj.out_dir)
    if inputs_change:
        proj.switch(2)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 1
    assert f"build/{CONFIG}: error DC020" in result.stderr
    assert "edited by hand" in result.stderr
    assert f"--- build/{CONFIG} (on disk)" in result.stderr
    assert f"+++ build/{CONFIG} (datumc)" in result.stderr
    if not inputs_change:  # the diff is exactly the edit
        assert "-  num_retries: 7  # my change" in result.stderr
        assert "+  num_retries: 1" in result.stderr
    assert "--force" in result.stderr
    assert (proj.out_dir / CONFIG).read_bytes() == edited
    assert snapshot(proj.out_dir) == before, "another output was written"


def test_force_keeps_a_backup_and_never_overwrites_an_earlier_one(
    with_routing: TwoVersions,
) -> None:
    proj = with_routing
    first = _edit(proj, CONFIG, b"num_retries: 1", b"num_retries: 2")
    proj.switch(2)
    assert run_cli("build", "--force", cwd=proj.root).code == 0
    bak = proj.out_dir / (CONFIG + ".bak")
    assert bak.read_bytes() == first
    second = _edit(proj, CONFIG, b"num_retries: 1", b"num_retries: 3")
    proj.switch(1)
    result = run_cli("build", "--force", cwd=proj.root)
    assert result.code == 0, result.output
    assert bak.read_bytes() == first, "the first backup was overwritten"
    assert (proj.out_dir / (CONFIG + ".bak.1")).read_bytes() == second
    assert f"kept your edited version as build/{CONFIG}.bak.1" in result.stderr
    # forcing again over the very same edit reuses the identical backup
    (proj.out_dir / CONFIG).write_bytes(second)
    proj.switch(2)
    assert run_cli("build", "--force", cwd=proj.root).code == 0
    assert not (proj.out_dir / (CONFIG + ".bak.2")).exists()


def test_filled_in_env_example_is_masked_in_the_diff_and_backed_up_0600(
    proj: TwoVersions,
) -> None:
    env = proj.out_dir / ENV
    filled = env.read_bytes().replace(b"LITELLM_MASTER_KEY=", f"LITELLM_MASTER_KEY={SECRET}"
                                      .encode())
    env.write_bytes(filled)
    env.chmod(0o644)  # and made readable by others, by hand
    result = run_cli("build", cwd=proj.root)
    assert result.code == 1
    assert SECRET not in result.output
    assert SECRET[8:-4] not in result.output
    assert "LITELLM_MASTER_KEY=sk-p…3210" in result.output
    assert run_cli("build", "--force", cwd=proj.root).code == 0
    bak = proj.out_dir / (ENV + ".bak")
    assert bak.read_bytes() == filled, "the user's secret was dropped"
    assert stat.S_IMODE(bak.stat().st_mode) == 0o600
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_secret_pasted_into_config_is_masked_in_the_diff(proj: TwoVersions) -> None:
    _edit(proj, CONFIG, b"api_key: os.environ/OPENAI_API_KEY_V1",
          f"api_key: {SECRET}".encode())
    result = run_cli("build", cwd=proj.root)
    assert result.code == 1
    assert SECRET not in result.output
    assert "api_key: sk-p…3210" in result.output


def test_deleted_output_is_recreated(proj: TwoVersions) -> None:
    expected = snapshot(proj.out_dir)
    (proj.out_dir / CONFIG).unlink()
    result = run_cli("build", cwd=proj.root)
    assert result.code == 0, result.output
    assert snapshot(proj.out_dir) == expected


def test_a_users_own_file_at_a_new_output_path_is_not_overwritten(tmp_path: Path) -> None:
    proj = TwoVersions(tmp_path / "proj", 3)
    proj.switch(1)
    mine = b"# my hand-written LiteLLM config\nmodel_list: []\n"
    (proj.out_dir / "litellm").mkdir(parents=True)
    (proj.out_dir / CONFIG).write_bytes(mine)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 1
    assert "DC020" in result.stderr and "no record of writing it" in result.stderr
    assert (proj.out_dir / CONFIG).read_bytes() == mine
    assert not (proj.out_dir / ENV).exists(), "all or nothing: the other file was written"


# -- the manifest lost or damaged ---------------------------------------------------------


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xffnot json")


def _wrong_shape(path: Path) -> None:
    path.write_text(json.dumps({"files": ["litellm/config.yaml"]}))


def _wrong_types(path: Path) -> None:
    path.write_text(json.dumps({"files": {"litellm/config.yaml": "abc", "x": [1, None]}}))


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:25])


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _symlink_to_device(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")  # reading it naively never ends


def _deleted(path: Path) -> None:
    path.unlink()


DAMAGE = {f.__name__.lstrip("_"): f for f in (
    _garbage, _wrong_shape, _wrong_types, _truncated, _directory, _symlink_to_device, _deleted,
)}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_manifest_loses_no_data(proj: TwoVersions, damage: str) -> None:
    edited = _edit(proj, CONFIG, b"generated by datumc", b"generated by datumc (and me)")
    DAMAGE[damage](proj.out_dir / MANIFEST)
    proj.switch(2)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (proj.out_dir / CONFIG).read_bytes() == edited, "a hand edit was overwritten"
    if damage != "directory":
        assert "DC020" in result.stderr


@pytest.mark.parametrize("damage", ["garbage", "deleted", "symlink_to_device"])
def test_damaged_manifest_is_rebuilt_when_nothing_changed(proj: TwoVersions, damage: str) -> None:
    expected = snapshot(proj.out_dir)
    DAMAGE[damage](proj.out_dir / MANIFEST)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 0, result.output
    assert snapshot(proj.out_dir) == expected
    manifest = proj.out_dir / MANIFEST
    assert manifest.is_file() and not manifest.is_symlink()
    assert set(json.loads(manifest.read_text())["files"]) == set(expected)


def test_damaged_manifest_then_force_keeps_backups(proj: TwoVersions) -> None:
    before = snapshot(proj.out_dir)
    (proj.out_dir / MANIFEST).unlink()
    proj.switch(2)
    blocked = run_cli("build", cwd=proj.root)
    assert blocked.code == 1
    assert f"{MANIFEST} is missing" in blocked.stderr
    assert run_cli("build", "--force", cwd=proj.root).code == 0
    after = snapshot(proj.out_dir)
    changed = [rel for rel, data in before.items() if after[rel] != data]
    assert changed
    for rel in changed:
        assert (proj.out_dir / (rel + ".bak")).read_bytes() == before[rel]


def test_check_reports_a_hand_edit_and_writes_nothing(proj: TwoVersions) -> None:
    _edit(proj, CONFIG, b"generated by datumc", b"edited")
    before = snapshot(proj.out_dir)
    result = run_cli("build", "--check", cwd=proj.root)
    assert result.code == 1
    assert "config.yaml (conflict)" in result.stderr
    assert snapshot(proj.out_dir) == before
