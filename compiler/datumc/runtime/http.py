"""A small HTTP client for the proxy's API (standard library; no retries, no redirects).

Connection problems become a `ProxyUnreachable` with a message a user can act on;
HTTP error statuses are returned, not raised, so callers decide what they mean.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from datumc.errors import DatumcError, UsageError

USER_AGENT = "datumc"
_MAX_BODY = 16 * 1024 * 1024


class ProxyUnreachable(DatumcError):
    """Nothing (or nothing HTTP) answers at the proxy's URL."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    elapsed: float  # seconds

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def error_message(self, limit: int = 160) -> str:
        """The error text of a failed reply: OpenAI's {"error": {"message"}} or the body."""
        data = self.json()
        message: Any = None
        if isinstance(data, dict):
            error = data.get("error", data.get("detail"))
            message = error.get("message") if isinstance(error, dict) else error
        text = str(message) if message else self.body.decode("utf-8", "replace")
        first = " ".join(text.strip().split("\n\n", 1)[0].split())
        return first if len(first) <= limit else first[: limit - 1] + "…"


def check_url(url: str) -> str:
    """The URL without a trailing slash; a usage error unless it is http(s)://host[:port]."""
    problem = _url_problem(url)
    if problem is not None:
        raise UsageError(f"not a proxy URL: {url!r} ({problem}); expected e.g. "
                         "http://127.0.0.1:4000")
    return url.rstrip("/")


def _url_problem(url: str) -> str | None:
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", a bad port, a bad bracketed address
        return str(exc)
    if parts.scheme not in ("http", "https") or not host or _junk_after_bracket(parts.netloc):
        return "it needs http:// or https:// and a host"
    if port == 0:
        return "port 0"
    if ":" not in host and not _resolvable_name(host):
        return "a part of the host name is empty or longer than 63 characters"
    return None if (parts.path + parts.query).isascii() else "percent-encode its non-ASCII path"


def _junk_after_bracket(netloc: str) -> bool:
    """http://[::1]x: urlsplit takes the address and drops what follows the bracket."""
    hostport = netloc.rpartition("@")[2]
    rest = hostport.partition("]")[2] if hostport.startswith("[") else ""
    return bool(rest) and not rest.startswith(":")


def _resolvable_name(host: str) -> bool:
    """Whether a host name can be looked up at all (IDNA: no empty or over-long label)."""
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def request(
    method: str, url: str, *, key: str | None = None, body: Any = None,
    timeout: float = 30.0, headers: Mapping[str, str] | None = None,
) -> Response:
    parts = urlsplit(url)
    # The port is always given: http.client would read the last ':' of a bare IPv6
    # address as a port (http://[::1] would connect to [::]:1).
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn = _connection(parts.scheme, parts.hostname or "", port, timeout)
    sent = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if key:
        sent["Authorization"] = f"Bearer {key}"
    sent.update(headers or {})
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
        conn.request(method, path, body=data, headers=sent)
        reply = conn.getresponse()
        payload = reply.read(_MAX_BODY)
        return Response(reply.status, payload, time.monotonic() - started)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # ValueError: http.client's InvalidURL, and UnicodeError from the IDNA codec.
        raise ProxyUnreachable(_explain(url, exc, timeout)) from None
    finally:
        conn.close()


def _connection(scheme: str, host: str, port: int,
                timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout,
                                           context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _explain(url: str, exc: BaseException, timeout: float) -> str:
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"no proxy is listening at {base} (connection refused)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"the proxy at {base} did not answer within {timeout:g}s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the proxy's host in {base}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed talking to {base}: {exc.reason or exc}"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot talk to the proxy at {base}: {reason}"
