"""The TARGETS registry and what every target shares."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datumc.resources import templates_dir
from datumc.targets import TARGETS
from datumc.validate.project import ALL_TARGETS, Project
from tests.conftest import run_cli
from tests.helpers.targets import SCALED_TOML, build, copy_bundled, tree

BUNDLED_FILES = {
    "litellm/config.yaml", "litellm/.env.example",
    "podman/run.sh", "podman/litellm.container",
    "compose/compose.yaml",
    "kubernetes/kustomization.yaml", "kubernetes/config.yaml", "kubernetes/deployment.yaml",
    "kubernetes/service.yaml", "kubernetes/secret.template.yaml",
}


def test_registry_names_and_templates() -> None:
    # Every target, the default ones first; helm (values for LiteLLM's chart) only on
    # request; clients on request or with a [clients] table.
    assert tuple(TARGETS) == (*ALL_TARGETS, "helm", "clients")
    for name, target in TARGETS.items():
        assert target.name == name
        for template in target.templates:
            assert template.startswith(f"{name}/")
            assert (templates_dir() / template).is_file(), template


def test_default_build_is_every_target(tmp_path: Path) -> None:
    assert Project().datumc.targets == list(ALL_TARGETS)
    out = build(copy_bundled(tmp_path / "proj"))
    assert set(tree(out)) == BUNDLED_FILES


def test_a_single_target_brings_the_config_it_runs(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"), "--target", "kubernetes")
    assert {p.split("/")[0] for p in tree(out)} == {"litellm", "kubernetes"}


def test_project_can_choose_its_default_targets(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", '[datumc]\ntargets = ["litellm", "compose"]\n')
    out = build(root)
    assert {p.split("/")[0] for p in tree(out)} == {"litellm", "compose"}


@pytest.mark.parametrize("toml", [None, SCALED_TOML], ids=["bundled", "scaled"])
def test_no_secret_value_reaches_any_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            toml: str | None) -> None:
    secret = "sk-live-0123456789abcdef-NEVER"
    for name in ("LITELLM_MASTER_KEY", "OPENAI_API_KEY", "REDIS_PASSWORD", "DATABASE_URL",
                 "ANTHROPIC_API_KEY"):
        monkeypatch.setenv(name, secret)
    root = copy_bundled(tmp_path / "proj", toml)
    (root / ".env").write_text(f"OPENAI_API_KEY={secret}\n")
    result = run_cli("build", cwd=root)
    assert result.code == 0
    assert secret not in result.output
    for relpath, content in tree(root / "build").items():
        assert secret.encode() not in content, relpath


def test_all_targets_are_byte_stable_and_rebuilds_write_nothing(tmp_path: Path) -> None:
    first = build(copy_bundled(tmp_path / "one", SCALED_TOML))
    second = build(copy_bundled(tmp_path / "two", SCALED_TOML))
    assert tree(first) == tree(second), "outputs do not depend on where the project lives"
    stamps = _stamps(first)
    again = run_cli("build", cwd=first.parent)
    assert again.code == 0 and "wrote" not in again.stdout
    assert _stamps(first) == stamps


def _stamps(out: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file() and p.name != ".datumc.lock"}


def test_hand_edited_deployment_file_is_not_overwritten(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    compose = out / "compose" / "compose.yaml"
    compose.write_text(compose.read_text() + "# my tweak\n")
    (root / "datumc.toml").write_text((root / "datumc.toml").read_text().replace(
        "port = 4000\nmaster_key_env", "port = 4010\nmaster_key_env"))
    result = run_cli("build", cwd=root)
    assert result.code == 1 and "DC020" in result.stderr
    assert compose.read_text().endswith("# my tweak\n")


def test_scripts_keep_their_mode(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"))
    assert os.access(out / "podman" / "run.sh", os.X_OK)
    assert not os.access(out / "compose" / "compose.yaml", os.X_OK)
