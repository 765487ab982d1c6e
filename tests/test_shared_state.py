"""State shared between proxy replicas through a real Redis, measured.

Four builds of the same datums (tests/helpers/replicas.py), each run as real LiteLLM
proxies on loopback in front of fake upstreams (tests/helpers/upstream.py), every
Redis a real redis-server of its own (tests/helpers/redis_server.py):

* `shared`: `[router] redis = true` and `[cache] type = "redis"`. Two replicas on the
  one generated config.yaml, the first with two workers (`--num_workers 2`), both given
  the Redis through REDIS_HOST, REDIS_PORT and REDIS_PASSWORD, the names the build's
  .env.example lists.
* `alone`: the same datums with `[router] redis = false` and a local cache. Two
  single-process replicas whose environment names no Redis at all.
* `cache-only`: `[router] redis = false` with `[cache] type = "redis"` read from
  CACHE_REDIS_*: one proxy. Does the router keep its counters in the cache's Redis?
* `env-only`: the `alone` config, one proxy with REDIS_* in its environment only.

Every figure is printed and written to reports/shared_state.json; docs/e2e.md
("Shared state") quotes them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, require_tool, run_cli
from helpers.proxy import Proxy, Reply, marker
from helpers.redis_server import RedisServer, start_redis
from helpers.replicas import Replicas, launch_replicas, shared_state_stack
from helpers.stacks import Stack

pytestmark = pytest.mark.e2e

LIMIT = 5  # rpm_limit of the `limited` datum
ALLOWED_FAILS = 1  # [router] allowed_fails: the second failure in a minute benches
COOLDOWN = 120  # [router] cooldown_time, seconds: outlasts the cooldown tests
# LiteLLM re-reads a cooldown key from Redis at most once a second per process
# (litellm/constants.py DEFAULT_COOLDOWN_REDIS_READ_INTERVAL_SECONDS).
REDIS_READ_INTERVAL = 1.0
PROBES = 20  # requests a replica sends to the pool after another replica benched pool-a
REPORT = REPO / "reports" / "shared_state.json"
CACHE_KEY = re.compile(r"[0-9a-f]{64}")  # LiteLLM's response cache keys: a sha256, unprefixed


@dataclass
class Cluster:
    stack: Stack
    proxies: list[Proxy]
    redis: RedisServer | None

    @property
    def live_redis(self) -> RedisServer:
        assert self.redis is not None
        return self.redis

    def tails(self) -> str:
        return "\n".join(p.tail(25) for p in self.proxies)


class Report:
    """The figures of this module, rewritten to reports/shared_state.json as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {
            "litellm": importlib.metadata.version("litellm"),
            "rpm_limit": LIMIT,
        }

    def record(self, section: str, values: dict[str, Any]) -> None:
        self.data[section] = values
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".json.tmp")
        temp.write_text(json.dumps(self.data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        temp.replace(self.path)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> Report:
    return Report(REPORT)


@dataclass(frozen=True)
class Spec:
    router_redis: bool
    cache: str
    workers: tuple[int, ...]
    redis_prefix: str | None  # the proxies' Redis variables; None: no Redis in their env


SPECS = {
    "shared": Spec(router_redis=True, cache="redis", workers=(2, 1), redis_prefix="REDIS"),
    "alone": Spec(router_redis=False, cache="local", workers=(1, 1), redis_prefix=None),
    # The cache's Redis under other names: no REDIS_* variable reaches the proxy.
    "cache-only": Spec(router_redis=False, cache="redis", workers=(1,),
                       redis_prefix="CACHE_REDIS"),
    # The `alone` config, with REDIS_* in the environment but nowhere in config.yaml.
    "env-only": Spec(router_redis=False, cache="local", workers=(1,), redis_prefix="REDIS"),
}


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory,
             report: Report) -> Iterator[dict[str, Cluster]]:
    """Every proxy of the module, started together: they load LiteLLM in parallel."""
    litellm, redis_server = require_tool("litellm"), require_tool("redis-server")
    base = tmp_path_factory.mktemp("shared-state")
    servers: list[RedisServer] = []
    stacks: list[Stack] = []
    groups: dict[str, tuple[Stack, Replicas, RedisServer | None]] = {}
    try:
        for name, spec in SPECS.items():
            prefix, redis = spec.redis_prefix, None
            if prefix is not None:
                redis = start_redis(redis_server, base / f"{name}-redis")
                servers.append(redis)
            stack = shared_state_stack(
                base / name, router_redis=spec.router_redis, cache=spec.cache,
                rpm_limit=LIMIT, allowed_fails=ALLOWED_FAILS, cooldown_time=COOLDOWN,
                redis_prefix=prefix or "REDIS",
                redis_env=None if redis is None or prefix is None else redis.env(prefix))
            stacks.append(stack)
            groups[name] = (stack, launch_replicas(
                litellm, stack.config, env=stack.env, workdir=stack.root,
                workers=spec.workers, name=name), redis)
        started = {name: Cluster(stack, group.wait(), redis)
                   for name, (stack, group, redis) in groups.items()}
        report.record("setup", {
            name: {"workers_per_replica": list(spec.workers),
                   "router_redis": spec.router_redis, "cache": spec.cache,
                   "redis_env": spec.redis_prefix} for name, spec in SPECS.items()})
        yield started
    finally:
        for _, group, _ in groups.values():
            group.stop()
        for server in servers:
            server.stop()
        for stack in stacks:
            stack.close()


@pytest.fixture(scope="module")
def shared(clusters: dict[str, Cluster]) -> Cluster:
    return clusters["shared"]


@pytest.fixture(scope="module")
def alone(clusters: dict[str, Cluster]) -> Cluster:
    return clusters["alone"]


@pytest.fixture(scope="module")
def cache_only(clusters: dict[str, Cluster]) -> Cluster:
    return clusters["cache-only"]


@pytest.fixture(scope="module")
def env_only(clusters: dict[str, Cluster]) -> Cluster:
    return clusters["env-only"]


@pytest.fixture(autouse=True)
def healthy(clusters: dict[str, Cluster]) -> Iterator[None]:
    for cluster in clusters.values():
        cluster.stack.reset()
    yield
    for cluster in clusters.values():
        cluster.stack.reset()
        for proxy in cluster.proxies:
            assert proxy.alive(), f"a proxy died during the test\n{proxy.tail()}"


Note = Callable[[str, str, dict[str, Any]], None]


@pytest.fixture
def note(report: Report, capsys: pytest.CaptureFixture[str]) -> Note:
    """Record a figure in the report and print it, even under pytest's capture."""

    def record(section: str, line: str, values: dict[str, Any]) -> None:
        report.record(section, values)
        with capsys.disabled():
            print(f"\n  [shared state] {line}", flush=True)

    return record


# -- helpers -------------------------------------------------------------------------------


def _utc_minute() -> str:
    return time.strftime("%H-%M", time.gmtime())


def _fresh_minute(needed: float = 15.0) -> None:
    """LiteLLM counts rpm per UTC clock minute: start a burst with `needed` s left in it."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.5)


def _round_robin(proxies: list[Proxy], model: str, count: int) -> list[tuple[int, Reply]]:
    """`count` requests with unique prompts, to replica 0, 1, ..., 0, 1, ... in turn."""
    sent = []
    for index in range(count):
        replica = index % len(proxies)
        sent.append((replica, proxies[replica].chat(model, marker())))
    return sent


def _refusal(reply: Reply) -> str:
    text = reply.text
    if "Model rate limit exceeded" in text:
        return "rate limit"
    if "cooldown" in text:
        return "cooldown"
    return "other"


def _deployment_ids(proxy: Proxy) -> dict[str, str]:
    """litellm_params.model -> model_info.id (the id keys every router counter)."""
    return {m["litellm_params"]["model"]: m["model_info"]["id"] for m in proxy.model_info()}


def _rpm_counters(redis: RedisServer, model: str) -> dict[str, float]:
    """The model rate-limit counters in Redis (`<id>:<model>:rpm:<HH-MM>`)."""
    keys = [k for k in redis.matching(f"*:{model}:rpm:*") if not k.startswith("global_router:")]
    return {k: float(redis.get(k) or 0) for k in keys}


def _cache_keys(redis: RedisServer) -> set[str]:
    return {k for k in redis.matching() if CACHE_KEY.fullmatch(k)}


def _wait_for(what: str, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout:.0f}s: {what}")


def _dc403(tmp_path: Path, project: Path, replicas: int) -> list[dict[str, Any]]:
    """DC403 findings for the same project deployed as `replicas` Kubernetes replicas."""
    root = tmp_path / "as-kubernetes"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("build", "*.log"))
    toml = (root / "datumc.toml").read_text(encoding="utf-8")
    (root / "datumc.toml").write_text(toml + f"\n[kubernetes]\nreplicas = {replicas}\n",
                                      encoding="utf-8")
    result = run_cli("lint", "--format", "json", cwd=root)
    found: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return [d for d in found if d["code"] == "DC403"]


# -- 1. rpm_limit ------------------------------------------------------------------------------


def test_rpm_limit_holds_across_replicas_with_redis(shared: Cluster, note: Note) -> None:
    """rpm_limit = 5, requests round-robin over two replicas (three processes): the
    first 5 are answered, every later one is refused with 429, on either replica."""
    _fresh_minute()
    sent = _round_robin(shared.proxies, "limited", 2 * LIMIT)
    statuses = [r.status for _, r in sent]
    allowed = statuses.count(200)
    hits = len(shared.stack.upstreams["limited"].chats())
    counters = _rpm_counters(shared.live_redis, "openai/limited-model")
    refused_by = sorted({replica for replica, r in sent if r.status == 429})
    kinds = [_refusal(r) for _, r in sent if r.status != 200]
    note("rpm_with_redis",
         f"rpm_limit={LIMIT}, {len(sent)} requests round-robin over 2 replicas (2+1 "
         f"processes) with Redis: {allowed} allowed, upstream saw {hits}; statuses {statuses}",
         {"sent": len(sent), "allowed": allowed, "upstream_hits": hits, "statuses": statuses,
          "refused_by_replica": refused_by, "refusals": kinds,
          "redis_counter": sum(counters.values())})
    assert len(counters) == 1, f"the burst crossed a clock minute, rerun: {counters}"
    assert statuses == [200] * LIMIT + [429] * LIMIT, "\n".join(map(str, sent))
    assert refused_by == [0, 1], "each replica refuses once the shared limit is reached"
    assert hits == LIMIT
    first_refusal = sent[LIMIT][1]
    assert f"RPM limit={LIMIT}, current usage={LIMIT + 1}" in first_refusal.text, first_refusal
    # Increment first: a request refused by the limit counts too; one refused because
    # the refusals benched the deployment (allowed_fails) never reaches the counter.
    assert sum(counters.values()) == LIMIT + kinds.count("rate limit"), kinds


def test_without_redis_each_replica_counts_on_its_own(alone: Cluster, note: Note,
                                                      tmp_path: Path) -> None:
    """The same datums without Redis: each replica lets rpm_limit through."""
    replicas = len(alone.proxies)
    _fresh_minute()
    minute = _utc_minute()
    sent = _round_robin(alone.proxies, "limited", 2 * LIMIT * replicas)
    crossed = _utc_minute() != minute
    per_replica = [sum(1 for i, r in sent if i == k and r.status == 200) for k in range(replicas)]
    allowed = sum(per_replica)
    hits = len(alone.stack.upstreams["limited"].chats())
    factor = allowed / LIMIT
    note("rpm_without_redis",
         f"rpm_limit={LIMIT}, {len(sent)} requests round-robin over {replicas} replicas "
         f"without Redis: {allowed} allowed ({per_replica} per replica), upstream saw {hits}: "
         f"factor {factor:g}",
         {"sent": len(sent), "allowed": allowed, "allowed_per_replica": per_replica,
          "upstream_hits": hits, "replicas": replicas, "factor": factor,
          "statuses": [r.status for _, r in sent]})
    assert not crossed, "the burst crossed a clock minute, rerun"
    assert per_replica == [LIMIT] * replicas, "\n".join(map(str, sent))
    assert hits == allowed == replicas * LIMIT
    # DC403 says what was measured here.
    [finding] = _dc403(tmp_path, alone.stack.root, replicas)
    assert f"{replicas} replicas let through {factor:g}x rpm_limit" in finding["message"]


# -- 2. cooldowns --------------------------------------------------------------------------------


def _bench_pool_a(cluster: Cluster, *, shared_key: str | None) -> dict[str, Any]:
    """pool-a answers 500; replica 0 sends `pool` requests until pool-a has failed often
    enough to be benched (and, with Redis, until the cooldown is in Redis)."""
    a, b = cluster.stack.upstreams["pool-a"], cluster.stack.upstreams["pool-b"]
    a.fail(500)
    statuses = []
    for _ in range(40):
        statuses.append(cluster.proxies[0].chat("pool", marker()).status)
        failed = len(a.chats()) > ALLOWED_FAILS
        if failed and (shared_key is None or cluster.live_redis.get(shared_key) is not None):
            break
    assert len(a.chats()) > ALLOWED_FAILS, f"pool-a was never picked: {statuses}"
    phase = {"requests": len(statuses), "statuses": statuses, "hits_a": len(a.chats()),
             "hits_b": len(b.chats())}
    time.sleep(2 * REDIS_READ_INTERVAL)  # the other replicas' Redis read throttle
    a.clear()
    b.clear()
    return phase


def test_a_cooldown_set_by_one_replica_is_seen_by_the_others(shared: Cluster,
                                                            note: Note) -> None:
    """pool-a fails on replica 1 until it is benched there; replica 2 then sends every
    `pool` request to pool-b without trying pool-a first."""
    first, second = shared.proxies
    ids = _deployment_ids(first)
    assert _deployment_ids(second) == ids, "replicas must agree on deployment ids"
    key = f"deployment:{ids['openai/pool-a-model']}:cooldown"
    bench = _bench_pool_a(shared, shared_key=key)
    stored = ast.literal_eval(shared.live_redis.get(key) or "{}")  # a dict's repr
    a, b = shared.stack.upstreams["pool-a"], shared.stack.upstreams["pool-b"]
    replies = [second.chat("pool", marker()) for _ in range(PROBES)]
    statuses = [r.status for r in replies]
    hits_a, hits_b = len(a.chats()), len(b.chats())
    note("cooldown_with_redis",
         f"pool-a failing: replica 1 benched it after {bench['requests']} request(s) "
         f"({bench['hits_a']} hits on pool-a); then replica 2, {PROBES} requests: pool-a "
         f"{hits_a} hits, pool-b {hits_b}",
         {"bench": bench, "cooldown_in_redis": {k: stored.get(k) for k in
                                                ("status_code", "cooldown_time")},
          "second_replica": {"requests": PROBES, "hits_a": hits_a, "hits_b": hits_b,
                             "statuses": statuses}})
    assert stored.get("status_code") == "500", stored
    assert hits_a == 0, f"replica 2 tried the benched deployment\n{shared.tails()}"
    assert hits_b == PROBES and statuses == [200] * PROBES, replies


def test_without_redis_a_cooldown_stays_on_its_replica(alone: Cluster, note: Note) -> None:
    """The control: without Redis, replica 2 still sends requests to pool-a."""
    bench = _bench_pool_a(alone, shared_key=None)
    a, b = alone.stack.upstreams["pool-a"], alone.stack.upstreams["pool-b"]
    statuses = []
    for _ in range(PROBES):
        statuses.append(alone.proxies[1].chat("pool", marker()).status)
        if a.chats():
            break
    hits_a, hits_b = len(a.chats()), len(b.chats())
    note("cooldown_without_redis",
         f"pool-a failing: it failed {bench['hits_a']} times on replica 1 "
         f"({bench['requests']} request(s)); without Redis replica 2 still tried it, on its "
         f"request {len(statuses)} ({hits_a} hit(s) on pool-a)",
         {"bench": bench, "second_replica": {"requests": len(statuses), "hits_a": hits_a,
                                             "hits_b": hits_b, "statuses": statuses}})
    assert hits_a > 0, f"replica 2 never tried pool-a in {PROBES} requests"


# -- 3. response cache ------------------------------------------------------------------------


def test_a_response_cached_by_one_replica_is_served_by_another(shared: Cluster,
                                                              note: Note) -> None:
    """The same prompt to replica 1, then to replica 2: one upstream request."""
    first, second = shared.proxies
    upstream = shared.stack.upstreams["cached"]
    word = marker()
    redis = shared.live_redis
    before = _cache_keys(redis)
    one = first.chat("cached", word)
    assert one.status == 200, f"{one}\n{first.tail()}"
    answer = one.json()["id"]
    # LiteLLM writes the cache entry after it answers: wait until the entry holding
    # this answer is in Redis (not just any new entry: earlier answers may land late).
    written = _wait_for("the response in Redis", lambda: {
        k for k in _cache_keys(redis) - before if answer in (redis.get(k) or "")})
    two = second.chat("cached", word)
    assert two.status == 200, f"{two}\n{second.tail()}"
    hits = len(upstream.chats(word))
    served = two.headers.get("x-litellm-cache-key")
    note("cache_with_redis",
         f"one prompt to replica 1, then to replica 2: upstream saw {hits} request(s); "
         f"replica 2 answered from cache key {str(served)[:12]}...",
         {"calls": 2, "upstream_hits": hits, "same_response_id":
          one.json()["id"] == two.json()["id"], "served_from_shared_key": served in written})
    assert hits == 1
    assert two.json()["id"] == one.json()["id"]
    assert served in written, f"served from {served}, Redis got {written}"


def test_without_redis_each_replica_caches_on_its_own(alone: Cluster, note: Note) -> None:
    """The control: local caches. Replica 1 answers the repeat from its own cache;
    replica 2 asks the upstream again."""
    first, second = alone.proxies
    upstream = alone.stack.upstreams["cached"]
    word = marker()
    one = first.chat("cached", word)
    assert one.status == 200, f"{one}\n{first.tail()}"
    again = _wait_for("replica 1's own cache", lambda: _cached(first.chat("cached", word)))
    before = len(upstream.chats(word))
    two = second.chat("cached", word)
    assert two.status == 200, f"{two}\n{second.tail()}"
    went_upstream = len(upstream.chats(word)) - before
    note("cache_without_redis",
         f"local cache: replica 1 served its repeat from its cache; replica 2's call "
         f"reached the upstream {went_upstream} time(s)",
         {"replica1_repeat_from_cache": again.json()["id"] == one.json()["id"],
          "replica2_upstream_hits": went_upstream,
          "replica2_same_response_id": two.json()["id"] == one.json()["id"]})
    assert again.json()["id"] == one.json()["id"]
    assert went_upstream == 1
    assert two.json()["id"] != one.json()["id"]


def _cached(reply: Reply) -> Reply | None:
    return reply if reply.status == 200 and "x-litellm-cache-key" in reply.headers else None


# -- 4. Redis the config does not give the router -------------------------------------------


def _counts_in_redis(cluster: Cluster) -> float:
    """Two requests to `limited`, then its rpm counters as Redis holds them."""
    [proxy] = cluster.proxies
    replies = [proxy.chat("limited", marker()) for _ in range(2)]
    assert [r.status for r in replies] == [200, 200], replies
    return sum(_rpm_counters(cluster.live_redis, "openai/limited-model").values())


def test_a_redis_cache_alone_keeps_router_state_in_redis(cache_only: Cluster, note: Note,
                                                         tmp_path: Path) -> None:
    """`[router] redis = false` with `[cache] type = "redis"`: config.yaml gives the
    router no Redis and no REDIS_* variable reaches the proxy, yet it keeps its rpm
    counters in the cache's Redis (proxy_server.py hands that Redis to the router), so
    replicas share them. DC403 therefore accepts this project with replicas."""
    config = yaml.safe_load(cache_only.stack.config.read_text(encoding="utf-8"))
    assert not [k for k in config["router_settings"] if k.startswith("redis")]
    assert config["litellm_settings"]["cache_params"]["host"] == "os.environ/CACHE_REDIS_HOST"
    assert not [k for k in cache_only.proxies[0].env if k.startswith("REDIS")]
    counted = _counts_in_redis(cache_only)
    findings = _dc403(tmp_path, cache_only.stack.root, 2)
    note("cache_only_router_state",
         f"router redis off, Redis cache on: 2 requests, rpm counter in Redis = {counted:g}",
         {"requests": 2, "redis_counter": counted, "dc403_findings": len(findings)})
    assert counted == 2
    assert not findings, "DC403 must not fire: the router state is in Redis"


def test_redis_variables_alone_move_router_state_to_redis(env_only: Cluster,
                                                          note: Note) -> None:
    """No Redis anywhere in config.yaml, but REDIS_HOST/REDIS_PORT in the environment:
    LiteLLM 1.106.0 builds a Redis client from them by itself and keeps the router's
    counters there. A replica is "without Redis" only when its environment names none."""
    text = env_only.stack.config.read_text(encoding="utf-8")
    assert "redis" not in text.lower()
    assert "REDIS_HOST" in env_only.proxies[0].env
    counted = _counts_in_redis(env_only)
    note("env_only_router_state",
         f"no Redis in config.yaml, REDIS_* in the environment: 2 requests, rpm counter "
         f"in Redis = {counted:g}",
         {"requests": 2, "redis_counter": counted})
    assert counted == 2
