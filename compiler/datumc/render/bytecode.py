"""Compiled templates kept between runs: Jinja compiles each template to Python code
on first use (about 45 ms for all of them, a tenth of a 1,000-datum build), and its
bytecode cache keeps that code in the user's cache directory (datumc/usercache.py).

Jinja checks each cached file against the template's source (a checksum) and the
Python that wrote it (a magic header); the directory's name covers the rest: the Jinja
version and the environment's options, which the compiled code depends on. A cache
file that cannot be read, or a directory that cannot be written, only means compiling
again: the output never depends on the cache.
"""

from __future__ import annotations

import hashlib
import sys

import jinja2
from jinja2.bccache import Bucket

from datumc import usercache


class _Quiet(jinja2.FileSystemBytecodeCache):
    """A bytecode cache whose failures mean compiling again, never an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            return


def bytecode_cache(options: str) -> jinja2.BytecodeCache | None:
    """The cache for templates compiled with `options` (the environment's settings, as
    text); None when caches are off or the directory cannot be made."""
    if not usercache.enabled():
        return None
    key = hashlib.sha256(f"{jinja2.__version__}\0{sys.version}\0{options}".encode())
    directory = usercache.private_dir(f"jinja-{key.hexdigest()[:16]}")
    return None if directory is None else _Quiet(str(directory))
