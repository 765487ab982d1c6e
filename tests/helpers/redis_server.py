"""A real Redis server on loopback, for tests that share state between proxy replicas.

`start_redis()` runs `redis-server` on a free port of 127.0.0.1, with a random
password, no persistence (`--save ''`, `--appendonly no`) and its working directory
in a temp dir, in its own process group. It waits until the server answers PING.
`RedisServer.command()` speaks RESP over a plain socket, so the tests can read what
the proxies wrote (keys, counters) without a client library.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.proxy import LOOPBACK, free_port, launch, stop_process


class RedisError(Exception):
    """An error reply (`-ERR ...`) from the server."""


@dataclass
class RedisServer:
    port: int
    password: str = field(repr=False)
    process: subprocess.Popen[bytes]
    log: Path

    def env(self, prefix: str = "REDIS") -> dict[str, str]:
        """The variables a datumc build reads Redis from: `[router] redis_host_env`,
        `redis_port_env` and `redis_password_env`, REDIS_HOST etc. by default."""
        return {f"{prefix}_HOST": LOOPBACK, f"{prefix}_PORT": str(self.port),
                f"{prefix}_PASSWORD": self.password}

    def command(self, *args: str | int, timeout: float = 5.0) -> Any:
        """Send one command (after AUTH) and return its parsed reply."""
        with socket.create_connection((LOOPBACK, self.port), timeout=timeout) as sock:
            reader = sock.makefile("rb")
            sock.sendall(_encode("AUTH", self.password) + _encode(*args))
            _read(reader)  # +OK from AUTH (an error reply raises)
            return _read(reader)

    def matching(self, pattern: str = "*") -> list[str]:
        """Key names matching a glob pattern (KEYS: fine for a test server)."""
        return sorted(k.decode() for k in self.command("KEYS", pattern))

    def get(self, key: str) -> str | None:
        value = self.command("GET", key)
        return None if value is None else bytes(value).decode()

    def ping(self) -> bool:
        try:
            return bool(self.command("PING", timeout=1.0) == "PONG")
        except (OSError, RedisError):
            return False

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no redis log)"
        return "--- redis log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process)


def _encode(*args: str | int) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _read(reader: Any) -> Any:
    line: bytes = reader.readline()
    if not line.endswith(b"\r\n"):
        raise OSError("connection closed by redis")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RedisError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data: bytes = reader.read(size + 2)
        return data[:-2]
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read(reader) for _ in range(count)]
    raise OSError(f"unexpected reply from redis: {line!r}")


def start_redis(binary: str, workdir: Path, *, timeout: float = 30.0) -> RedisServer:
    """Start `redis-server` on a free loopback port and wait for PING. A port taken by
    someone else between choosing and binding it: try another one."""
    workdir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_hex(16)
    for _ in range(3):
        port = free_port()
        argv = [binary, "--port", str(port), "--bind", LOOPBACK, "--save", "",
                "--appendonly", "no", "--dir", str(workdir), "--requirepass", password,
                "--daemonize", "no", "--protected-mode", "yes"]
        log = workdir / "redis.log"
        server = RedisServer(port, password, launch(argv, env={}, log=log, cwd=workdir), log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and server.process.poll() is None:
            if server.ping():
                return server
            time.sleep(0.1)
        server.stop()
        if "address already in use" not in server.tail().lower():
            raise AssertionError(f"redis-server did not answer PING\n{server.tail()}")
    raise AssertionError("redis-server: no free port after 3 tries")


@contextlib.contextmanager
def running_redis(binary: str, workdir: Path) -> Iterator[RedisServer]:
    server = start_redis(binary, workdir)
    try:
        yield server
    finally:
        server.stop()
