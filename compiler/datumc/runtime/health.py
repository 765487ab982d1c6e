"""Ask a running proxy what it serves, and whether each model answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from datumc.errors import DatumcError
from datumc.runtime.http import ProxyUnreachable, Response, request
from datumc.runtime.proxy import Target

# The smallest useful request: one output token, no fallback to another model (that
# would hide a broken one), and no answer from the proxy's cache.
PING = {
    "messages": [{"role": "user", "content": "ping"}],
    "max_tokens": 1,
    "disable_fallbacks": True,
    "cache": {"no-cache": True},
}
MAX_PARALLEL = 4


def refused(target: Target, reply: Response, what: str) -> DatumcError:
    source = f" (from {target.key_source})" if target.key_source else ""
    hint = ""
    if reply.status in (400, 401, 403, 500) and target.key:
        hint = f"; is {target.key_env}{source} the proxy's master key?"
    return DatumcError(
        f"the proxy at {target.url} refused {what} (HTTP {reply.status}: "
        f"{reply.error_message()}){hint}"
    )


def require_key(target: Target) -> str:
    if not target.key:
        raise DatumcError(
            f"no master key: {target.key_env} is not set in the shell or the project's "
            f"env file; set it, or name another variable with --key-env"
        )
    return target.key


def _model_list(target: Target, path: str, timeout: float) -> list[dict[str, object]]:
    """The `data` list of an authenticated GET (both model endpoints answer this way)."""
    reply = request("GET", f"{target.url}{path}", key=require_key(target), timeout=timeout)
    if not reply.ok:
        raise refused(target, reply, f"GET {path}")
    data = reply.json()
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise DatumcError(f"{target.url}{path} did not return a model list")
    return [i for i in items if isinstance(i, dict)]


def served_models(target: Target, *, timeout: float = 30.0) -> list[str]:
    """Model names from /v1/models (aliases and model groups included)."""
    return sorted({str(m["id"]) for m in _model_list(target, "/v1/models", timeout) if "id" in m})


def model_info(target: Target, *, timeout: float = 30.0) -> list[dict[str, object]]:
    return _model_list(target, "/model/info", timeout)


def live(url: str, *, timeout: float = 5.0) -> Response:
    """GET /health/liveliness: needs no key."""
    return request("GET", f"{url}/health/liveliness", timeout=timeout)


@dataclass(frozen=True, slots=True)
class Health:
    model: str
    ok: bool
    latency: float  # seconds
    status: int | None = None  # HTTP status; None when there was no answer
    detail: str = ""


def ping(target: Target, model: str, *, timeout: float) -> Health:
    body = {"model": model, **PING}
    try:
        reply = request("POST", f"{target.url}/v1/chat/completions", key=target.key,
                        body=body, timeout=timeout)
    except ProxyUnreachable as exc:
        return Health(model, False, timeout, None, str(exc))
    if reply.ok:
        return Health(model, True, reply.elapsed, reply.status)
    return Health(model, False, reply.elapsed, reply.status, reply.error_message())


def check_all(target: Target, models: Sequence[str], *, timeout: float,
              done: Callable[[Health, int], None] | None = None) -> list[Health]:
    """Ping every model (a few at a time); `done(result, count)` after each."""
    require_key(target)
    results: list[Health] = []
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(models)))) as pool:
        futures = [pool.submit(ping, target, m, timeout=timeout) for m in models]
        for future in as_completed(futures):
            results.append(future.result())
            if done is not None:
                done(results[-1], len(results))
    order = {m: i for i, m in enumerate(models)}
    return sorted(results, key=lambda h: order[h.model])
