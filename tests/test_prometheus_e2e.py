"""The quota rules against the real LiteLLM proxy and the real Prometheus.

One proxy (prometheus callback on) serves a built project whose datum `quota` has
rpd_limit = 10 and an alias. Chats go to the fake upstream under the name and the
alias. Then:

* /metrics/ answers 401 without the master key and 200 with it (LiteLLM 1.106 needs
  no premium license for it), which is why prometheus.yml sends the key;
* the scrape, parsed by prometheus_client's own parser, has the counter the rules
  read, labelled with the names the client asked for;
* `promtool test rules` runs the generated rules on the recorded series: each born
  with its scraped value (as LiteLLM creates a series at its first request), the
  model's series then gaining a request a minute. The warning (8 = 0.8 x 10) fires
  at the step where the scraped count plus the ramp reaches 8, not one step before;
  the critical alert at 10;
* a real Prometheus runs the generated prometheus.yml (the credentials file holding
  the key, a shorter scrape interval), scrapes the proxy, loads the rules and
  evaluates the rules' own requests expression to the scraped count.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.plan.metrics import REQUESTS_METRIC, REQUESTS_SAMPLE
from tests.conftest import datum, require_tool, run_cli, write_project
from tests.helpers.prometheus import (
    CRITICAL,
    WARNING,
    Alert,
    UnitTest,
    requests_selector,
    rule_groups,
)
from tests.helpers.proxy import (
    LOOPBACK,
    MASTER_KEY_ENV,
    Proxy,
    free_port,
    launch,
    marker,
    start_proxy,
    stop_process,
)
from tests.helpers.upstream import Upstream

pytestmark = pytest.mark.e2e

KEY_ENV = "QUOTA_UPSTREAM_KEY"
BASE_ENV = "QUOTA_UPSTREAM_BASE"
RPD_LIMIT = 10
ASKED = {"quota": 3, "quota-alias": 2, "other": 1}  # chats per requested name
PROJECT = '[litellm_settings]\ncallbacks = ["prometheus"]\n'


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream("quota") as up:
        yield up


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    common = {"provider": "openai_compatible", "api_base_env": BASE_ENV, "api_key_env": KEY_ENV}
    return write_project(tmp_path_factory.mktemp("quota") / "project", {
        "quota": datum("quota", litellm_model="openai/quota-model", rpd_limit=RPD_LIMIT,
                       aliases=["quota-alias"], **common),
        "other": datum("other", litellm_model="openai/other-model", **common),
    }, PROJECT)


@pytest.fixture(scope="module")
def proxy(root: Path, upstream: Upstream) -> Iterator[Proxy]:
    litellm = require_tool("litellm")
    built = run_cli("build", "--target", "litellm", cwd=root)
    assert built.code == 0, built.output
    env = {KEY_ENV: "sk-quota-upstream-key", BASE_ENV: upstream.v1}
    running = start_proxy(litellm, root / "build/litellm/config.yaml", env=env, workdir=root)
    for model, count in ASKED.items():
        for _ in range(count):
            reply = running.chat(model, marker(), timeout=60)
            assert reply.status == 200, f"{reply}\n{running.tail()}"
    yield running
    running.stop()


@pytest.fixture(scope="module")
def rules(root: Path, proxy: Proxy) -> Path:
    """build/compose/prometheus/, built for the port the proxy listens on."""
    port = urllib.parse.urlsplit(proxy.url).port
    (root / "datumc.toml").write_text(f"{PROJECT}[proxy]\nport = {port}\n")
    built = run_cli("build", "--target", "compose", cwd=root)
    assert built.code == 0, built.output
    return root / "build/compose/prometheus/quota-rules.yml"


@pytest.fixture(scope="module")
def scraped(proxy: Proxy) -> dict[str, float]:
    """The counter's series in one scrape: PromQL notation -> value."""
    # Installed with the proxy (datumc[proxy]), which only the end-to-end tests need.
    from prometheus_client.parser import text_string_to_metric_families

    reply = proxy.get("/metrics/")
    assert reply.status == 200, reply
    out = {}
    for family in text_string_to_metric_families(reply.text):
        if family.name != REQUESTS_METRIC:
            continue
        for sample in family.samples:
            if sample.name == REQUESTS_SAMPLE:
                labels = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(sample.labels.items()))
                out[f"{sample.name}{{{labels}}}"] = sample.value
    return out


def test_metrics_need_the_master_key(proxy: Proxy) -> None:
    assert proxy.get("/metrics/", key=None).status == 401
    assert proxy.get("/metrics/", key="sk-not-the-master-key").status == 401
    assert proxy.get("/metrics/").status == 200


def test_the_counter_carries_the_requested_names(scraped: dict[str, float]) -> None:
    counts: dict[str, float] = {}
    for series, value in scraped.items():
        model = _label(series, "requested_model")
        counts[model] = counts.get(model, 0) + value
    for model, count in ASKED.items():
        assert counts.get(model) == count, scraped


def test_the_rules_fire_on_the_scraped_series(rules: Path, scraped: dict[str, float]) -> None:
    """Scraped: 5 requests for quota (3 + 2 under its alias). Ramped by one a minute, it
    reaches the warning's 8 at step 3 and the critical 10 at step 5."""
    promtool = require_tool("promtool")
    own = [s for s in scraped if _label(s, "requested_model") == "quota"]
    assert len(own) == 1, scraped
    asked = ASKED["quota"] + ASKED["quota-alias"]
    test = UnitTest(rules, {}, {own[0]: 1}, born=scraped)
    test.expect_value(f"sum({requests_selector(rules, 'quota')})", asked)
    warn_at, critical_at = 8 - asked, RPD_LIMIT - asked
    test.expect(warn_at - 1, WARNING, [])
    test.expect(warn_at, WARNING, [Alert("quota", "warning", RPD_LIMIT, 8, 0.8)])
    test.expect(critical_at - 1, CRITICAL, [])
    test.expect(critical_at, CRITICAL, [Alert("quota", "critical", RPD_LIMIT, 10, 1.0)])
    test.run(promtool)


def test_a_real_prometheus_scrapes_with_the_generated_config(
    rules: Path, proxy: Proxy, tmp_path: Path,
) -> None:
    prometheus = require_tool("prometheus")
    here = rules.parent
    key = here / MASTER_KEY_ENV  # the credentials file, written by the operator
    key.write_text(proxy.key)
    key.chmod(0o600)
    config = yaml.safe_load((here / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    fast = here / "prometheus-fast.yml"  # the generated job, scraped every second
    fast.write_text(yaml.safe_dump(config))
    web = f"{LOOPBACK}:{free_port()}"
    argv = [prometheus, f"--config.file={fast}", f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address={web}"]
    process = launch(argv, env={"PATH": "/usr/bin:/bin"}, log=tmp_path / "prometheus.log",
                     cwd=tmp_path)
    try:
        target = _wait(web, "targets", lambda d: d["activeTargets"] and all(
            t["health"] == "up" for t in d["activeTargets"]), tmp_path)
        assert target["activeTargets"][0]["scrapeUrl"].endswith("/metrics/")
        groups = _wait(web, "rules", lambda d: d["groups"] and all(
            r["health"] == "ok" for g in d["groups"] for r in g["rules"]), tmp_path)
        assert [r["name"] for r in groups["groups"][0]["rules"]] == [WARNING, CRITICAL]
        expr = _rule_requests(rules)
        result = _wait(web, "query?" + urllib.parse.urlencode({"query": expr}),
                       lambda d: bool(d["result"]), tmp_path)
        # increase() alone would say 0 here: the series were born before the first scrape.
        assert float(result["result"][0]["value"][1]) == ASKED["quota"] + ASKED["quota-alias"]
    finally:
        stop_process(process)
        with contextlib.suppress(FileNotFoundError):
            key.unlink()


def _rule_requests(rules: Path) -> str:
    """The left side of the warning rule: the model's requests over the last 24 h."""
    [group] = rule_groups(rules)
    expr: str = group["rules"][0]["expr"]
    return expr.rsplit(" >= ", 1)[0]


def _wait(web: str, path: str, ready: Any, tmp_path: Path, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    data: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(f"http://{web}/api/v1/{path}", timeout=5) as reply:
                data = json.load(reply)["data"]
            if ready(data):
                return data
        time.sleep(0.5)
    log = (tmp_path / "prometheus.log").read_text(errors="replace")[-3000:]
    raise AssertionError(f"Prometheus /api/v1/{path} not ready: {data}\n{log}")


def _label(series: str, name: str) -> str:
    """A label's value in a series written as `metric{k="v",...}` (JSON-escaped values)."""
    body = series[series.index("{") + 1:-1]
    decoder = json.JSONDecoder()
    at = 0
    while at < len(body):
        key, _, rest = body[at:].partition("=")
        value, end = decoder.raw_decode(rest)
        if key == name:
            return str(value)
        at += len(key) + 1 + end + 1
    raise KeyError(name)

