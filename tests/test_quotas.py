"""rpd_limit and the Prometheus files: what the build writes, read back by the real promtool.

With the prometheus callback, compose and podman get prometheus/prometheus.yml (one
scrape job on /metrics/, the master key from a credentials_file) and, for datums
with rpd_limit, prometheus/quota-rules.yml; Kubernetes gets the same groups in a
PrometheusRule next to its ServiceMonitor. promtool checks every file and runs unit
tests whose series cross each quota; DC408 and DC409 report quotas nothing watches.
The real proxy's own series drive the rules in tests/test_prometheus_e2e.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.plan.metrics import REQUESTS_SAMPLE
from tests.conftest import datum, require_tool, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.lint import lint_project, only
from tests.helpers.prometheus import (
    CRITICAL,
    WARNING,
    Alert,
    UnitTest,
    check_rules,
    rule_groups,
    rule_spec_file,
    run,
)

PROMETHEUS = '[litellm_settings]\ncallbacks = ["prometheus"]\n'
SERVICEMONITOR = '[kubernetes]\nmetrics = "servicemonitor"\n'
QUOTA = datum("quota", api_key_env="QUOTA_KEY", rpd_limit=1000, aliases=["quota-alias"])
ODD_NAME = 'odd{{name}}"\\.|*'.replace("*", "+")  # every escape at once, no wildcard
ODD = datum(ODD_NAME, api_key_env="QUOTA_KEY", rpd_limit=50)
PLAIN = datum("plain", api_key_env="QUOTA_KEY")
DATUMS = {"quota": QUOTA, "odd": ODD, "plain": PLAIN}
TARGET_DIRS = ("compose", "podman")


def _build(root: Path, *args: str) -> Path:
    result = run_cli("build", *args, cwd=root)
    assert result.code == 0, result.output
    return root / "build"


def _project(tmp_path: Path, project: str = PROMETHEUS + SERVICEMONITOR,
             datums: dict[str, str] | None = None) -> Path:
    return write_project(tmp_path / "proj", DATUMS if datums is None else datums, project)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(_project(tmp_path_factory.mktemp("quotas")))


def test_golden(built: Path) -> None:
    assert_golden((built / "compose/prometheus/prometheus.yml").read_bytes(),
                  "prometheus/prometheus.yml")
    assert_golden((built / "compose/prometheus/quota-rules.yml").read_bytes(),
                  "prometheus/quota-rules.yml")
    assert_golden((built / "kubernetes/prometheusrule.yaml").read_bytes(),
                  "prometheus/prometheusrule.yaml")


def test_podman_and_compose_carry_the_same_rules(built: Path) -> None:
    compose, podman = (built / f"{d}/prometheus" for d in TARGET_DIRS)
    assert (compose / "quota-rules.yml").read_bytes() == (podman / "quota-rules.yml").read_bytes()
    spec = yaml.safe_load((built / "kubernetes/prometheusrule.yaml").read_text())["spec"]
    assert spec["groups"] == rule_groups(compose / "quota-rules.yml")


def test_scrape_job_reads_metrics_with_the_key_from_a_file(built: Path) -> None:
    for directory in TARGET_DIRS:
        config = yaml.safe_load((built / f"{directory}/prometheus/prometheus.yml").read_text())
        assert config["rule_files"] == ["quota-rules.yml"]
        [job] = config["scrape_configs"]
        assert job["metrics_path"] == "/metrics/"
        assert job["static_configs"] == [{"targets": ["localhost:4000"]}]
        # The file, named after the env var, is the operator's: the key is never here.
        assert job["authorization"] == {"type": "Bearer",
                                        "credentials_file": "LITELLM_MASTER_KEY"}


def test_the_kustomization_applies_the_rules(built: Path) -> None:
    kustomization = yaml.safe_load((built / "kubernetes/kustomization.yaml").read_text())
    assert kustomization["resources"][-2:] == ["servicemonitor.yaml", "prometheusrule.yaml"]
    rule = yaml.safe_load((built / "kubernetes/prometheusrule.yaml").read_text())
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert rule["metadata"]["name"] == "litellm-quotas"


def test_promtool_reads_every_file(built: Path, tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    for directory in TARGET_DIRS:
        here = built / f"{directory}/prometheus"
        check_rules(promtool, here / "quota-rules.yml", 4)
        key = here / "LITELLM_MASTER_KEY"  # promtool stats the credentials file
        key.write_text("sk-not-a-real-key")
        try:
            output = run(promtool, "check", "config", here / "prometheus.yml")
        finally:
            key.unlink()
        assert "is valid prometheus config file syntax" in output
    spec = rule_spec_file(built / "kubernetes/prometheusrule.yaml", tmp_path / "spec.yml")
    check_rules(promtool, spec, 4)


def test_rules_fire_at_the_shares_of_the_quota(built: Path, tmp_path: Path) -> None:
    """quota (1000 a day) is asked for under its name and its alias, 20 requests a minute
    each: the warning fires at 800 requests (step 20) and not at 760, the critical one at
    1000 (step 25) and not at 960. The alias's earlier requests lie outside the window,
    and the other models, never asked for, stay quiet."""
    promtool = require_tool("promtool")
    rules = tmp_path / "quota-rules.yml"
    rules.write_bytes((built / "compose/prometheus/quota-rules.yml").read_bytes())
    name, alias, odd = (_series(n) for n in ("quota", "quota-alias", ODD_NAME))
    test = UnitTest(rules, {name: 0, alias: 700, odd: 49}, {name: 20, alias: 20})
    test.expect(19, WARNING, [])
    test.expect(20, WARNING, [Alert("quota", "warning", 1000, 800, 0.8)])
    test.expect(24, CRITICAL, [])
    test.expect(25, CRITICAL, [Alert("quota", "critical", 1000, 1000, 1.0)])
    test.expect_value(f"sum({_series('quota')}) + sum({_series('quota-alias')})", 700 + 400, 10)
    test.run(promtool)


def _names() -> st.SearchStrategy[str]:
    # `$` only before `]`: `$a` and `${` are shell syntax, refused everywhere (DC207).
    special = st.sampled_from([*'{}"\\.|+?()[]^-/: é', "{{", "}}", "$]", "e\u0301"])
    plain = st.sampled_from(list("abz09"))
    word = st.lists(st.one_of(special, plain), min_size=1, max_size=8).map("".join)
    return word.map(str.strip).filter(lambda s: bool(s) and "*" not in s)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_names(), min_size=2, max_size=4, unique=True))
def test_any_model_name_is_matched_exactly(tmp_path_factory: pytest.TempPathFactory,
                                           names: list[str]) -> None:
    """Whatever a name holds (quotes, backslashes, regex and template characters), the
    rule counts exactly its series, and its labels and summary show the name as is.
    Each model gets a decoy series whose name an unescaped regex would match (a `.`
    for every special character) that ramps too: counted, it would double the sum. The
    first model's alias is asked for too, but not ramped, so the regex path is taken."""
    promtool = require_tool("promtool")
    model, alias = names[0], names[1]  # the first datum has an alias: the regex path
    others = names[2:]
    datums = {f"d{i}": datum(n, litellm_model="openai/gpt-4o", api_key_env="QUOTA_KEY",
                             rpd_limit=10,
                             aliases=[alias] if i == 0 else [])
              for i, n in enumerate([model, *others])}
    root = _project(tmp_path_factory.mktemp("names"), PROMETHEUS, datums)
    rules = _build(root, "--target", "compose") / "compose/prometheus/quota-rules.yml"
    served = [model, alias, *others]
    series = {_series(n): 0 for n in served}
    series.update({_series(_decoy(n)): 0 for n in served if _decoy(n) not in served})
    ramped = {s: 1 for s in series if s != _series(alias)}
    test = UnitTest(rules, series, ramped)
    quotas = [model, *others]
    test.expect(7, WARNING, [])
    test.expect(8, WARNING, [Alert(n, "warning", 10, 8, 0.8) for n in quotas])
    test.expect(9, CRITICAL, [])
    test.expect(10, CRITICAL, [Alert(n, "critical", 10, 10, 1.0) for n in quotas])
    test.run(promtool)


def _series(name: str) -> str:
    """A series in promtool's notation, its label escaped independently of datumc (JSON's
    escapes are PromQL's)."""
    return f"{REQUESTS_SAMPLE}{{requested_model={json.dumps(name)}}}"


def _decoy(name: str) -> str:
    return re.sub(r"[^a-z0-9]", ".", name) if re.search(r"[^a-z0-9]", name) else name + "x"


def test_shares_come_from_quotas(tmp_path: Path) -> None:
    project = PROMETHEUS + "[quotas]\nwarn_share = 0.5\ncritical_share = 0.9\n"
    built = _build(_project(tmp_path, project), "--target", "compose")
    exprs = [r["expr"] for g in rule_groups(built / "compose/prometheus/quota-rules.yml")
             for r in g["rules"]]
    assert [e.rsplit(">= ", 1)[1] for e in exprs] == [
        "0.5 * 50", "0.9 * 50", "0.5 * 1000", "0.9 * 1000"]  # datums in path order


@pytest.mark.parametrize(("quotas", "where"), [
    ("warn_share = 0.9\ncritical_share = 0.9\n", "datumc.toml:"),
    ("warn_share = 1.0\n", "datumc.toml:4:"),
    ("critical_share = 1.5\n", "datumc.toml:4:"),
], ids=["critical-not-above-warn", "warn-at-one", "critical-above-one"])
def test_bad_shares_are_refused(tmp_path: Path, quotas: str, where: str) -> None:
    root = _project(tmp_path, PROMETHEUS + "[quotas]\n" + quotas)
    result = run_cli("build", "--target", "compose", cwd=root)
    assert result.code != 0
    assert where in result.output and "quotas" in result.output, result.output


def test_without_the_callback_nothing_is_written_and_dc408_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    built = _build(root)
    assert not (built / "compose/prometheus").exists()
    assert not (built / "podman/prometheus").exists()
    assert not (built / "kubernetes/prometheusrule.yaml").exists()
    found = only(lint_project(root), "DC408")
    assert sorted((Path(d.path).name, d.line) for d in found) == [
        ("odd.ai_model.toml", _line_of(ODD, "rpd_limit")),
        ("quota.ai_model.toml", _line_of(QUOTA, "rpd_limit"))]
    assert "rpd_limit = 1000 is not watched" in " ".join(d.message for d in found)


@pytest.mark.parametrize("project", [
    '[litellm_settings]\nsuccess_callback = "prometheus"\n',
    '[observability]\ncallbacks = ["prometheus"]\n',
], ids=["success_callback", "observability"])
def test_every_table_that_plans_the_callback_counts(tmp_path: Path, project: str) -> None:
    root = _project(tmp_path, project)
    built = _build(root, "--target", "podman")
    assert (built / "podman/prometheus/quota-rules.yml").is_file()
    assert only(lint_project(root), "DC408") == []


def test_public_metrics_need_no_credentials(tmp_path: Path) -> None:
    project = PROMETHEUS + "require_auth_for_metrics_endpoint = false\n"
    built = _build(_project(tmp_path, project), "--target", "compose")
    text = (built / "compose/prometheus/prometheus.yml").read_text()
    assert "authorization" not in yaml.safe_load(text)["scrape_configs"][0]
    assert "credentials" not in text


@pytest.mark.parametrize("kubernetes", ["", '[kubernetes]\nmetrics = "annotations"\n'])
def test_no_prometheusrule_without_the_operator(tmp_path: Path, kubernetes: str) -> None:
    project = PROMETHEUS + "require_auth_for_metrics_endpoint = false\n" + kubernetes
    built = _build(_project(tmp_path, project), "--target", "kubernetes")
    assert not (built / "kubernetes/prometheusrule.yaml").exists()
    assert "prometheusrule" not in (built / "kubernetes/kustomization.yaml").read_text()


def test_no_quota_no_rules_file(tmp_path: Path) -> None:
    built = _build(_project(tmp_path, PROMETHEUS + SERVICEMONITOR, {"plain": PLAIN}))
    config = yaml.safe_load((built / "compose/prometheus/prometheus.yml").read_text())
    assert "rule_files" not in config
    assert not (built / "compose/prometheus/quota-rules.yml").exists()
    assert not (built / "kubernetes/prometheusrule.yaml").exists()


UNOBSERVED = {
    "wildcard": ({"wild": datum("openai/*", api_key_env="K", rpd_limit=5)}, "", "wildcard"),
    "shared-group": ({
        "a": datum("a", api_key_env="K", rpd_limit=5, model_group="g"),
        "b": datum("b", api_key_env="K", model_group="g")}, "", "2 deployments serve 'g'"),
    "exclude-label": ({"a": datum("a", api_key_env="K", rpd_limit=5)},
                      'prometheus_exclude_labels = ["requested_model"]\n',
                      "prometheus_exclude_labels"),
    "exclude-metric": ({"a": datum("a", api_key_env="K", rpd_limit=5)},
                       'prometheus_exclude_metrics = ["litellm_proxy_total_requests_metric"]\n',
                       "prometheus_exclude_metrics"),
    "metrics-config": ({"a": datum("a", api_key_env="K", rpd_limit=5)},
                       '[[litellm_settings.prometheus_metrics_config]]\ngroup = "x"\n'
                       'metrics = ["litellm_proxy_total_requests_metric"]\n'
                       'include_labels = ["team"]\n', "include_labels"),
}


@pytest.mark.parametrize("case", list(UNOBSERVED))
def test_dc409_a_quota_the_counter_cannot_single_out(tmp_path: Path, case: str) -> None:
    datums, settings_, reason = UNOBSERVED[case]
    root = _project(tmp_path, PROMETHEUS + settings_, datums)
    found = only(lint_project(root), "DC409")
    assert len(found) == 1, found
    assert reason in found[0].message and "rpd_limit = 5 cannot be watched" in found[0].message
    text = next(t for t in datums.values() if "rpd_limit" in t)
    assert found[0].line == _line_of(text, "rpd_limit")
    built = _build(root, "--target", "compose")
    assert not (built / "compose/prometheus/quota-rules.yml").exists()


def test_rpd_limit_leaves_the_litellm_config_alone(tmp_path: Path) -> None:
    """LiteLLM has no daily limit: the field reaches no config.yaml key."""
    with_quota = _build(_project(tmp_path / "a", PROMETHEUS), "--target", "litellm")
    without = _build(_project(tmp_path / "b", PROMETHEUS, {
        "quota": datum("quota", api_key_env="QUOTA_KEY", aliases=["quota-alias"]),
        "odd": datum(ODD_NAME, api_key_env="QUOTA_KEY"), "plain": PLAIN}),
        "--target", "litellm")
    config = (with_quota / "litellm/config.yaml").read_text()
    assert config == (without / "litellm/config.yaml").read_text()
    assert "rpd" not in config


@pytest.mark.parametrize("value", [0, -1, "1000", 1.5])
def test_rpd_limit_is_a_positive_integer(tmp_path: Path, value: Any) -> None:
    text = datum("quota", api_key_env="K", rpd_limit=value)
    result = run_cli("build", "--target", "litellm", cwd=_project(tmp_path, PROMETHEUS,
                                                                  {"quota": text}))
    assert result.code != 0
    assert f"quota.ai_model.toml:{_line_of(text, 'rpd_limit')}:" in result.output, result.output


def _line_of(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(key))
