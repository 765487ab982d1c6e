"""The language server keeps work between re-checks (the datum files found, each datum
read and validated, rule answers about unchanged values); what it reports must always
be what a fresh start reports. The property edits a project on disk and in open
buffers at random and compares the long-lived workspace with a new one after each edit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import datum, write_project
from datumc.lsp.workspace import Workspace
from datumc.memo import RACY_NS

# Longer than the window in which a just-written directory is not trusted.
SETTLE = RACY_NS / 1e9 + 0.02
NAMES = ("alpha", "beta", "gamma")


def _edit(root: Path, ws: Workspace, op: tuple[str, str, int]) -> None:
    kind, name, n = op
    datums = root / "datums"
    path = datums / f"{name}.ai_model.toml"
    if kind == "write":
        path.write_text(datum(name, fallbacks=[NAMES[n % 3]], parameters={"api_key": "x" * n}))
    elif kind == "nested":
        (datums / f"d{n}").mkdir(exist_ok=True)
        (datums / f"d{n}" / f"{name}{n}.ai_model.toml").write_text(datum(f"{name}{n}"))
    elif kind == "remove":
        path.unlink(missing_ok=True)
    elif kind == "buffer":
        ws.change(path, datum(name, provider="opnai") if n % 2 else "[b00t\n")
    elif kind == "close":
        ws.close(path)
    elif kind == "project":
        level = ("error", "info")[n % 2]
        (root / "datumc.toml").write_text(f'[lint.severity]\nDC113 = "{level}"\n')


EDITS = st.tuples(st.sampled_from(["write", "nested", "remove", "buffer", "close", "project"]),
                  st.sampled_from(NAMES), st.integers(0, 3))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=8), settle=st.booleans())
def test_a_long_lived_workspace_reports_what_a_fresh_one_does(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, str, int]],
    settle: bool,
) -> None:
    root = write_project(tmp_path_factory.mktemp("lsp") / "p", {n: datum(n) for n in NAMES})
    ws = Workspace(root)
    ws.result()
    for op in edits:
        _edit(root, ws, op)
        if settle:  # else edits land within the racy window: nothing may be trusted
            time.sleep(SETTLE)
        ws.refresh()
        fresh = Workspace(root)
        fresh.buffers.update(ws.buffers)
        assert ws.result().diagnostics == fresh.result().diagnostics
        stack, expected = ws.stack(), fresh.stack()
        names = [e.name for e in stack.entries] if stack else None
        assert names == ([e.name for e in expected.entries] if expected else None)


def test_a_datum_added_on_disk_is_seen_without_a_save(tmp_path: Path) -> None:
    """An editor that sends no file events: the next change to any buffer finds it."""
    root = write_project(tmp_path / "p", {"alpha": datum("alpha", fallbacks=["beta"])})
    ws = Workspace(root)
    alpha = root / "datums" / "alpha.ai_model.toml"
    ws.open(alpha, alpha.read_text())
    time.sleep(SETTLE)
    assert any(d.code == "DC108" for d in ws.diagnostics(alpha))  # beta is unknown
    (root / "datums" / "more").mkdir()
    (root / "datums" / "more" / "beta.ai_model.toml").write_text(datum("beta"))
    ws.change(alpha, alpha.read_text() + "\n")
    assert not any(d.code == "DC108" for d in ws.diagnostics(alpha))
