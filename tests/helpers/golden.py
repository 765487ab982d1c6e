"""Golden-file comparison. Set DATUMC_UPDATE_GOLDEN=1 to rewrite the expected files."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def assert_golden(actual: bytes | str, name: str) -> None:
    data = actual.encode() if isinstance(actual, str) else actual
    path = GOLDEN / name
    if os.environ.get("DATUMC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"missing golden file {path}; run with DATUMC_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    assert data == expected, (
        f"{name} differs from its golden file; review the change, then refresh with "
        "DATUMC_UPDATE_GOLDEN=1"
    )
