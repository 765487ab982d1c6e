"""DC401 image-not-pinned, DC402 compromised-image, DC403 replicas-without-redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datumc.lint.rules.compromised_image import is_compromised
from datumc.plan.images import ImageRef
from tests.conftest import run_cli
from tests.helpers.targets import copy_bundled


def _lint(root: Path) -> list[dict[str, object]]:
    result = run_cli("lint", "--format", "json", cwd=root)
    diagnostics: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return diagnostics


def _codes(root: Path, code: str) -> list[dict[str, object]]:
    return [d for d in _lint(root) if d["code"] == code]


@pytest.mark.parametrize(("image", "repository", "tag", "digest"), [
    ("ghcr.io/berriai/litellm:main-v1.106.0", "ghcr.io/berriai/litellm", "main-v1.106.0", None),
    ("localhost:5000/litellm", "localhost:5000/litellm", None, None),
    ("localhost:5000/litellm:1.2", "localhost:5000/litellm", "1.2", None),
    ("litellm@sha256:abc", "litellm", None, "sha256:abc"),
    ("r.io/l:main-latest@sha256:abc", "r.io/l", "main-latest", "sha256:abc"),
])
def test_image_reference_parsing(image: str, repository: str, tag: str | None,
                                 digest: str | None) -> None:
    assert ImageRef.parse(image) == ImageRef(repository, tag, digest)


@pytest.mark.parametrize(("image", "warned"), [
    ("ghcr.io/berriai/litellm:main-latest", True),
    ("ghcr.io/berriai/litellm:latest", True),
    ("ghcr.io/berriai/litellm:main-stable", True),
    ("ghcr.io/berriai/litellm", True),
    ("localhost:5000/litellm", True),
    ("ghcr.io/berriai/litellm:main-v1.106.0", False),
    ("ghcr.io/berriai/litellm:v1.106.0-stable", False),
    ("ghcr.io/berriai/litellm@sha256:" + "a" * 64, False),
    ("ghcr.io/berriai/litellm:main-latest@sha256:" + "a" * 64, False),
])
def test_dc401_image_not_pinned(tmp_path: Path, image: str, warned: bool) -> None:
    toml = f'[proxy]\nport = 4000\nimage = "{image}"\n'
    root = copy_bundled(tmp_path / "proj", toml)
    found = _codes(root, "DC401")
    assert bool(found) == warned
    if warned:
        (diag,) = found
        assert diag["severity"] == "warning"
        assert (diag["path"], diag["line"], diag["column"]) == ("datumc.toml", 3, 9)
        assert "sha256" in str(diag["hint"])
        assert run_cli("build", cwd=root).code == 0, "a warning does not stop the build"


@pytest.mark.parametrize(("image", "compromised"), [
    ("ghcr.io/berriai/litellm:main-v1.107.0", True),
    ("ghcr.io/berriai/litellm:v1.107.3-stable", True),
    ("ghcr.io/berriai/litellm:1.107", True),
    ("ghcr.io/berriai/litellm-database:main-v1.107.1", True),
    ("ghcr.io/berriai/litellm:main-v1.107.2@sha256:" + "b" * 64, True),
    ("ghcr.io/berriai/litellm:main-v1.106.0", False),
    ("ghcr.io/berriai/litellm:main-v1.108.0", False),
    ("ghcr.io/berriai/litellm:main-v11.107.0", False),
    ("ghcr.io/berriai/litellm:1.1070", False),
    ("example.com/other-proxy:1.107.0", False),
])
def test_dc402_compromised_image(image: str, compromised: bool) -> None:
    assert is_compromised(image) == compromised


def test_dc402_is_an_error_that_stops_the_build(tmp_path: Path) -> None:
    toml = '[proxy]\nimage = "ghcr.io/berriai/litellm:main-v1.107.0"\n'
    root = copy_bundled(tmp_path / "proj", toml)
    (diag,) = _codes(root, "DC402")
    assert diag["severity"] == "error"
    assert (diag["line"], diag["column"]) == (2, 9)
    result = run_cli("build", cwd=root)
    assert result.code == 1 and "DC402" in result.stderr
    assert not (root / "build").exists()


def test_images_in_every_profile_are_checked(tmp_path: Path) -> None:
    toml = """\
[proxy]
image = "ghcr.io/berriai/litellm:main-v1.106.0"

[profiles.edge.proxy]
image = "ghcr.io/berriai/litellm:main-latest"

[profiles.bad.proxy]
image = "ghcr.io/berriai/litellm:main-v1.107.1"
"""
    root = copy_bundled(tmp_path / "proj", toml)
    diags = _lint(root)
    assert [(d["code"], d["line"]) for d in diags if d["code"] in ("DC401", "DC402")] == [
        ("DC401", 5), ("DC402", 8)]


@pytest.mark.parametrize(("toml", "line"), [
    ("[kubernetes]\nreplicas = 3\n", 2),
    ('[kubernetes]\nreplicas = 2\nredis = "bundled"\n', None),
    ('[kubernetes]\nreplicas = 2\nredis = "external"\n', None),
    ("[router]\nredis = true\n[kubernetes]\nreplicas = 2\n", None),
    ("[proxy]\nworkers = 2\n[kubernetes]\nreplicas = 2\n", None),
    # LiteLLM keeps router state in the cache's Redis (tests/test_shared_state.py).
    ('[cache]\ntype = "redis"\n[kubernetes]\nreplicas = 2\n', None),
    ('[cache]\ntype = "local"\n[kubernetes]\nreplicas = 2\n', 4),
    ("[kubernetes]\nreplicas = 1\n", None),
    ("[profiles.prod.kubernetes]\nreplicas = 4\n", 2),
])
def test_dc403_replicas_without_redis(tmp_path: Path, toml: str, line: int | None) -> None:
    root = copy_bundled(tmp_path / "proj", toml)
    found = _codes(root, "DC403")
    assert [d["line"] for d in found] == ([line] if line else [])
    if line:
        assert found[0]["severity"] == "error"
        assert "bundled" in str(found[0]["hint"]) and "external" in str(found[0]["hint"])
        assert run_cli("build", cwd=root).code == 1


@pytest.mark.parametrize("replicas", [2, 3])
def test_dc403_message_gives_the_measured_factor(tmp_path: Path, replicas: int) -> None:
    """The figure is the one tests/test_shared_state.py measures against the real proxy."""
    root = copy_bundled(tmp_path / "proj", f"[kubernetes]\nreplicas = {replicas}\n")
    [found] = _codes(root, "DC403")
    message = str(found["message"])
    assert message.startswith(f"{replicas} replicas without Redis: each replica counts")
    assert "measured on LiteLLM 1.106.0: 2 replicas let through 2x rpm_limit" in message
    assert f"up to {replicas}x the limits" in message


def test_rules_can_be_suppressed_and_relevelled(tmp_path: Path) -> None:
    toml = ('[proxy]\nimage = "ghcr.io/berriai/litellm:latest"  # datumc: disable=DC401\n'
            "[kubernetes]\nreplicas = 3\n[lint]\ndisable = [\"replicas-without-redis\"]\n")
    root = copy_bundled(tmp_path / "proj", toml)
    assert not [d for d in _lint(root) if d["code"] in ("DC401", "DC403")]


@pytest.mark.parametrize("code", ["DC401", "DC402", "DC403"])
def test_rules_are_explained(code: str) -> None:
    result = run_cli("explain", code)
    assert result.code == 0
    assert "Why:" in result.stdout and "Bad:" in result.stdout and "Good:" in result.stdout
    assert "(default: " in result.stdout and "project)" in result.stdout


def test_bundled_project_is_clean(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    assert not [d for d in _lint(root) if str(d["code"]).startswith("DC4")]
