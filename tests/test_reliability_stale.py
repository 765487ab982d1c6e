"""Stale outputs: a file datumc wrote that no target generates any more is removed (the
hand-edit rule applies to it like to any output), and `build --check` reports it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import datum, run_cli, write_project


def _project(root: Path, container: str) -> Path:
    return write_project(root, {"a": datum("a", api_key_env="OPENAI_API_KEY")},
                         f'[proxy]\ncontainer_name = "{container}"\n')


def _units(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "build/podman").glob("*.container"))


def test_a_renamed_unit_replaces_the_old_one(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "llm-one")
    assert run_cli("build", cwd=root).code == 0
    assert _units(root) == ["llm-one.container"]
    _project(root, "llm-two")
    check = run_cli("build", "--check", cwd=root)
    assert check.code == 1 and "llm-one.container (remove)" in check.stderr
    built = run_cli("build", cwd=root)
    assert built.code == 0 and "removed build/podman/llm-one.container" in built.stdout
    assert _units(root) == ["llm-two.container"]
    assert run_cli("build", "--check", cwd=root).code == 0


def test_an_edited_stale_file_is_kept_until_forced(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "llm-one")
    assert run_cli("build", cwd=root).code == 0
    old = root / "build/podman/llm-one.container"
    old.write_text(old.read_text() + "# my tweak\n")
    _project(root, "llm-two")
    refused = run_cli("build", cwd=root)
    assert refused.code == 1 and "error DC020" in refused.stderr
    assert "no longer generated" in refused.stderr and old.exists()
    forced = run_cli("build", "--force", cwd=root)
    assert forced.code == 0 and not old.exists()
    assert (old.with_name(old.name + ".bak")).read_text().endswith("# my tweak\n")


def test_building_one_target_leaves_the_others_alone(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "llm-one")
    assert run_cli("build", cwd=root).code == 0
    before = sorted(p.relative_to(root) for p in (root / "build").rglob("*") if p.is_file())
    assert run_cli("build", "--target", "podman", cwd=root).code == 0
    after = sorted(p.relative_to(root) for p in (root / "build").rglob("*") if p.is_file())
    assert after == before
