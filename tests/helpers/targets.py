"""Helpers for the deployment-target tests: build a project, read its outputs, run tools."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, require_tool, run_cli
from tests.helpers.golden import assert_golden

# A deployment that needs everything: Redis (workers, cache, replicas), Postgres.
SCALED_TOML = """\
[proxy]
port = 4100
workers = 2
database_url_env = "DATABASE_URL"
image = "ghcr.io/berriai/litellm:main-v1.106.0"

[router]
routing_strategy = "usage-based-routing-v2"

[cache]
type = "redis"
ttl = 300

[kubernetes]
namespace = "llm-gateway"
replicas = 3
redis = "bundled"
service_type = "LoadBalancer"

[kubernetes.resources.requests]
cpu = "500m"
memory = "1Gi"

[kubernetes.resources.limits]
cpu = "2"
memory = "2Gi"
"""


def copy_bundled(root: Path, project_toml: str | None = None) -> Path:
    """The repository's datums in `root`, with its datumc.toml or `project_toml`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "datums", root / "datums")
    if project_toml is None:
        shutil.copy(REPO / "datumc.toml", root / "datumc.toml")
    else:
        (root / "datumc.toml").write_text(project_toml, encoding="utf-8")
    return root


def build(root: Path, *args: str | Path) -> Path:
    """`datumc build ARGS` in `root`; fails the test on a non-zero exit. Returns build/."""
    result = run_cli("build", *args, cwd=root)
    assert result.code == 0, result.output
    return root / "build"


def tree(out: Path) -> dict[str, bytes]:
    """Every generated file under `out` (relative path -> bytes), bookkeeping excluded."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".datumc")
    }


def assert_tree_golden(out: Path, name: str, *prefixes: str) -> None:
    """Compare every file under `out` whose path starts with one of `prefixes`."""
    files = {k: v for k, v in tree(out).items() if k.startswith(prefixes)}
    assert files, f"no files under {out} match {prefixes}"
    for relpath, content in files.items():
        assert_golden(content, f"targets/{name}/{relpath}")


def tool(name: str, *args: str | Path, cwd: Path | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run an external tool installed by the `tools` extra (see require_tool)."""
    path = require_tool(name)
    proc = subprocess.run([path, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)
    if check:
        assert proc.returncode == 0, f"{name} {args}: {proc.stdout}{proc.stderr}"
    return proc


def yaml_docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize DIR`, parsed: the manifests kubectl would apply."""
    return yaml_docs(tool("kubectl", "kustomize", directory).stdout)


def by_kind(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind
             and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def require_module(name: str) -> ModuleType:
    """Import a validator library from the `tools` extra; like require_tool, a missing one
    skips locally and fails in CI (DATUMC_REQUIRE_TOOLS=1)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
            pytest.fail(f"required module '{name}' is not installed (scripts/test installs it)")
        pytest.skip(f"module '{name}' not installed")
