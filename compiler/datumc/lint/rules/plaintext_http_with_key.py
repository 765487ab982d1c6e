"""An API key sent over plain `http://` to a host that is not this machine.

Why: with `http://` the key travels unencrypted; anyone on the path (Wi-Fi, a
shared LAN, a cloud VPC mirror) can read it and use it. Loopback addresses
(`localhost`, `127.0.0.0/8`, `::1`) and the container-host names
`host.docker.internal` / `host.containers.internal` stay on this machine and are
fine. On a link you trust (a WireGuard tunnel, a private compose network), silence
the line with `# datumc: disable=DC111`.

Bad:
    [ai_model]
    api_base = "http://gpu-box.example.com:8000/v1"
    api_key_env = "VLLM_API_KEY"

Good:
    [ai_model]
    api_base = "https://gpu-box.example.com/v1"     # or http://127.0.0.1:8000 via a tunnel
    api_key_env = "VLLM_API_KEY"
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import is_loopback
from datumc.load.stack import Stack

CODE = "DC111"
NAME = "plaintext-http-with-key"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS

LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "host.containers.internal"})


def is_local(host: str) -> bool:
    return host.lower().rstrip(".") in LOCAL_NAMES or is_loopback(host)


def remote_http_host(url: str) -> str | None:
    """The host of a plain-http URL that leaves this machine, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() != "http" or not parts.hostname:
        return None
    return None if is_local(parts.hostname) else parts.hostname


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        am = entry.datum.ai_model
        if am.api_base is None or am.api_key_env is None:
            continue
        host = remote_http_host(am.api_base)
        if host is None:
            continue
        yield entry.diag(
            CODE, SEVERITY,
            f"api_base is plain http:// to '{host}' and the request carries the key in "
            f"{am.api_key_env} unencrypted",
            "ai_model", "api_base",
            hint="use https://, or reach the server through a tunnel on 127.0.0.1",
            value=True,
        )
