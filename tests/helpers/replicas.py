"""Several real LiteLLM proxies on one generated config: replicas of one deployment.

`launch_replicas()` starts one proxy per entry of `workers` (`--num_workers N` when
N > 1), all on the same `config.yaml`, environment and master key, each on its own
free loopback port and in its own process group. `Replicas.wait()` then waits for them
one by one: live, accepting the key, and (with several workers) every worker through
its start-up. `shared_state_stack()` writes and builds the project the
shared-state tests run: datums for a rate-limited model, a two-deployment group and
a cached model, each behind its own fake upstream.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from conftest import datum, write_project
from helpers.proxy import (
    LOOPBACK,
    MASTER_KEY_ENV,
    Proxy,
    ProxyExited,
    free_port,
    launch,
    proxy_env,
    strong_key,
    wait_ready,
)
from helpers.stacks import Stack, secret
from helpers.upstream import Upstream

# uvicorn prints this once per worker when the worker has finished its start-up.
STARTED = "Application startup complete"


def _launch(litellm: str, config: Path, env: Mapping[str, str], workdir: Path, name: str,
            workers: int, key: str) -> Proxy:
    port = free_port()
    log = workdir / f"{name}.log"
    full = proxy_env({**env, MASTER_KEY_ENV: key})
    argv = [litellm, "--config", str(config), "--host", LOOPBACK, "--port", str(port)]
    if workers > 1:
        argv += ["--num_workers", str(workers)]
    process: subprocess.Popen[bytes] = launch(argv, env=full, log=log, cwd=workdir)
    return Proxy(f"http://{LOOPBACK}:{port}", key, process, log, full)


def _wait_workers(proxy: Proxy, workers: int, *, timeout: float = 240.0) -> None:
    """Every worker has started: with N workers, one process may already answer while
    the others still load the config."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise ProxyExited(f"LiteLLM proxy exited with code {proxy.process.returncode}\n"
                              f"{proxy.tail()}")
        text = proxy.log.read_text(encoding="utf-8", errors="replace")
        if text.count(STARTED) >= workers:
            return
        time.sleep(0.25)
    raise AssertionError(f"{workers} workers not started after {timeout:.0f}s\n{proxy.tail()}")


@dataclass
class Replicas:
    """Proxies launched on one config; `wait()` until every one (and every worker) is up."""

    litellm: str
    config: Path
    env: Mapping[str, str]
    workdir: Path
    workers: Sequence[int]
    name: str
    key: str = field(default_factory=strong_key)
    proxies: list[Proxy] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.proxies = [self._launch(index, self._name(index))
                        for index in range(len(self.workers))]

    def _name(self, index: int) -> str:
        return f"{self.name}-{index + 1}"

    def _launch(self, index: int, name: str) -> Proxy:
        return _launch(self.litellm, self.config, self.env, self.workdir, name,
                       self.workers[index], self.key)

    def wait(self) -> list[Proxy]:
        try:
            for index, count in enumerate(self.workers):
                for attempt in range(3):
                    try:
                        wait_ready(self.proxies[index])
                        _wait_workers(self.proxies[index], count)
                        break
                    except ProxyExited as exc:
                        if not exc.port_taken() or attempt == 2:
                            raise
                        self.proxies[index] = self._launch(
                            index, f"{self._name(index)}-retry{attempt + 1}")
        except BaseException:
            self.stop()
            raise
        return self.proxies

    def stop(self) -> None:
        for proxy in self.proxies:
            proxy.stop()


def launch_replicas(litellm: str, config: Path, *, env: Mapping[str, str], workdir: Path,
                    workers: Sequence[int], name: str) -> Replicas:
    """Start one proxy per entry of `workers` without waiting: several groups can then
    load LiteLLM at the same time. Call `wait()` on the result."""
    return Replicas(litellm, config, env, workdir, workers, name)


# -- the project ---------------------------------------------------------------------------

UPSTREAMS = ("limited", "pool-a", "pool-b", "cached")


def shared_state_project(*, router_redis: bool, cache: str, allowed_fails: int,
                         cooldown_time: int, redis_prefix: str = "REDIS") -> str:
    """datumc.toml: simple-shuffle with one retry, cooldowns after `allowed_fails` + 1
    failures, a response cache of `cache` type, and Redis for the router or not, read
    from `<redis_prefix>_HOST`, `_PORT` and `_PASSWORD`."""
    router: dict[str, Any] = {
        "routing_strategy": "simple-shuffle", "num_retries": 1,
        "allowed_fails": allowed_fails, "cooldown_time": cooldown_time, "redis": router_redis,
    }
    if redis_prefix != "REDIS":
        router.update({f"redis_{part}_env": f"{redis_prefix}_{part.upper()}"
                       for part in ("host", "port", "password")})
    project = {"datumc": {"targets": ["litellm"]}, "router": router,
               "cache": {"type": cache, "ttl": 600}}
    return tomli_w.dumps(project)


def shared_state_stack(root: Path, *, router_redis: bool, cache: str, rpm_limit: int,
                       allowed_fails: int, cooldown_time: int, redis_prefix: str = "REDIS",
                       redis_env: Mapping[str, str] | None = None) -> Stack:
    """Datums: `limited` (rpm_limit), `pool` (deployments pool-a and pool-b, one
    model_group) and `cached`, each behind its own fake upstream. `redis_env` is the
    Redis environment the proxies get (none: the proxy sees no Redis at all)."""
    ups = {name: Upstream(name) for name in UPSTREAMS}

    def d(name: str, base_env: str, **kw: Any) -> str:
        return datum(name, litellm_model=f"openai/{name}-model", api_base_env=base_env,
                     api_key_env="UPSTREAM_API_KEY", capabilities=["chat"], **kw)

    datums = {
        "limited": d("limited", "LIMITED_API_BASE", rpm_limit=rpm_limit),
        "pool-a": d("pool-a", "POOL_A_API_BASE", model_group="pool"),
        "pool-b": d("pool-b", "POOL_B_API_BASE", model_group="pool"),
        "cached": d("cached", "CACHED_API_BASE"),
    }
    project = shared_state_project(router_redis=router_redis, cache=cache,
                                   allowed_fails=allowed_fails, cooldown_time=cooldown_time,
                                   redis_prefix=redis_prefix)
    write_project(root, datums, project)
    env = {
        "LIMITED_API_BASE": ups["limited"].v1, "POOL_A_API_BASE": ups["pool-a"].v1,
        "POOL_B_API_BASE": ups["pool-b"].v1, "CACHED_API_BASE": ups["cached"].v1,
        "UPSTREAM_API_KEY": secret("upstream"),
        **(redis_env or {}),
    }
    stack = Stack(root, ups, env)
    try:
        stack.build()
    except BaseException:
        stack.close()
        raise
    return stack
