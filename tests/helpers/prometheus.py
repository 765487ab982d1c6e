"""The real promtool on datumc's Prometheus files: check config, check rules, and unit
tests (`promtool test rules`) whose series ramp a model's requests across its quota.

The unit tests lay out time so that `increase(...[24h])` is exact: every series is
constant for longer than the window (its first sample in the window is at the window's
start, so Prometheus extrapolates nothing), then the ramped ones add requests at a
fixed rate: at RAMP_START + k minutes a series ramped by r has k * r in the window.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Minutes of constant values before the ramp: more than the 24 h (1440 min) window.
CONSTANT_MINUTES = 1500
RAMP_START = CONSTANT_MINUTES + 1
RAMP_MINUTES = 30
WARNING = "LiteLLMDailyQuotaWarning"
CRITICAL = "LiteLLMDailyQuotaCritical"


def run(promtool: str, *args: str | Path, cwd: Path | None = None) -> str:
    """Run promtool; fail the test with its output unless it succeeds."""
    proc = subprocess.run([promtool, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"promtool {' '.join(map(str, args))}:\n{output}"
    return output


def check_rules(promtool: str, path: Path, count: int) -> None:
    output = run(promtool, "check", "rules", path)
    assert f"SUCCESS: {count} rules found" in output, output


def rule_groups(path: Path) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = yaml.safe_load(path.read_text())["groups"]
    return groups


def rule_spec_file(prometheusrule: Path, out: Path) -> Path:
    """The PrometheusRule's spec (its rule groups) as a plain rules file."""
    spec = yaml.safe_load(prometheusrule.read_text())["spec"]
    out.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return out


def requests_selector(rule_file: Path, model: str) -> str:
    """The series selector inside the warning rule of `model` (the rule's own text)."""
    for group in rule_groups(rule_file):
        for rule in group["rules"]:
            if rule["alert"] == WARNING and rule["labels"]["model"] == model:
                found = re.fullmatch(r"sum\(\(increase\((.*)\[24h\]\) and .*", rule["expr"])
                assert found, rule["expr"]
                return found.group(1)
    raise AssertionError(f"no warning rule for {model!r} in {rule_file}")


@dataclass
class Alert:
    model: str  # as the rule labels it, after template expansion: the model name
    severity: str
    rpd_limit: int
    requests: int  # the value the summary prints
    share: float

    def expected(self) -> dict[str, Any]:
        summary = (f'Model "{self.model}": {self.requests} requests in the last 24 h: at '
                   f"least {self.share:.0%} of its rpd_limit of {self.rpd_limit} a day, "
                   "which LiteLLM does not enforce.")
        return {"exp_labels": {"severity": self.severity, "model": self.model,
                               "rpd_limit": str(self.rpd_limit)},
                "exp_annotations": {"summary": summary}}


@dataclass
class UnitTest:
    """One `promtool test rules` file: series, and the alerts expected at ramp steps."""

    rule_file: Path
    constant: Mapping[str, float]  # series (PromQL notation) -> its value before any ramp
    ramped: Mapping[str, int]  # series -> requests it gains a minute after RAMP_START
    # series -> its value at RAMP_START, where it starts (no sample before, as a series
    # LiteLLM creates at a client's first request): counted whole, not from its first sample
    born: Mapping[str, float] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    exprs: list[dict[str, Any]] = field(default_factory=list)

    def expect(self, step: int, alertname: str, alerts: Iterable[Alert]) -> None:
        """At RAMP_START + step minutes, `alertname` fires exactly for `alerts`."""
        self.checks.append({"eval_time": f"{RAMP_START + step}m", "alertname": alertname,
                            "exp_alerts": [a.expected() for a in alerts]})

    def expect_value(self, expr: str, value: float, step: int = 0) -> None:
        """`expr` evaluates to one sample with no labels and this value."""
        self.exprs.append({"expr": expr, "eval_time": f"{RAMP_START + step}m",
                           "exp_samples": [{"labels": "{}", "value": value}]})

    def document(self) -> dict[str, Any]:
        series = []
        for name, value in [*self.constant.items(), *self.born.items()]:
            start = f"{value:g}+0x{CONSTANT_MINUTES}" if name in self.constant else \
                f"_x{CONSTANT_MINUTES + 1}"
            rest = f"{value:g}+{self.ramped.get(name, 0)}x{RAMP_MINUTES}"
            series.append({"series": name, "values": f"{start} {rest}"})
        test: dict[str, Any] = {"interval": "1m", "input_series": series,
                                "alert_rule_test": self.checks}
        if self.exprs:
            test["promql_expr_test"] = self.exprs
        return {"rule_files": [self.rule_file.name], "evaluation_interval": "1m",
                "tests": [test]}

    def run(self, promtool: str) -> str:
        path = self.rule_file.with_name("quota-test.yml")
        path.write_text(yaml.safe_dump(self.document(), allow_unicode=True, width=1 << 16))
        output = run(promtool, "test", "rules", path.name, cwd=path.parent)
        assert "SUCCESS" in output, output
        return output
