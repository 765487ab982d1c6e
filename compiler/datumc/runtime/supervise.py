"""The proxy as a child process, for `datumc serve --watch`.

`Child` starts the proxy in a process group of its own and stops the whole group:
SIGTERM, a grace period, then SIGKILL, so a proxy that spawned workers leaves none
behind. A second Ctrl-C (or SIGTERM, SIGHUP) while it waits skips the rest of the
grace period. Because the group is not the terminal's, Ctrl-C reaches datumc only;
`shutdown_signals` makes SIGTERM and SIGHUP end datumc the way Ctrl-C does (as
a KeyboardInterrupt), so every way out passes through the code that stops the proxy.
Only SIGKILL of datumc itself leaves the proxy running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

from datumc.errors import DatumcError

STOP_GRACE = 10.0  # seconds from SIGTERM to SIGKILL
_POLL = 0.05  # seconds between two looks at a stopping process
_URGENT = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
Handler = Callable[[int, FrameType | None], None]


class Child:
    """One run of the proxy."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        try:
            self.process = subprocess.Popen(
                list(argv), env=dict(env), stdin=subprocess.DEVNULL, process_group=0
            )
        except OSError as exc:
            raise DatumcError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
        self._swept = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def exit_code(self) -> int | None:
        """The exit code once the process has ended (-N: killed by signal N), else None."""
        return self.process.poll()

    def stop(self, grace: float = STOP_GRACE) -> int:
        """End the process and its group; its exit code. Idempotent."""
        if self.process.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            with _hurry() as urgent:
                _wait(self.process, grace, urgent)
        if not self._swept:
            # Anything the proxy left in its group, once, right after it ended: the group
            # id cannot be reused while the group has members.
            _signal_group(self.pid, signal.SIGKILL)
            self._swept = True
        return self.process.wait()


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _wait(process: subprocess.Popen[bytes], grace: float, urgent: threading.Event) -> None:
    deadline = time.monotonic() + grace
    while process.poll() is None:
        if urgent.is_set() or time.monotonic() >= deadline:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(_POLL)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@contextlib.contextmanager
def _hurry() -> Iterator[threading.Event]:
    """While the proxy stops: Ctrl-C, SIGTERM or SIGHUP mean "now" (SIGKILL) rather than
    ending datumc with the proxy still running. The signal is delivered again once the
    proxy is gone, so it still ends datumc if that is what it does."""
    urgent = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        urgent.set()

    with _handlers(_URGENT, on_signal):
        yield urgent
    if received:
        signal.raise_signal(received[0])


@contextlib.contextmanager
def _handlers(signums: Sequence[signal.Signals], handler: Handler) -> Iterator[None]:
    """Install `handler` for `signums`, and put the previous ones back. Outside the main
    thread (where Python allows no handler) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@dataclass(slots=True)
class Shutdown:
    """Which signal ended the watch: SIGTERM, SIGHUP, or None for Ctrl-C."""

    signum: int | None = None


@contextlib.contextmanager
def shutdown_signals() -> Iterator[Shutdown]:
    """SIGTERM and SIGHUP end the watch as Ctrl-C does: a KeyboardInterrupt in the main
    thread, wherever it is (watchfiles turns any exception a signal handler raises
    into one), so the code that stops the proxy runs."""
    state = Shutdown()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        state.signum = signum
        raise KeyboardInterrupt

    with _handlers((signal.SIGTERM, signal.SIGHUP), on_signal):
        yield state
