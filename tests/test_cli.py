"""CLI surface: help, version, explain, lint output shape, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from datumc import __version__
from tests.conftest import datum, run_cli, run_datumc


def test_version_and_help(tmp_path: Path) -> None:
    result = run_datumc("--version", cwd=tmp_path)
    assert result.code == 0
    assert __version__ in result.stdout
    help_text = run_cli("--help").stdout
    for command in ("build", "lint", "explain", "schema"):
        assert command in help_text


def test_explain_known_and_unknown() -> None:
    result = run_cli("explain", "DC004")
    assert result.code == 0
    assert "unknown-key" in result.stdout
    assert "Bad:" in result.stdout and "Good:" in result.stdout
    assert run_cli("explain", "unknown-key").stdout == result.stdout
    assert run_cli("explain", "DC999").code == 2
    listing = run_cli("explain")
    assert listing.code == 0 and "DC001" in listing.stdout


def test_lint_json_shape_and_positions(project) -> None:
    root = project({"a": datum("a", rpm_limt=5), "b": datum("b", enabled=False)})
    result = run_cli("lint", "--format", "json", "datums", cwd=root)
    assert result.code == 0
    body = json.loads(result.stdout)
    assert set(body) == {"diagnostics", "summary"}
    assert body["summary"] == {"error": 0, "warning": 1, "info": 1}
    for diag in body["diagnostics"]:
        assert set(diag) == {"code", "severity", "message", "path", "line", "column", "hint"}
        assert diag["line"] >= 1 and diag["column"] >= 1
    warning = next(d for d in body["diagnostics"] if d["severity"] == "warning")
    assert warning["path"] == "datums/a.ai_model.toml"
    assert warning["code"] == "DC004"


def test_lint_exit_codes(project) -> None:
    root = project({"a": datum("a", rpm_limt=5)})
    assert run_cli("lint", cwd=root).code == 0
    assert run_cli("lint", "--strict", cwd=root).code == 1
    bad = project({"b": datum("b", rpm_limit="x")})
    assert run_cli("lint", cwd=bad).code == 1
    assert run_cli("lint", "--format", "nope", cwd=bad).code == 2


def test_text_format(project) -> None:
    root = project({"a": datum("a", rpm_limt=5)})
    result = run_cli("lint", cwd=root)
    first = result.stdout.splitlines()[0]
    assert first.startswith("datums/a.ai_model.toml:")
    assert ": warning DC004 unknown key 'rpm_limt'" in first
    assert "    hint: did you mean 'rpm_limit'?" in result.stdout


def test_inline_suppression_and_project_levels(project) -> None:
    text = datum("a").replace(
        'provider = "openai"', 'provider = "openai"\nrpm_limt = 5  # datumc: disable=DC004'
    )
    root = project({"a": text})
    assert "DC004" not in run_cli("lint", cwd=root).stdout
    root2 = project({"a": datum("a", rpm_limt=5)}, '[lint.severity]\nunknown-key = "error"\n')
    assert run_cli("lint", cwd=root2).code == 1
    root3 = project({"a": datum("a", rpm_limt=5)}, '[lint]\ndisable = ["DC004"]\n')
    assert "DC004" not in run_cli("lint", cwd=root3).stdout
