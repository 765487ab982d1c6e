"""An `api_base` on this machine's loopback, built for a container target.

Why: under `datumc serve` the proxy runs on this machine, so `localhost`,
`127.0.0.1` or `::1` is the machine itself and the request reaches, say, the
Ollama or vLLM server on it. Inside the podman, compose and Kubernetes targets
the proxy runs in a container, where loopback is the container: every request
to that model fails to connect, and nothing says so until a client asks for it.
The host is reachable from a container under another name: podman (and
podman-compose) provide `host.containers.internal`; Docker Desktop provides
`host.docker.internal` (Docker Engine on Linux after
`--add-host=host.docker.internal:host-gateway`); in Kubernetes the server is a
Service, addressed by its DNS name. When the native proxy and the containers
need different addresses, use `api_base_env` and give each its own env file.

Bad:
    [ai_model]
    api_base = "http://localhost:11434"       # with the podman target

Good:
    [ai_model]
    api_base = "http://host.containers.internal:11434"
    # or: api_base_env = "OLLAMA_API_BASE", set per deployment
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import is_loopback
from datumc.load.stack import Stack

CODE = "DC114"
NAME = "loopback-in-container"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS

# What each container target calls the machine it runs on.
_HOST_NAMES = {
    "podman": "host.containers.internal",
    "compose": "host.docker.internal (Docker) or host.containers.internal (podman-compose)",
    "kubernetes": "the server's Service name",
}


def loopback_host(url: str) -> str | None:
    """The host of `url` when it is this machine's loopback (or the wildcard address)."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if host is None:
        return None
    host = host.lower().rstrip(".")
    return host if is_loopback(host, wildcard=True) else None


def check(stack: Stack) -> Iterator[Diagnostic]:
    containers = [str(t) for t in stack.project.datumc.targets if t in _HOST_NAMES]
    if not containers:
        return
    for entry in stack.enabled:
        api_base = entry.datum.ai_model.api_base
        host = loopback_host(api_base) if api_base is not None else None
        if host is None:
            continue
        yield entry.diag(
            CODE, SEVERITY,
            f"api_base is on '{host}', this machine under `datumc serve` but the container "
            f"itself in the {', '.join(containers)} target(s): requests to this model fail "
            "to connect there",
            "ai_model", "api_base", hint=_hint(containers), value=True,
        )


def _hint(containers: list[str]) -> str:
    names = "; ".join(f"{t}: {_HOST_NAMES[t]}" for t in containers)
    return (f"name the host as the container sees it ({names}), or use api_base_env with a "
            "value per deployment; a project that only serves natively can set "
            '[datumc] targets = ["litellm"]')
