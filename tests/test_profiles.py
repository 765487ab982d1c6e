"""Profiles: [profiles.NAME] overlays datumc.toml; `build --profile NAME` writes build/NAME/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.helpers.targets import build, by_kind, copy_bundled, kustomize, tree

PROFILES = """\
[proxy]
port = 4000

[kubernetes]
namespace = "litellm"

[profiles.dev.proxy]
port = 4000

[profiles.staging.proxy]
port = 4001
image = "ghcr.io/berriai/litellm:main-v1.105.0"

[profiles.staging.kubernetes]
namespace = "litellm-staging"
replicas = 2
redis = "bundled"

[profiles.named.proxy]
container_name = "gateway"
"""


def test_profile_writes_its_own_directory_with_its_settings(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", PROFILES)
    build(root, "--profile", "staging")
    out = root / "build" / "staging"
    assert not (root / "build" / "litellm").exists(), "only build/staging/ is written"
    files = tree(out)
    assert {"litellm/config.yaml", "podman/run.sh", "podman/litellm-staging.container",
            "compose/compose.yaml", "kubernetes/kustomization.yaml",
            "kubernetes/redis.yaml"} <= set(files)
    script = files["podman/run.sh"].decode()
    assert "name=litellm-staging\n" in script and "port=4001\n" in script
    assert "image=ghcr.io/berriai/litellm:main-v1.105.0\n" in script
    assert "env_file=\"$here\"/../../../.env\n" in script, "the env file is the project's"
    compose = yaml.safe_load(files["compose/compose.yaml"])
    assert compose["name"] == "litellm-staging", "dev and staging compose projects differ"
    assert compose["services"]["litellm"]["ports"] == ["4001:4001"]
    assert "redis" in compose["services"]
    docs = kustomize(out / "kubernetes")
    deployment = by_kind(docs, "Deployment", "litellm-staging")
    assert deployment["metadata"]["namespace"] == "litellm-staging"
    assert deployment["spec"]["replicas"] == 2
    config = yaml.safe_load(files["litellm/config.yaml"])
    assert config["router_settings"]["redis_host"] == "os.environ/REDIS_HOST"


def test_base_and_profiles_side_by_side(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", PROFILES)
    build(root)
    build(root, "--profile", "dev")
    build(root, "--profile", "staging")
    base = (root / "build" / "podman" / "run.sh").read_text()
    dev = (root / "build" / "dev" / "podman" / "run.sh").read_text()
    assert "name=litellm\n" in base and "name=litellm-dev\n" in dev
    base_config = (root / "build" / "litellm" / "config.yaml").read_bytes()
    assert (root / "build" / "dev" / "litellm" / "config.yaml").read_bytes() == base_config
    assert (root / "build" / "staging" / "litellm" / "config.yaml").read_bytes() != base_config
    assert run_cli("build", "--check", "--profile", "staging", cwd=root).code == 0
    assert run_cli("build", "--check", cwd=root).code == 0


def test_profile_that_names_the_container_keeps_the_name(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", PROFILES)
    out = build(root, "--profile", "named") / "named"
    assert (out / "podman" / "gateway.container").is_file()
    assert "name=gateway\n" in (out / "podman" / "run.sh").read_text()


def test_profile_with_out_writes_where_asked(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", PROFILES)
    out = tmp_path / "elsewhere"
    assert run_cli("build", "--profile", "staging", "--out", out, cwd=root).code == 0
    assert (out / "podman" / "run.sh").is_file()
    assert not (root / "build").exists()


def test_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", PROFILES)
    result = run_cli("build", "--profile", "prod", cwd=root)
    assert result.code == 2
    assert "unknown profile 'prod'" in result.stderr
    assert "dev, named, staging" in result.stderr
    assert not (root / "build").exists()


def test_profile_without_project_file_is_a_usage_error(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    (root / "datumc.toml").unlink()
    result = run_cli("build", "--profile", "dev", cwd=root)
    assert result.code == 2
    assert "no datumc.toml" in result.stderr


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bad_profile_value_is_reported_at_its_line_whichever_profile_is_built(
        tmp_path: Path) -> None:
    toml = PROFILES + "\n[profiles.broken.proxy]\nport = 99999\nprot = 1\n"
    root = copy_bundled(tmp_path / "proj", toml)
    line = _line_of(toml, "port = 99999")
    for args in ((), ("--profile", "dev"), ("--profile", "broken")):
        result = run_cli("build", *args, cwd=root)
        assert result.code == 1, args
        assert f"datumc.toml:{line}:8: error DC003 profiles.broken.proxy.port" in result.stderr
        assert f"datumc.toml:{line + 1}:1: warning DC004 unknown key 'prot' in " \
               "[profiles.broken.proxy]" in result.stderr
        assert "did you mean 'port'?" in result.stderr
    assert not (root / "build").exists()


@pytest.mark.parametrize(("toml", "message"), [
    ('[profiles."Staging Env".proxy]\nport = 1\n', "is not a valid profile name"),
    ('[profiles."../../etc".proxy]\nport = 1\n', "is not a valid profile name"),
    ("[profiles.x.profiles.y.proxy]\nport = 1\n", "a profile cannot define profiles"),
    ('[profiles.x.kubernetes]\nnamespace = "Not_Valid"\n', "is not a valid Kubernetes namespace"),
])
def test_invalid_profiles(tmp_path: Path, toml: str, message: str) -> None:
    root = copy_bundled(tmp_path / "proj", toml)
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert message in result.stderr
    assert "datumc.toml:" in result.stderr


def test_profile_lists_and_tables_merge_deeply(tmp_path: Path) -> None:
    toml = """\
[router]
num_retries = 3
routing_strategy = "simple-shuffle"

[profiles.fast.router]
num_retries = 0
"""
    root = copy_bundled(tmp_path / "proj", toml)
    out = build(root, "--profile", "fast", "--target", "litellm") / "fast"
    router = yaml.safe_load((out / "litellm" / "config.yaml").read_text())["router_settings"]
    assert router["num_retries"] == 0
    assert router["routing_strategy"] == "simple-shuffle", "keys the profile leaves alone stay"
