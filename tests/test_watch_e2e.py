"""`datumc serve --watch` with the real LiteLLM proxy.

`python -m datumc serve --watch` runs in a project whose datums point at fake
upstreams on loopback; the test edits the datums and asks the proxy what it serves.
Proxy restarts are seen through the pids datumc reports ("proxy started (pid N)")
and checked in /proc: a proxy that was replaced or stopped has no live process left
in its group.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, datum, require_tool, write_project
from tests.helpers.proxy import bearer, free_port, proxy_env, request, strong_key
from tests.helpers.stacks import secret
from tests.helpers.upstream import Upstream
from tests.test_watch import DEADLINE, Watching, group_members

pytestmark = pytest.mark.e2e

STARTED = re.compile(r"proxy started \(pid (\d+)\)")


def model(name: str, *, rpm: int | None = None) -> str:
    extra: dict[str, Any] = {} if rpm is None else {"rpm_limit": rpm}
    return datum(name, litellm_model=f"openai/{name}-model", api_base_env="UPSTREAM_API_BASE",
                 api_key_env="UPSTREAM_API_KEY", capabilities=["chat"], **extra)


class Served:
    """The watching datumc, the address of its proxy and the master key."""

    def __init__(self, root: Path, watching: Watching, url: str, key: str) -> None:
        self.root, self.watching, self.url, self.key = root, watching, url, key

    def pids(self) -> list[int]:
        return [int(p) for p in STARTED.findall(self.watching.text())]

    def wait_pids(self, count: int) -> list[int]:
        self.watching.wait_for(f"proxy start {count}", lambda _: len(self.pids()) >= count)
        return self.pids()

    def models(self) -> list[str] | None:
        """What /v1/models lists; None while nothing answers."""
        try:
            reply = request("GET", f"{self.url}/v1/models", headers=bearer(self.key),
                            timeout=10)
        except OSError:
            return None
        if reply.status != 200:
            return None
        return sorted(m["id"] for m in reply.json()["data"])

    def wait_models(self, expected: list[str]) -> None:
        self.wait(f"/v1/models listing {expected}", lambda: self.models() == expected)

    def wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE * 3  # the proxy takes a while to start
        while time.monotonic() < deadline:
            if ready():
                return
            if self.watching.process.poll() is not None:
                break
            time.sleep(0.25)
        pytest.fail(f"never saw {what}; log:\n{self.watching.text()[-6000:]}")

    def save(self, name: str, text: str) -> None:
        (self.root / "datums" / f"{name}.ai_model.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    require_tool("litellm")
    port, key = free_port(), strong_key()
    root = write_project(tmp_path / "proj", {"alpha": model("alpha")},
                         f"[proxy]\nport = {port}\n")
    with Upstream("upstream") as upstream:
        env = root / ".env"
        env.write_text(f"LITELLM_MASTER_KEY={key}\nUPSTREAM_API_BASE={upstream.v1}\n"
                       f"UPSTREAM_API_KEY={secret('upstream')}\n", encoding="utf-8")
        env.chmod(0o600)
        watching = Watching(root, "serve", "--watch", "--project", str(root),
                            env=proxy_env({"PYTHONPATH": str(REPO / "compiler")}))
        served = Served(root, watching, f"http://127.0.0.1:{port}", key)
        try:
            yield served
        finally:
            watching.close()
            for pid in served.pids():  # never leave a proxy behind, even after a failure
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)


def test_serve_watch_restarts_the_proxy_on_good_changes_only(served: Served) -> None:
    [first] = served.wait_pids(1)
    served.wait_models(["alpha"])

    served.save("beta", model("beta"))  # a new datum: the proxy restarts and serves it
    served.watching.wait_for("the restart", lambda t: "its config changed" in t)
    second = served.wait_pids(2)[1]
    served.wait_models(["alpha", "beta"])
    assert second != first
    assert group_members(first) == [], "the replaced proxy is still running"

    with (served.root / ".env").open("a", encoding="utf-8") as env:  # the proxy's env changes
        env.write("LITELLM_LOG=ERROR\n")
    served.watching.wait_for("the restart", lambda t: "its command line or environment" in t)
    third = served.wait_pids(3)[2]
    served.wait_models(["alpha", "beta"])
    assert group_members(second) == [], "the replaced proxy is still running"

    served.save("alpha", model("alpha").replace("[ai_model]", "[ai_model]\nrpm_limit = 'x'"))
    served.watching.wait_for(
        "the failed build",
        lambda t: "build failed; the proxy keeps running the last good config" in t)
    assert served.models() == ["alpha", "beta"]  # the old config, still served
    assert served.pids() == [first, second, third]
    assert group_members(third) != []

    assert served.watching.interrupt() == 130
    text = served.watching.text()
    assert "Traceback" not in text
    assert f"stopping the proxy (pid {third})" in text
    assert group_members(third) == [], "the proxy outlived datumc"
    assert served.models() is None


def test_serve_watch_says_when_the_proxy_ends_and_starts_it_again(served: Served) -> None:
    [first] = served.wait_pids(1)
    served.wait_models(["alpha"])
    os.kill(first, signal.SIGKILL)
    served.watching.wait_for(
        "the proxy's end", lambda t: "the proxy was killed by SIGKILL; it starts again" in t)
    assert served.watching.process.poll() is None  # still watching

    served.save("alpha", model("alpha", rpm=5))
    second = served.wait_pids(2)[1]
    served.wait_models(["alpha"])
    assert second != first

    served.watching.process.send_signal(signal.SIGTERM)
    assert served.watching.wait_exit() == 128 + signal.SIGTERM
    assert "datumc: stopped by SIGTERM" in served.watching.text()
    assert group_members(second) == [], "the proxy outlived datumc"
