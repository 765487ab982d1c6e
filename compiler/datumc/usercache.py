"""Where datumc keeps what it can work out again: the lint cache (lint/cache.py) and
compiled templates (render/bytecode.py). `$DATUMC_CACHE_DIR`, else
`$XDG_CACHE_HOME/datumc`, else `~/.cache/datumc`; `DATUMC_NO_CACHE=1` turns both off.
Nothing in it is needed: a cache that cannot be read or written is passed over."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

DISABLE_ENV: Final = "DATUMC_NO_CACHE"
DIR_ENV: Final = "DATUMC_CACHE_DIR"


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get(DISABLE_ENV, "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path:
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "datumc"


def private_dir(name: str) -> Path | None:
    """`cache_dir()/name`, created readable by its owner only; None when it cannot be."""
    directory = cache_dir() / name
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return directory
