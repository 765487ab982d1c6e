"""Compiled templates kept between runs (render/bytecode.py) never change an output:
a build that compiles and stores them, one that loads them, one whose cache files are
damaged and one that cannot write its cache all write what a build without the cache
writes, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import datum, run_datumc, write_project
from datumc import usercache


def _built(root: Path, env: dict[str, str]) -> dict[str, bytes]:
    out = root / "build"
    result = run_datumc("build", "--out", out, "--force", cwd=root, env=env)
    assert result.code == 0, result.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", {
        "alpha": datum("alpha", fallbacks=["beta"], rpm_limit=10),
        "beta": datum("beta", provider="anthropic", litellm_model="anthropic/claude"),
    })


def test_cached_templates_write_what_compiled_ones_do(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    on = {usercache.DISABLE_ENV: "", usercache.DIR_ENV: str(cache)}
    expected = _built(project, {usercache.DISABLE_ENV: "1"})
    assert _built(project, on) == expected  # compiled, and stored
    stored = sorted(cache.glob("jinja-*/*"))
    assert stored, "no template was stored"
    assert _built(project, on) == expected  # loaded
    for path in stored:  # damaged: cut short, or another file's bytes
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert _built(project, on) == expected
    for path in sorted(cache.glob("jinja-*/*")):
        path.write_bytes(b"not a bytecode file")
    assert _built(project, on) == expected


def test_an_unwritable_template_cache_changes_nothing(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    expected = _built(project, {usercache.DISABLE_ENV: "1"})
    blocked = {usercache.DISABLE_ENV: "", usercache.DIR_ENV: str(blocker / "cache")}
    assert _built(project, blocked) == expected
