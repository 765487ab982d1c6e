"""The benchmark runs end to end at its smallest size. No timing assertions: speed is
measured and judged by bench/run.py itself, never by the test suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, datumc_env, require_tool

STATS_KEYS = {
    "command", "runs", "wall_median_s", "wall_min_s", "wall_max_s", "wall_s", "cpu_median_s",
    "peak_rss_mb", "peak_rss_median_mb", "exit_codes",
}
TARGET_KEYS = {
    "build_vs_baseline_at_1000", "build_growth_1000_to_10000", "lint_20_cold_s",
    "peak_rss_at_10000_mb", "noop_files_written",
}


def run_bench(tmp_path: Path, *extra: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "100", "--runs", "1",
         "--out", str(out), "--keep", str(tmp_path / "work"), *extra],
        cwd=tmp_path, env=datumc_env(), capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


def check_stats(stats: dict[str, Any]) -> None:
    assert stats.keys() >= STATS_KEYS
    assert stats["runs"] == 1
    assert stats["exit_codes"] == [0]
    assert stats["wall_median_s"] > 0
    assert stats["peak_rss_mb"] > 0


def test_bench_smallest_size(tmp_path: Path) -> None:
    results, table = run_bench(tmp_path, "--no-litellm")

    assert results["meta"]["sizes"] == [100]
    assert "litellm" in results["meta"]["targets"]
    size = results["sizes"]["100"]
    assert size["datums"] == 100
    for key in ("baseline", "build", "noop_build", "lint", "lint_20_in_project"):
        check_stats(size[key])
    for key in ("build", "noop_build", "lint", "lint_20_in_project"):
        assert size[key]["ratio_to_baseline"] > 0
    # Behaviour, not speed: the no-op rebuild was checked file by file.
    assert size["noop_build"]["files_written"] == 0, size["noop_build"]["written"]
    check_stats(results["version"])
    check_stats(results["lint_20"])
    assert results["litellm"] == {"skipped": "--no-litellm"}

    targets = results["targets"]
    assert targets.keys() == TARGET_KEYS
    assert targets["noop_files_written"] == {"value": 0, "limit": 0, "ok": True}
    assert "skipped" in targets["build_vs_baseline_at_1000"]  # 1,000 was not measured
    assert "| 100 | datumc build (all targets, from empty) |" in table

    # The headline: cold lint against the import floor, measured in the same rounds.
    check_stats(results["startup"]["import_floor"])
    check_stats(results["startup"]["lint_bundled"])
    check_stats(results["startup"]["lint_bundled_no_cache"])
    check_stats(results["startup"]["one_model"])
    check_stats(results["startup"]["datumc_models"])
    head = results["headline"]
    assert head.keys() == {"lint_vs_import_floor", "build_1000_vs_baseline", "lsp_recheck"}
    assert head["lint_vs_import_floor"]["ratio"] > 0
    assert head["lint_vs_import_floor"]["one_model_ratio"] > 0
    assert "one pydantic model defined" in table
    assert "skipped" in head["build_1000_vs_baseline"]  # 1,000 was not measured
    assert "Headline (each against a floor measured in this run):" in table


def test_bench_generates_the_same_files_for_the_same_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO))
    from bench.generate import generate

    first = generate(tmp_path / "a", 50, seed=7)
    second = generate(tmp_path / "b", 50, seed=7)
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


@pytest.mark.slow
def test_bench_litellm_comparison(tmp_path: Path) -> None:
    require_tool("litellm")
    results, table = run_bench(tmp_path)

    lit = results["litellm"]
    assert lit["datums"] == 100
    check_stats(lit["datumc_lint"])
    check_stats(lit["litellm_validate_config"])
    assert lit["ratio_datumc_to_litellm"] > 0
    assert "litellm --config config.yaml --validate_config" in table
