"""Snapshots of the pinned LiteLLM, committed under compiler/datumc/data/ and written by a
script in scripts/: the committed file must be what its script produces now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


def assert_snapshot_current(script: Path, snapshot: Path) -> None:
    """Run `script`'s build() and render() on the installed LiteLLM and compare."""
    pytest.importorskip("litellm", reason="needs the pinned LiteLLM (the `proxy` extra)")
    spec = importlib.util.spec_from_file_location(script.stem, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render(module.build()) == snapshot.read_text(encoding="utf-8"), (
        f"regenerate with: python scripts/{script.name}")
