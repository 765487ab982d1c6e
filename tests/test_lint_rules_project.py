"""DC4xx rules owned by lint: datumc.toml pass-through sections and routing_strategy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from datumc.diagnostics import Severity
from tests.conftest import datum
from tests.helpers.lint import codes, lint_project, only

Project = Callable[..., Path]


def test_bundled_project_is_clean(bundled: Path) -> None:
    diags = lint_project(bundled)
    assert [d for d in diags if d.severity is not Severity.INFO] == []


def test_unknown_passthrough_keys_are_the_config_rules_at_their_lines(project: Project) -> None:
    """Formerly DC404: the config rules (DC202, DC205, DC204) on the planned config report
    datumc.toml keys at their own lines, in every profile."""
    root = project({"a": datum("a")}, (
        "[litellm_settings]\nrequest_timout = 600\n"
        "[general_settings]\nmaster_kye = 'x'\n"
        "[router]\nnum_retry = 2\n"
        "[profiles.prod.litellm_settings]\ndrop_param = true\n"))
    found = [d for d in lint_project(root) if d.code in ("DC202", "DC204", "DC205")]
    assert [(d.code, d.line, d.hint) for d in found] == [
        ("DC202", 2, "did you mean 'request_timeout'?"),
        ("DC205", 4, "did you mean 'master_key'?"),
        ("DC204", 6, "did you mean 'num_retries'?"),
        ("DC202", 8, "did you mean 'drop_params'?")]


def test_retired_dc404_still_silences_its_findings(project: Project) -> None:
    root = project({"a": datum("a")}, '[lint]\ndisable = ["DC404"]\n'
                   "[litellm_settings]\nrequest_timout = 600  # datumc: disable=DC404\n")
    assert lint_project(root) == []


def test_health_check_interval_in_router_is_an_error(project: Project) -> None:
    root = project({"a": datum("a")}, "[router]\nhealth_check_interval = 300\n")
    (found,) = only(lint_project(root), "DC214")  # formerly DC404
    assert found.severity is Severity.ERROR and "general_settings" in found.hint
    assert found.path.endswith("datumc.toml") and found.line == 2


def test_dc404_passes_on_known_keys(project: Project) -> None:
    root = project({"a": datum("a")}, (
        "[litellm_settings]\ndrop_params = true\nrequest_timeout = 600\n"
        "[general_settings]\nbackground_health_checks = true\nhealth_check_interval = 300\n"
        "[router]\nnum_retries = 2\nredis = false\nenable_pre_call_checks = true\n"))
    assert lint_project(root) == []


def test_router_extras_are_not_reported_as_ignored(project: Project) -> None:
    root = project({"a": datum("a")}, "[router]\nenable_pre_call_checks = true\n")
    assert "DC004" not in codes(lint_project(root))


@pytest.mark.parametrize(("value", "bad"), [("round-robin", True), ("least-busy", False),
                                            ("simple-shuffle", False)])
def test_dc405(project: Project, value: str, bad: bool) -> None:
    """Formerly DC405: DC208 on the planned config, at the datumc.toml line."""
    root = project({"a": datum("a")}, f'[router]\nrouting_strategy = "{value}"\n')
    assert ("DC208" in codes(lint_project(root))) is bad


def test_dc405_in_a_profile(project: Project) -> None:
    root = project({"a": datum("a")}, '[profiles.prod.router]\nrouting_strategy = "fastest"\n')
    (found,) = only(lint_project(root), "DC208")
    assert found.line == 2
