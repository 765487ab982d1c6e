"""rpm_limit / tpm_limit turn on LiteLLM's enforcement check (see docs/e2e.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import datum
from datumc.pipeline import analyse
from datumc.plan.router import ENFORCE_LIMITS


def router(root: Path) -> dict[str, Any]:
    compiled = analyse(root)
    assert compiled.ok and compiled.config is not None, compiled.diagnostics
    settings: dict[str, Any] = compiled.config.data.get("router_settings", {})
    return settings


@pytest.mark.parametrize("limit", [{"rpm_limit": 10}, {"tpm_limit": 1000}])
def test_a_limit_enables_enforcement(project: Callable[..., Path],
                                     limit: dict[str, int]) -> None:
    root = project({"a": datum("a", **limit), "b": datum("b")})
    assert router(root)["optional_pre_call_checks"] == [ENFORCE_LIMITS]


def test_no_limit_no_check(project: Callable[..., Path]) -> None:
    root = project({"a": datum("a"), "b": datum("b", rpm_limit=5, enabled=False)})
    assert "optional_pre_call_checks" not in router(root)


def test_checks_from_the_project_are_kept(project: Callable[..., Path]) -> None:
    root = project({"a": datum("a", rpm_limit=5)},
                   '[router]\noptional_pre_call_checks = ["prompt_caching"]\n')
    assert router(root)["optional_pre_call_checks"] == ["prompt_caching", ENFORCE_LIMITS]
