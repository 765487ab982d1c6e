"""All or nothing: with any error no output changes; a write that fails part-way leaves
every output old or new, and says which files changed."""

from __future__ import annotations

import errno
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import datumc.commands.build
from datumc.pipeline import compile_project
from datumc.write.writer import (
    HAND_EDITED,
    WRITE_FAILED,
    Action,
    apply_writes,
    build_lock,
    plan_writes,
)
from tests.conftest import datum, datumc_env, run_cli
from tests.helpers.reliability import (
    TwoVersions,
    failing_opener,
    modes,
    snapshot,
    temps,
)

COUNT = 12


@pytest.fixture
def twov(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", COUNT)
    proj.switch(1)
    assert run_cli("build", cwd=proj.root).code == 0
    return proj


def _state(out: Path) -> tuple[dict[str, bytes], dict[str, int], dict[str, tuple[int, int]]]:
    stamps = {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*") if p.is_file() and p.name != ".datumc.lock"
    }
    return snapshot(out), modes(out), stamps


# -- any error: nothing changes --------------------------------------------------------


def _break_toml(root: Path) -> None:
    (root / "datums" / "broken.ai_model.toml").write_text('[b00t]\nname = "x\n')


def _break_schema(root: Path) -> None:
    (root / "datums" / "bad.ai_model.toml").write_text(datum("bad", rpm_limit="sixty"))


def _break_override(root: Path) -> None:
    (root / "datums" / "bad.ai_model.toml").write_text(
        datum("bad", parameters={"api_key": "x"})
    )


def _break_duplicate(root: Path) -> None:
    (root / "datums" / "dup.ai_model.toml").write_text(datum("openai-model-000"))


def _break_project(root: Path) -> None:
    (root / "datumc.toml").write_text('[proxy]\nport = "4000"\n')


def _break_hand_edit(root: Path) -> None:
    config = root / "build/litellm/config.yaml"
    config.write_bytes(config.read_bytes() + b"# my tweak\n")


BREAKERS = {
    "toml-syntax": _break_toml,
    "schema": _break_schema,
    "generated-key-override": _break_override,
    "duplicate-name": _break_duplicate,
    "project-file": _break_project,
    "hand-edited-output": _break_hand_edit,
}


@pytest.mark.parametrize("kind", sorted(BREAKERS))
def test_any_error_changes_no_output(twov: TwoVersions, kind: str) -> None:
    twov.switch(2)  # every output would change...
    BREAKERS[kind](twov.root)  # ...but one thing is wrong
    before = _state(twov.out_dir)
    result = run_cli("build", cwd=twov.root)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    assert "nothing was written" in result.stderr or "no file was written" in result.stderr
    assert _state(twov.out_dir) == before, "an output changed although the build failed"
    assert temps(twov.out_dir) == []


def test_unchanged_inputs_rewrite_nothing(twov: TwoVersions) -> None:
    before = _state(twov.out_dir)
    assert run_cli("build", cwd=twov.root).code == 0
    assert _state(twov.out_dir) == before


# -- a writer that fails part-way ------------------------------------------------------


def _plan_v2(twov: TwoVersions, *, force: bool = False) -> tuple[list, dict[str, bytes]]:
    twov.switch(2)
    compiled = compile_project(twov.root)
    assert compiled.ok
    planned, conflicts = plan_writes(twov.out_dir, compiled.outputs, force=force)
    assert not conflicts
    return planned, {p.output.relpath: p.output.content for p in planned}


def _assert_old_or_new(out: Path, old: dict[str, bytes], new: dict[str, bytes],
                       changed: list[str]) -> None:
    now = snapshot(out)
    for rel, content in new.items():
        if rel in changed:
            assert now[rel] == content, f"{rel} reported changed but is not the new version"
        else:
            assert now.get(rel) == old.get(rel), f"{rel} changed but was not reported"
    assert temps(out) == [], "temp files left behind"


def _rebuild_cleanly(twov: TwoVersions, new: dict[str, bytes]) -> None:
    again = run_cli("build", cwd=twov.root)
    assert again.code == 0, again.output
    assert HAND_EDITED not in again.output
    now = snapshot(twov.out_dir)
    assert all(now[rel] == content for rel, content in new.items())


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO])
def test_writer_failing_after_k_files(twov: TwoVersions, err: int) -> None:
    """Fail the k-th file the writer opens, for every k: staging, manifest, commit."""
    old = snapshot(twov.out_dir)
    k = 0
    while True:
        twov.switch(1)
        assert run_cli("build", cwd=twov.root).code == 0
        planned, new = _plan_v2(twov)
        opener, calls = failing_opener(k, err)
        with build_lock(twov.out_dir):
            result = apply_writes(twov.out_dir, planned, opener=opener)
        if len(calls) <= k:  # the writer never reached call k: every point is covered
            assert not result.diagnostics
            break
        [diag] = result.diagnostics
        assert diag.code == WRITE_FAILED
        assert os.strerror(err).lower()[:8] in diag.message.lower() or (
            "permission denied" in diag.message or "no space" in diag.message
        )
        if result.changed:
            assert "part-way" in diag.message
            for rel in result.changed:
                assert rel in diag.message
        else:
            assert "no file was changed" in diag.message or "Updated: none" in diag.message
        _assert_old_or_new(twov.out_dir, old, new, result.changed)
        _rebuild_cleanly(twov, new)
        k += 1
    assert k >= 3, "the writer opened fewer files than expected"


def test_failure_between_renames_reports_what_changed(twov: TwoVersions) -> None:
    """With --force, each hand-edited file is backed up just before its rename: fail
    at each backup, so the failure lands between renames."""
    j = 0
    while True:
        twov.switch(1)
        assert run_cli("build", cwd=twov.root).code == 0
        for path in (twov.out_dir / "litellm").iterdir():
            path.write_bytes(path.read_bytes() + b"# hand edit\n")
        edited = snapshot(twov.out_dir)
        planned, new = _plan_v2(twov, force=True)
        staged = [p for p in planned if p.action in (Action.CREATE, Action.UPDATE)]
        backed_up = [p.output.relpath for p in planned if p.backup]
        assert sorted(backed_up) == sorted(r for r in edited if r.startswith("litellm/"))
        if j == len(backed_up):
            break
        opener, _ = failing_opener(len(staged) + 1 + j)  # temps, manifest, then backups
        with build_lock(twov.out_dir):
            result = apply_writes(twov.out_dir, planned, opener=opener)
        [diag] = result.diagnostics
        assert diag.code == WRITE_FAILED
        now = snapshot(twov.out_dir)
        for rel in new:
            assert now[rel] == (new[rel] if rel in result.changed else edited[rel])
        for rel in backed_up:  # never replaced without its backup
            if rel in result.changed:
                assert now[rel + ".bak"] == edited[rel]
        finish = run_cli("build", "--force", cwd=twov.root)  # backs up the rest
        assert finish.code == 0, finish.output
        now = snapshot(twov.out_dir)
        assert all(now[rel] == new[rel] for rel in new)
        assert all(now[rel + ".bak"] == edited[rel] for rel in backed_up)
        for path in twov.out_dir.rglob("*.bak*"):
            path.unlink()
        j += 1
    assert j >= 2


def test_rename_failing_midway(twov: TwoVersions, monkeypatch: pytest.MonkeyPatch) -> None:
    old = snapshot(twov.out_dir)
    planned, new = _plan_v2(twov)
    real = Path.replace
    calls: list[Path] = []

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        calls.append(Path(target))
        if len(calls) == 3:  # manifest (1), first output (2), second output fails
            raise OSError(errno.EIO, "Input/output error", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with build_lock(twov.out_dir):
        result = apply_writes(twov.out_dir, planned)
    monkeypatch.undo()
    [diag] = result.diagnostics
    assert len(result.changed) == 1
    assert f"Updated: {result.changed[0]}" in diag.message
    _assert_old_or_new(twov.out_dir, old, new, result.changed)
    _rebuild_cleanly(twov, new)


def test_cli_says_which_files_changed(twov: TwoVersions, monkeypatch: pytest.MonkeyPatch) -> None:
    twov.switch(2)
    opener, _ = failing_opener(1, errno.ENOSPC)
    monkeypatch.setattr(datumc.commands.build, "apply_writes",
                        functools.partial(apply_writes, opener=opener))
    before = snapshot(twov.out_dir)
    result = run_cli("build", cwd=twov.root)
    assert result.code == 1
    assert "no space left on device" in result.stderr
    assert "no file was changed" in result.stderr
    assert "wrote " not in result.stdout
    assert snapshot(twov.out_dir) == before


# -- a real read-only directory ----------------------------------------------------------


def _readonly_build(root: Path, ro_dir: Path) -> subprocess.CompletedProcess[str]:
    """`datumc build` with `ro_dir` really read-only: chmod for a normal user, a read-only
    bind mount in a private namespace for root (root ignores permission bits)."""
    cmd = [sys.executable, "-m", "datumc", "build"]
    env = datumc_env()
    if os.geteuid() != 0:
        ro_dir.chmod(0o555)
        try:
            return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                                  timeout=120)
        finally:
            ro_dir.chmod(0o755)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare(1): cannot make a read-only directory")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    proc = subprocess.run([unshare, "-rm", "sh", "-c", script, str(ro_dir), *cmd], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)
    if "mount" in proc.stderr and proc.returncode != 1:
        pytest.skip(f"cannot bind-mount read-only here: {proc.stderr.strip()}")
    return proc


@pytest.mark.parametrize("which", ["build/litellm", "build"])
def test_read_only_directory(twov: TwoVersions, which: str) -> None:
    before = _state(twov.out_dir)
    twov.switch(2)
    proc = _readonly_build(twov.root, twov.root / which)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "read-only" in proc.stderr or "permission denied" in proc.stderr
    assert "no file was changed" in proc.stderr or "nothing was written" in proc.stderr
    assert _state(twov.out_dir)[0] == before[0]
    assert temps(twov.out_dir) == []
    assert run_cli("build", cwd=twov.root).code == 0
