"""The results table (Markdown, so docs/bench.md can show it as printed) and the targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The targets of the performance issue; docs/bench.md explains each.
BUILD_VS_BASELINE_AT_1000 = 3.0
# The headline's goals: a cold `datumc lint` of the bundled project against
# `python -c "import pydantic, click"`, and a 1,000-datum build against the baseline.
HEADLINE_LINT_VS_IMPORT_FLOOR = 1.7
HEADLINE_BUILD_VS_BASELINE = 2.0
GROWTH_1000_TO_10000 = 11.0
LINT_20_COLD_S = 0.35
PEAK_RSS_AT_10000_MB = 300.0
NOOP_FILES_WRITTEN = 0

_ROWS = (
    ("baseline", "baseline: tomllib + PyYAML CDumper"),
    ("build", "datumc build (all targets, from empty)"),
    ("noop_build", "datumc build (no change)"),
    ("lint", "datumc lint"),
    ("lint_20_in_project", "datumc lint FILE x20 (pre-commit, whole project loaded)"),
)


@dataclass(frozen=True)
class Targets:
    results: dict[str, Any]

    def _size(self, count: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.results["sizes"].get(str(count))
        return found

    def evaluate(self) -> dict[str, Any]:
        return {
            "build_vs_baseline_at_1000": self._ratio_1000(),
            "build_growth_1000_to_10000": self._growth(),
            "lint_20_cold_s": _check(self.results["lint_20"]["wall_median_s"], LINT_20_COLD_S),
            "peak_rss_at_10000_mb": self._peak(),
            "noop_files_written": self._noop(),
        }

    def _ratio_1000(self) -> dict[str, Any]:
        size = self._size(1_000)
        if size is None:
            return {"skipped": "1,000 datums not measured"}
        return _check(size["build"]["ratio_to_baseline"], BUILD_VS_BASELINE_AT_1000)

    def _growth(self) -> dict[str, Any]:
        small, large = self._size(1_000), self._size(10_000)
        if small is None or large is None:
            return {"skipped": "1,000 and 10,000 datums not both measured"}
        if small.get("targets") != large.get("targets"):
            return {"skipped": "10,000 datums are built without the kubernetes and helm "
                    "targets (a config over 1 MiB does not fit a ConfigMap)"}
        growth = large["build"]["wall_median_s"] / small["build"]["wall_median_s"]
        return _check(round(growth, 2), GROWTH_1000_TO_10000)

    def _peak(self) -> dict[str, Any]:
        size = self._size(10_000)
        if size is None:
            return {"skipped": "10,000 datums not measured"}
        peak = max(size[key]["peak_rss_mb"] for key in ("build", "noop_build", "lint"))
        return {"value": peak, "limit": PEAK_RSS_AT_10000_MB, "ok": peak < PEAK_RSS_AT_10000_MB}

    def _noop(self) -> dict[str, Any]:
        written = sum(s["noop_build"]["files_written"] for s in self.results["sizes"].values())
        return _check(written, NOOP_FILES_WRITTEN)


def _check(value: float, limit: float) -> dict[str, Any]:
    return {"value": value, "limit": limit, "ok": value <= limit}


def _row(datums: str, what: str, stats: dict[str, Any], ratio: str) -> str:
    return (f"| {datums} | {what} | {stats['wall_median_s']:.3f} s | "
            f"{stats['cpu_median_s']:.3f} s | {ratio} | {stats['peak_rss_mb']:.0f} MB |")


def table(results: dict[str, Any]) -> str:
    lines = [
        "| datums | command | wall (median) | CPU (median) | ratio | peak RSS |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for count, size in results["sizes"].items():
        shown = f"{int(count):,}"
        every = results["meta"].get("targets", [])
        left_out = [t for t in every if t not in size.get("targets", every)]
        for key, what in _ROWS:
            stats = size[key]
            if key == "build" and left_out:
                what = what.replace("all targets", f"all targets but {', '.join(left_out)}")
            ratio = "1.00x" if key == "baseline" else f"{stats['ratio_to_baseline']:.2f}x base"
            if key == "noop_build":
                what += f" [{stats['files_written']} files written]"
            lines.append(_row(shown, what, stats, ratio))
    lines.append(_row("-", "datumc --version (cold start)", results["version"], ""))
    lines.append(_row("20", "datumc lint FILE x20 (pre-commit, 20-datum project)",
                      results["lint_20"], ""))
    lines.extend(_litellm_rows(results["litellm"]))
    return "\n".join([*lines, "", *_target_lines(results["targets"]), "",
                      *headline_lines(results["headline"])])


def headline_lines(head: dict[str, Any]) -> list[str]:
    """The three figures side by side, each against a floor measured in the same run."""
    lines = ["Headline (each against a floor measured in this run):"]
    lint = head["lint_vs_import_floor"]
    what = 'cold `datumc lint` (bundled project) / `python -c "import pydantic, click"`'
    lines.append(_ratio_line(what, lint, "lint_wall_median_s", "floor_wall_median_s",
                             HEADLINE_LINT_VS_IMPORT_FLOOR))
    if "no_cache_ratio" in lint:
        lines.append(f"    every rule run (`--no-cache`): {lint['no_cache_ratio']:.2f}x "
                     f"({lint['no_cache_wall_median_s']:.3f} s)")
    if "one_model_ratio" in lint:
        lines.append(f"    for scale, before any datum is read: one pydantic model defined "
                     f"{lint['one_model_ratio']:.2f}x, datumc's models built "
                     f"{lint['datumc_models_ratio']:.2f}x")
    build = head["build_1000_vs_baseline"]
    what = "`datumc build`, 1,000 datums / baseline (tomllib + PyYAML CDumper)"
    lines.append(_ratio_line(what, build, "build_wall_median_s", "baseline_wall_median_s",
                             HEADLINE_BUILD_VS_BASELINE))
    lsp = head["lsp_recheck"]
    what = "`datumc lsp` re-check after an edit (didChange -> publishDiagnostics)"
    if "skipped" in lsp:
        lines.append(f"  {what}: skipped ({lsp['skipped']})")
    else:
        lines.append(f"  {what}, {lsp['datums']:,} datums: median "
                     f"{lsp['recheck_median_s'] * 1000:.0f} ms over {lsp['changes']} edits")
    return lines


def _ratio_line(what: str, found: dict[str, Any], ours: str, floor: str, limit: float) -> str:
    if "skipped" in found:
        return f"  {what}: skipped ({found['skipped']})"
    mark = "PASS" if found["ratio"] <= limit else "FAIL"
    return (f"  {what}: {found['ratio']:.2f}x ({found[ours]:.3f} s / {found[floor]:.3f} s), "
            f"goal <= {limit}x: {mark}")


def _litellm_rows(lit: dict[str, Any]) -> list[str]:
    if "skipped" in lit:
        return [f"| - | LiteLLM comparison skipped: {lit['skipped']} | | | | |"]
    shown = f"{lit['datums']:,}"
    ratio = f"{lit['ratio_datumc_to_litellm']:.3f}x LiteLLM"
    return [
        _row(shown, "datumc lint config.yaml", lit["datumc_lint"], ratio),
        _row(shown, "litellm --config config.yaml --validate_config",
             lit["litellm_validate_config"], "1.00x"),
    ]


_TARGET_TEXT = {
    "build_vs_baseline_at_1000": "build at 1,000 datums / baseline <= {limit}x",
    "build_growth_1000_to_10000": "build time 10,000 / 1,000 datums <= {limit}x",
    "lint_20_cold_s": "lint 20 datums, cold <= {limit} s",
    "peak_rss_at_10000_mb": "peak memory at 10,000 datums < {limit} MB",
    "noop_files_written": "files written by no-op rebuilds == {limit}",
}


def _target_lines(targets: dict[str, Any]) -> list[str]:
    lines = ["Targets:"]
    for key, result in targets.items():
        if "skipped" in result:
            lines.append(f"  SKIP {_TARGET_TEXT[key].format(limit='?')}: {result['skipped']}")
            continue
        mark = "PASS" if result["ok"] else "FAIL"
        lines.append(f"  {mark} {_TARGET_TEXT[key].format(limit=result['limit'])}: "
                     f"{result['value']}")
    return lines
