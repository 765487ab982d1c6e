"""The only place that writes to the terminal. Commands receive one."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from datumc.secrets.redact import redact


@dataclass
class Console:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    def out(self, text: str = "") -> None:
        self._write(self.stdout, text)

    def err(self, text: str = "") -> None:
        self._write(self.stderr, text)

    @staticmethod
    def _write(stream: TextIO, text: str) -> None:
        # Last line of defence: a secret-named variable's value is never printed.
        text = redact(text)
        stream.write(text if text.endswith("\n") or not text else text + "\n")
        stream.flush()

    @property
    def is_tty(self) -> bool:
        return self.stderr.isatty()

    def progress(self, text: str) -> None:
        """A transient status line on stderr, redrawn in place; only on a terminal."""
        if self.is_tty:
            self.stderr.write("\r\x1b[2K" + text)
            self.stderr.flush()

    def end_progress(self) -> None:
        if self.is_tty:
            self.stderr.write("\r\x1b[2K")
            self.stderr.flush()
