"""The lint cache: an unchanged project is reported from the cache, and the cache never
changes what `datumc lint` prints or its exit code.

The property drives a project through random edits (datums changed, broken, fixed,
added, removed, renamed, symlinked; datumc.toml rewritten; an env file with a secret),
and after each one compares `datumc lint` twice with the cache (a store, then a hit)
against `datumc lint --no-cache`: same output, same exit code. The other tests read the
cache as its users meet it: a real process that imports no pydantic on a hit, a cache
file only its owner can read that holds no secret, and a corrupt or unwritable cache
that changes nothing.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result, datum, run_cli, run_datumc, write_project
from datumc import usercache
from datumc.lint import cache
from datumc.memo import RACY_NS

SECRET = "sk-proj-Zq8Yw3Xv5Tu7Sr9Qp1On3Ml5Kj7Ih9Gf1Ed3Cb5"
# A pause longer than the cache's racy window: what was just written may be stored.
SETTLE = RACY_NS / 1e9 + 0.02


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache on, in a directory of this test's own; returns where lint results go."""
    where = tmp_path / "cache"
    monkeypatch.delenv(usercache.DISABLE_ENV, raising=False)
    monkeypatch.setenv(usercache.DIR_ENV, str(where))
    return where / cache.LINT_DIR


def _lint(root: Path, *extra: str) -> Result:
    return run_cli("lint", *extra, cwd=root)


def _same(a: Result, b: Result) -> None:
    assert (a.code, a.stdout, a.stderr) == (b.code, b.stdout, b.stderr)


# -- edits a user makes between two lints -------------------------------------------------

NAMES = ("alpha", "beta", "gamma")


def _edit(root: Path, op: tuple[str, str, int]) -> None:
    kind, name, n = op
    datums = root / "datums"
    path = datums / f"{name}.ai_model.toml"
    if kind == "write":
        path.write_text(datum(name, fallbacks=[NAMES[n % len(NAMES)]], rpm_limit=n + 1))
    elif kind == "break":
        path.write_text(datum(name, provider="opnai", litellm_model=f"gpt-{n}"))
    elif kind == "secret":
        path.write_text(datum(name, parameters={"api_key": SECRET}))
    elif kind == "remove":
        path.unlink(missing_ok=True)
    elif kind == "rename" and path.exists():
        path.rename(datums / f"{name}-{n}.ai_model.toml")
    elif kind == "symlink" and not path.exists():
        others = sorted(datums.glob("*.toml"))
        if others:
            path.symlink_to(others[0].name)
    elif kind == "project":
        level = ("error", "warning", "info")[n % 3]
        (root / "datumc.toml").write_text(f'[lint.severity]\nDC108 = "{level}"\n')
    elif kind == "env":
        (root / ".env").write_text(f"OPENAI_API_KEY={SECRET}\n")


EDITS = st.tuples(
    st.sampled_from(["write", "break", "secret", "remove", "rename", "symlink", "project",
                     "env"]),
    st.sampled_from(NAMES),
    st.integers(0, 5),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_the_cache_never_changes_what_lint_reports(
    cached: Path, tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[str, str, int]],
) -> None:
    root = write_project(tmp_path_factory.mktemp("cache") / "p",
                         {n: datum(n) for n in NAMES})
    for op in [("write", "alpha", 0), *edits]:
        _edit(root, op)
        time.sleep(SETTLE)
        expected = _lint(root, "--no-cache")
        stored = _lint(root)  # the rules run, and their result is stored
        hit = _lint(root)  # from the cache
        _same(stored, expected)
        _same(hit, expected)
    assert list(cached.glob("lint-*.json")), "nothing was ever stored"


def test_a_hit_is_a_real_process_that_loads_no_schema(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"alpha": datum("alpha", provider="opnai")})
    env = {usercache.DISABLE_ENV: "", usercache.DIR_ENV: str(tmp_path / "cache"),
           "PYTHONPROFILEIMPORTTIME": "1"}  # every import, on stderr
    time.sleep(SETTLE)
    first = run_datumc("lint", cwd=root, env=env)
    second = run_datumc("lint", cwd=root, env=env)
    assert first.code == second.code == 0, first.stderr[-2000:]
    assert first.stdout == second.stdout and "DC113" in first.stdout
    assert " pydantic" in first.stderr  # the rules ran: the schema was loaded
    assert " pydantic" not in second.stderr  # a hit: no schema, no rules


def test_the_cache_file_is_private_and_holds_no_secret(cached: Path, tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"leak": datum("leak", parameters={"api_key": SECRET})})
    (root / ".env").write_text(f"OPENAI_API_KEY={SECRET}\n")
    time.sleep(SETTLE)
    result = _lint(root)
    assert result.code == 1 and "DC006" in result.output
    files = list(cached.glob("lint-*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(cached.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text()
    assert SECRET not in text and SECRET[8:30] not in text
    _same(_lint(root), result)


def test_a_corrupt_cache_file_is_ignored_and_replaced(cached: Path, tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"alpha": datum("alpha", provider="opnai")})
    time.sleep(SETTLE)
    expected = _lint(root, "--no-cache")
    _lint(root)
    [stored] = cached.glob("lint-*.json")
    for garbage in ("", "{", "[]", json.dumps({"format": cache.FORMAT, "key": "x"}),
                    stored.read_text().replace('"error"', '"fatal"')):
        stored.write_text(garbage)
        _same(_lint(root), expected)
        assert json.loads(stored.read_text())["format"] == cache.FORMAT  # rewritten


def test_an_unwritable_cache_changes_nothing(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.delenv(usercache.DISABLE_ENV, raising=False)
    monkeypatch.setenv(usercache.DIR_ENV, str(blocker / "cache"))
    root = write_project(tmp_path / "p", {"alpha": datum("alpha", provider="opnai")})
    time.sleep(SETTLE)
    _same(_lint(root), _lint(root, "--no-cache"))


@pytest.mark.parametrize("off", [("--no-cache",), ()])
def test_no_cache_stores_nothing(cached: Path, tmp_path: Path, off: tuple[str, ...],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if not off:
        monkeypatch.setenv(usercache.DISABLE_ENV, "1")
    root = write_project(tmp_path / "p", {"alpha": datum("alpha")})
    time.sleep(SETTLE)
    assert _lint(root, *off).code == 0
    assert not cached.exists()


def test_a_file_written_just_now_is_not_stored(cached: Path, tmp_path: Path) -> None:
    """Within the clock's resolution a file may change again without a new stamp."""
    root = write_project(tmp_path / "p", {"alpha": datum("alpha")})
    assert _lint(root).code == 0
    assert not list(cached.glob("lint-*.json"))


def test_the_fingerprint_sees_every_file_but_vcs_and_environments(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"alpha": datum("alpha")})
    (root / ".git").mkdir()
    (root / "venv").mkdir()
    (root / "venv" / cache.VENV_MARKER).write_text("home = /usr\n")

    def key() -> str:
        found = cache.fingerprint((), root)
        assert found is not None
        return found.key

    before = key()
    (root / ".git" / "index").write_text("x")
    (root / "venv" / "lib.py").write_text("x")
    assert key() == before
    for change in (lambda: (root / "notes.txt").write_text("x"),
                   lambda: (root / "datums" / "alpha.ai_model.toml").chmod(0o600),
                   lambda: os.utime(root / "datums" / "alpha.ai_model.toml", ns=(1, 1))):
        change()
        assert key() != before
        before = key()


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_hit_prints_every_format_as_the_rules_would(cached: Path, tmp_path: Path,
                                                       fmt: str) -> None:
    root = write_project(tmp_path / "p", {"alpha": datum("alpha", provider="opnai"),
                                          "leak": datum("leak", parameters={"api_key": SECRET})})
    config = root / "litellm.yaml"
    config.write_text("model_list:\n  - model_name: x\n    litellm_params:\n"
                      f"      model: openai/x\n      api_key: {SECRET}\n")
    time.sleep(SETTLE)
    for args in ((), ("litellm.yaml", "datums")):
        _lint(root, *args)  # stored as text
        hit = _lint(root, "--format", fmt, *args)
        _same(hit, _lint(root, "--no-cache", "--format", fmt, *args))
