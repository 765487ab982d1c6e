"""Run the real LiteLLM proxy on a datumc build, for end-to-end tests.

`start_proxy()` starts `litellm --config ... --host 127.0.0.1 --port <free>` in its
own process group, with a clean environment (no keys from the test runner's shell),
`LITELLM_LOCAL_MODEL_COST_MAP=True`, a strong random master key, and HTTP(S) proxy
variables pointing at a dead loopback port so that nothing it does can leave the
machine. It waits for `/health/liveliness`, and keeps the proxy's output in a log
file whose tail goes into every failure message.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
MASTER_KEY_ENV = "LITELLM_MASTER_KEY"
# Where stray outbound HTTP goes: a loopback port nothing listens on (the discard port).
DEAD_PROXY = "http://127.0.0.1:9"
_KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def strong_key() -> str:
    return "sk-" + secrets.token_urlsafe(32)


def marker() -> str:
    """A unique word to put in a prompt: keeps requests apart (and out of the cache)."""
    return f"m{uuid.uuid4().hex[:12]}"


# -- HTTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def events(self) -> list[Any]:
        """Server-sent events of a streaming reply, parsed; `[DONE]` kept as a string."""
        out: list[Any] = []
        for line in self.text.splitlines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            out.append(data if data == "[DONE]" else json.loads(data))
        return out

    def __str__(self) -> str:
        return f"HTTP {self.status} after {self.elapsed:.2f}s: {self.text[:600]}"


def request(method: str, url: str, *, body: Any = None, headers: Mapping[str, str] | None = None,
            timeout: float = 60.0) -> Reply:
    """One HTTP request with the standard library. Never raises on an HTTP status."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=timeout)
    data = None if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
        conn.request(method, path or "/", body=data, headers=sent)
        response = conn.getresponse()
        payload = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, got, payload, time.monotonic() - started)
    finally:
        conn.close()


def bearer(key: str | None) -> dict[str, str]:
    return {} if key is None else {"Authorization": f"Bearer {key}"}


# -- the proxy ---------------------------------------------------------------------------------


@dataclass
class Proxy:
    url: str
    key: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(repr=False)

    _DEFAULT = object()

    def call(self, method: str, path: str, *, body: Any = None, key: Any = _DEFAULT,
             headers: Mapping[str, str] | None = None, timeout: float = 60.0) -> Reply:
        sent = bearer(self.key if key is Proxy._DEFAULT else key)
        sent.update(headers or {})
        return request(method, self.url + path, body=body, headers=sent, timeout=timeout)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def chat(self, model: str, prompt: str, *, stream: bool = False, key: Any = _DEFAULT,
             timeout: float = 60.0, **extra: Any) -> Reply:
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}
        if stream:
            body["stream"] = True
        return self.call("POST", "/v1/chat/completions", body=body, key=key, timeout=timeout)

    def served(self) -> list[str]:
        """Model names listed by /v1/models."""
        reply = self.get("/v1/models")
        assert reply.status == 200, f"/v1/models: {reply}\n{self.tail()}"
        return sorted(m["id"] for m in reply.json()["data"])

    def model_info(self) -> list[dict[str, Any]]:
        reply = self.get("/model/info")
        assert reply.status == 200, f"/model/info: {reply}\n{self.tail()}"
        data: list[dict[str, Any]] = reply.json()["data"]
        return data

    def alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            return self.get("/health/liveliness", key=None, timeout=5).status == 200
        except OSError:
            return False

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no proxy log)"
        return "--- proxy log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def proxy_env(extra: Mapping[str, str], *, isolated: bool = False) -> dict[str, str]:
    """A clean environment for the proxy: no secrets from the caller's shell.

    Outbound HTTP goes to a dead loopback port unless it is for loopback itself (our
    fake upstreams). `isolated` sends loopback there too: for configs whose api_base
    points at ports on this machine that belong to someone else (the b00t corpus has
    http://127.0.0.1:8000/v1), since the proxy probes `/v1/models` when it starts.
    """
    env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
    bypass = "" if isolated else f"{LOOPBACK},localhost"
    env.update({
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_DONT_SHOW_FEEDBACK_BOX": "True",
        "PYTHONUNBUFFERED": "1",
        "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY, "ALL_PROXY": DEAD_PROXY,
        "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY, "all_proxy": DEAD_PROXY,
        "NO_PROXY": bypass, "no_proxy": bypass,
    })
    env.update(extra)
    return env


def launch(argv: list[str], *, env: Mapping[str, str], log: Path, cwd: Path) -> (
    subprocess.Popen[bytes]
):
    """Start a process in its own group with stdout+stderr going to `log`."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            argv, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=sink,
            stderr=subprocess.STDOUT, start_new_session=True,
        )


def wait_ready(proxy: Proxy, *, timeout: float = 240.0) -> None:
    """Wait until the proxy is live *and* accepts our key: something else listening on a
    reused port would answer the health probe, but not know our random master key."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise ProxyExited(
                f"LiteLLM proxy exited with code {proxy.process.returncode} before it was "
                f"ready\n{proxy.tail()}"
            )
        if proxy.alive() and proxy.get("/v1/models", timeout=10).status == 200:
            return
        time.sleep(0.25)
    proxy.stop()
    raise AssertionError(f"LiteLLM proxy not ready after {timeout:.0f}s\n{proxy.tail()}")


class ProxyExited(AssertionError):
    def port_taken(self) -> bool:
        return "address already in use" in str(self).lower()


def start_proxy(litellm: str, config: Path, *, env: Mapping[str, str], workdir: Path,
                key: str | None = None, name: str = "proxy", isolated: bool = False) -> Proxy:
    """Start the real proxy on `config` and wait until it is live. A free port can be
    taken by someone else before the proxy binds it: then try another one."""
    key = key or strong_key()
    for attempt in range(3):
        port = free_port()
        log = workdir / f"{name}.log"
        full = proxy_env({**env, MASTER_KEY_ENV: key}, isolated=isolated)
        argv = [litellm, "--config", str(config), "--host", LOOPBACK, "--port", str(port)]
        process = launch(argv, env=full, log=log, cwd=workdir)
        proxy = Proxy(f"http://{LOOPBACK}:{port}", key, process, log, full)
        try:
            wait_ready(proxy)
        except ProxyExited as exc:
            if not exc.port_taken() or attempt == 2:
                raise
            continue
        except BaseException:
            proxy.stop()
            raise
        return proxy
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def running_proxy(litellm: str, config: Path, *, env: Mapping[str, str], workdir: Path,
                  name: str = "proxy", isolated: bool = False) -> Iterator[Proxy]:
    proxy = start_proxy(litellm, config, env=env, workdir=workdir, name=name,
                        isolated=isolated)
    try:
        yield proxy
    finally:
        proxy.stop()
