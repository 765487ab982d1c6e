"""Fake LLM providers on loopback, for end-to-end tests against the real LiteLLM proxy.

An `Upstream` speaks enough of the OpenAI API (`/v1/chat/completions`, plain and
SSE streaming, `/v1/models`) and of Ollama's (`/api/chat`, `/api/tags`, `/api/show`)
for LiteLLM to use it as a provider. It records every request it receives (method,
path, headers, JSON body) and can be switched at run time between behaviours:

* healthy: answers at once; the reply names the upstream, so a test can tell who
  answered;
* down: the listening socket is closed, so connections are refused;
* drop: accepts the connection, reads the request and closes without a reply;
* slow: waits `delay` seconds, then answers;
* status: answers with an HTTP error (429, 500, ...) in OpenAI's error shape;
* context: answers 400 context_length_exceeded, as OpenAI does for too long a prompt.

A "thinking" upstream (`reasoning=True`) adds `reasoning_content` to its replies
(and `thinking` on the Ollama API), as DeepSeek R1 or Kimi K2 Thinking do.
Everything runs in daemon threads of the test process; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"
REASONING = "Let me think this through step by step."


class Mode(StrEnum):
    HEALTHY = "healthy"
    DOWN = "down"
    DROP = "drop"
    SLOW = "slow"
    STATUS = "status"
    CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class Seen:
    """One request an upstream received."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None
    at: float = field(default_factory=time.monotonic)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def is_chat(self) -> bool:
        return self.method == "POST" and self.path.rstrip("/").endswith(
            ("/chat/completions", "/api/chat")
        )

    def prompt(self) -> str:
        """The text of the last message (empty when there is none)."""
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        if not messages:
            return ""
        content = messages[-1].get("content", "")
        if isinstance(content, list):
            return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        return str(content)


class _Server(ThreadingHTTPServer):
    """Tracks open connections so that "down" can cut kept-alive ones too."""

    daemon_threads = True
    allow_reuse_address = True
    upstream: Upstream

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Upstream:
    """A fake provider. Use as a context manager, or call `close()`."""

    def __init__(self, name: str, *, reasoning: bool = False) -> None:
        self.name = name
        self.reasoning = reasoning
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._mode = Mode.HEALTHY
        self._delay = 0.0
        self._status = 500
        self._wake = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._listen()

    # -- lifecycle ---------------------------------------------------------------

    def _listen(self) -> None:
        server = _Server((LOOPBACK, self.port))
        server.upstream = self
        self.port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"upstream-{self.name}", daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread

    def _unlisten(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.cut_connections()
        if thread is not None:
            thread.join(timeout=5)

    def close(self) -> None:
        self._wake.set()  # release handlers sleeping in slow mode
        self._unlisten()

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- addresses ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def v1(self) -> str:
        """The base URL an OpenAI client is given (`.../v1`)."""
        return f"{self.url}/v1"

    # -- behaviour -----------------------------------------------------------------

    def healthy(self) -> None:
        self._set(Mode.HEALTHY)

    def down(self) -> None:
        """Close the listening socket: connections are refused until `healthy()`."""
        self._set(Mode.DOWN)

    def drop(self) -> None:
        """Accept connections, then close them without answering."""
        self._set(Mode.DROP)

    def slow(self, seconds: float) -> None:
        self._set(Mode.SLOW, delay=seconds)

    def fail(self, status: int) -> None:
        """Answer every API request with this HTTP status (429, 500, ...)."""
        self._set(Mode.STATUS, status=status)

    def context_exceeded(self) -> None:
        """Answer every API request with OpenAI's 400 context_length_exceeded error."""
        self._set(Mode.CONTEXT)

    def _set(self, mode: Mode, *, delay: float = 0.0, status: int = 500) -> None:
        with self._lock:
            was_down = self._mode is Mode.DOWN
            self._mode, self._delay, self._status = mode, delay, status
            self._wake.set()
            self._wake = threading.Event()
        if mode is Mode.DOWN and not was_down:
            self._unlisten()
        elif mode is not Mode.DOWN and was_down:
            self._listen()

    def snapshot(self) -> tuple[Mode, float, int, threading.Event]:
        with self._lock:
            return self._mode, self._delay, self._status, self._wake

    # -- what it saw -------------------------------------------------------------------

    def record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def chats(self, marker: str | None = None) -> list[Seen]:
        """Chat requests received, optionally only those whose prompt contains `marker`."""
        return [s for s in self.requests if s.is_chat and (marker is None or marker in s.prompt())]

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def reply_text(self) -> str:
        return f"Hello from {self.name}."


# -- HTTP handler ------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the recorded requests instead."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        upstream = self.server.upstream
        body = self._read_body()
        upstream.record(Seen(self.command, self.path, _lower(self.headers.items()), body))
        mode, delay, status, wake = upstream.snapshot()
        if mode is Mode.DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        if mode is Mode.SLOW and wake.wait(delay):
            self.close_connection = True  # released early (test over, or told to change)
            return
        if mode is Mode.STATUS:
            self._error(status, "upstream told to fail")
            return
        if mode is Mode.CONTEXT:
            self._json(400, CONTEXT_EXCEEDED)
            return
        self._route(upstream, body)

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _route(self, upstream: Upstream, body: Any) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        request = body if isinstance(body, dict) else {}
        if self.command == "POST" and path.endswith("/chat/completions"):
            if request.get("stream"):
                self._openai_stream(upstream, request)
            else:
                self._json(200, openai_completion(upstream, request))
        elif self.command == "POST" and path.endswith("/api/chat"):
            if request.get("stream"):
                self._ollama_stream(upstream, request)
            else:
                self._json(200, ollama_reply(upstream, request))
        elif self.command == "GET" and path.endswith("/models"):
            self._json(200, {"object": "list", "data": [
                {"id": upstream.name, "object": "model", "created": 0, "owned_by": "test"}]})
        elif self.command == "GET" and path.endswith("/api/tags"):
            self._json(200, {"models": [{"name": upstream.name, "model": upstream.name}]})
        elif self.command == "POST" and path.endswith("/api/show"):
            self._json(200, {"model_info": {}, "details": {}, "template": ""})
        else:
            self._error(404, f"no route for {self.command} {path}")

    # -- writing -------------------------------------------------------------------------

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        kind = "rate_limit_error" if status == 429 else "server_error"
        self._json(status, {"error": {"message": message, "type": kind, "code": str(status)}})

    def _stream(self, content_type: str, chunks: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for chunk in chunks:
            self.wfile.write(chunk)
            self.wfile.flush()

    def _openai_stream(self, upstream: Upstream, request: dict[str, Any]) -> None:
        events = [f"data: {json.dumps(c)}\n\n".encode() for c in openai_chunks(upstream, request)]
        self._stream("text/event-stream", [*events, b"data: [DONE]\n\n"])

    def _ollama_stream(self, upstream: Upstream, request: dict[str, Any]) -> None:
        lines = [(json.dumps(c) + "\n").encode() for c in ollama_chunks(upstream, request)]
        self._stream("application/x-ndjson", lines)


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}


# -- payloads ------------------------------------------------------------------------------

USAGE = {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12}
# OpenAI's answer to a prompt over the context window; LiteLLM 1.106 maps the message to
# ContextWindowExceededError (litellm_core_utils/exception_mapping_utils.py:95, 318-319).
CONTEXT_EXCEEDED = {"error": {
    "message": "This model's maximum context length is 8192 tokens. However, your messages "
    "resulted in 9000 tokens. Please reduce the length of the messages.",
    "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}


def openai_completion(upstream: Upstream, request: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": upstream.reply_text()}
    if upstream.reasoning:
        message["reasoning_content"] = REASONING
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", upstream.name),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": USAGE,
    }


def openai_chunks(upstream: Upstream, request: dict[str, Any]) -> list[dict[str, Any]]:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.get("model", upstream.name),
    }
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    if upstream.reasoning:
        deltas.append({"reasoning_content": REASONING})
    deltas.extend({"content": word} for word in _words(upstream.reply_text()))
    chunks = [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}
              for d in deltas]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return chunks


def ollama_reply(upstream: Upstream, request: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": upstream.reply_text()}
    if upstream.reasoning:
        message["thinking"] = REASONING
    return {
        "model": request.get("model", upstream.name),
        "created_at": "2025-01-01T00:00:00Z",
        "message": message,
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": 7,
        "eval_count": 5,
    }


def ollama_chunks(upstream: Upstream, request: dict[str, Any]) -> list[dict[str, Any]]:
    model = request.get("model", upstream.name)
    chunks: list[dict[str, Any]] = [
        {"model": model, "message": {"role": "assistant", "content": word}, "done": False}
        for word in _words(upstream.reply_text())
    ]
    chunks.append({"model": model, "message": {"role": "assistant", "content": ""},
                   "done": True, "done_reason": "stop", "prompt_eval_count": 7, "eval_count": 5})
    return chunks


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + words[-1:]
