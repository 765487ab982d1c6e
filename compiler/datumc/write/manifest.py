"""The manifest: `.datumc-manifest.json` records the hash of every file datumc wrote.

A file whose hash is not in it was edited by hand. While renames are under way the
manifest lists both the old and the new hash, so a build killed at any moment leaves
files the next build still recognises.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from datumc.write.atomic import NotRegularError, read_regular

MANIFEST = ".datumc-manifest.json"


MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ManifestState(StrEnum):
    OK = "ok"
    MISSING = "missing"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Manifest:
    files: dict[str, list[str]]
    state: ManifestState = ManifestState.OK


def load_manifest(out_dir: Path) -> Manifest:
    """The manifest, and whether it was there and readable.

    A missing or corrupt manifest loses no data: every existing file that differs from
    the new output is then treated as hand-edited, and kept unless `--force`.
    """
    try:
        raw = json.loads(read_regular(out_dir / MANIFEST, MAX_MANIFEST_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return Manifest({}, ManifestState.MISSING)
    except (OSError, ValueError, NotRegularError):
        return Manifest({}, ManifestState.UNREADABLE)
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return Manifest({}, ManifestState.UNREADABLE)
    return Manifest({
        k: [h for h in v if isinstance(h, str)] for k, v in files.items() if isinstance(v, list)
    })


def read_manifest(out_dir: Path) -> dict[str, list[str]]:
    return load_manifest(out_dir).files


def manifest_bytes(files: dict[str, list[str]]) -> bytes:
    body = {"generator": "datumc", "version": 1, "files": dict(sorted(files.items()))}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
