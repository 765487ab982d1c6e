"""Behaviour the performance work must keep: each fast path gives the answer the slow
one gave, and the cheap commands stay cheap by what they import (never by timing)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli
from hypothesis import given
from hypothesis import strategies as st

from conftest import CORPUS, REPO, datum, datumc_env, run_cli, write_project
from datumc.diagnostics import Severity
from datumc.load.discover import discover, walk_datums
from datumc.load.source import display_path
from datumc.validate.datum import no_control_chars

# -- no-op build ------------------------------------------------------------------------


def _chat(name: str, **fields: object) -> str:
    return datum(name, capabilities=["chat"], **fields)


def _snapshot(directory: Path) -> dict[str, tuple[int, int, int, int]]:
    out = {}
    for path in sorted(directory.rglob("*")):
        st_ = path.stat()
        out[path.relative_to(directory).as_posix()] = (
            st_.st_ino, st_.st_mtime_ns, st_.st_size, st_.st_mode
        )
    return out


def test_noop_build_touches_no_file_not_even_the_lock(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"a": _chat("a", api_key_env="A_KEY"),
                                          "b": _chat("b", fallbacks=["a"])})
    assert run_cli("build", cwd=root).code == 0
    before = _snapshot(root / "build")
    assert ".datumc.lock" in before

    again = run_cli("build", cwd=root)

    assert again.code == 0
    assert "up to date" in again.stdout
    assert "wrote" not in again.stdout
    assert _snapshot(root / "build") == before


def test_build_after_a_change_still_takes_the_lock_and_writes(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"a": _chat("a")})
    assert run_cli("build", cwd=root).code == 0
    (root / "datums" / "b.ai_model.toml").write_text(_chat("b"), encoding="utf-8")

    result = run_cli("build", cwd=root)

    assert result.code == 0
    assert "wrote build/litellm/config.yaml" in result.stdout
    assert "model_name: b" in (root / "build/litellm/config.yaml").read_text()


def test_a_hand_edit_is_still_refused_not_reported_up_to_date(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"a": _chat("a")})
    assert run_cli("build", cwd=root).code == 0
    config = root / "build/litellm/config.yaml"
    config.write_text(config.read_text() + "# mine\n")

    result = run_cli("build", cwd=root)

    assert result.code == 1
    assert "DC020" in result.stderr


# -- display_path -----------------------------------------------------------------------

_SEGMENT = st.sampled_from(["a", "b", "..", ".", "", ".x", "y.toml"])


def _reference_display(path: Path) -> str:
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


@given(st.lists(_SEGMENT, min_size=1, max_size=6), st.booleans())
def test_display_path_matches_relpath(segments: list[str], absolute: bool) -> None:
    text = "/".join(segments)
    path = Path.cwd() / text if absolute else Path(text)
    assert display_path(path) == _reference_display(path)


# -- validation ---------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_control_character_check_matches_its_definition(value: str) -> None:
    has_control = any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029"
                      for ch in value)
    if has_control:
        with pytest.raises(ValueError, match="control characters"):
            no_control_chars(value)
    elif value != value.strip():
        with pytest.raises(ValueError, match="whitespace"):
            no_control_chars(value)
    else:
        assert no_control_chars(value) == value


def test_unknown_keys_are_still_found_in_every_section(tmp_path: Path) -> None:
    text = datum("a", b00t={"nmae": "x"}, rpm_limt=5) + "\n[surprise]\nk = 1\n"
    root = write_project(tmp_path / "p", {"a": text})

    result = run_cli("lint", "--format", "json", cwd=root)

    found = {(d["code"], d["message"]) for d in _json(result.stdout)}
    assert ("DC004", "unknown key 'nmae' in [b00t] is ignored") in found
    assert ("DC004", "unknown key 'rpm_limt' in [ai_model] is ignored") in found
    assert ("DC004", "unknown key 'surprise' in [top level] is ignored") in found


def _json(text: str) -> list[dict[str, object]]:
    import json

    diags: list[dict[str, object]] = json.loads(text)["diagnostics"]
    return diags


# -- TOML parser: tomli must read datums exactly as the stdlib tomllib does -----------------

_MALFORMED = [
    'a = 1\na = 2', 'a = "x', 'x = [1,', 'a = abc', '[t]\n[t]', 'a = 1 b', 'a = "\\e"',
    'k = {a=1,\n b=2}', 'a.b = 1\na = 2', 'a = 1979-05-27T07:32', "bad key = 1", "a = 0x",
    'a = """\nx', "[b00t\nname = 1", "a = [1, 'x'", "a = 1.", "a = +inf\nb = nan\nc = 1e",
]


@pytest.mark.parametrize("text", _MALFORMED)
def test_tomli_rejects_what_tomllib_rejects_with_the_same_message(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as stdlib:
        tomllib.loads(text)
    with pytest.raises(tomli.TOMLDecodeError) as ours:
        tomli.loads(text)
    assert str(ours.value) == str(stdlib.value)


def _datum_files() -> list[Path]:
    files = sorted((REPO / "datums").glob("*.toml"))
    if CORPUS.is_dir():
        files += sorted((CORPUS / "b00t").rglob("*.toml"))
    return files


def test_tomli_reads_real_datums_like_tomllib() -> None:
    files = _datum_files()
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert tomli.loads(text) == tomllib.loads(text), path


def test_a_toml_syntax_error_keeps_its_position(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"a": '[b00t]\nname = "a"\ntype = ai_model\n'})

    result = run_cli("lint", cwd=root)

    assert result.code == 1
    assert "datums/a.ai_model.toml:3:8: error DC001 TOML syntax error: invalid value" in (
        result.stdout
    )


# -- discovery ------------------------------------------------------------------------------


def _tree(root: Path) -> Path:
    datums = root / "proj" / "datums"
    for sub in ("a", "b/c", ".hidden", "named.ai_model.toml"):
        (datums / sub).mkdir(parents=True)
    (root / "outside").mkdir()
    for rel in ("x.ai_model.toml", "a/y.model.toml", "a/Y.ai_model.toml", "b/c/z.ai_model.toml",
                ".hidden/h.ai_model.toml", ".dot.ai_model.toml", "a/readme.md"):
        (datums / rel).write_text(datum("n"), encoding="utf-8")
    (root / "outside" / "o.ai_model.toml").write_text(datum("o"), encoding="utf-8")
    (datums / "a" / "out.ai_model.toml").symlink_to(root / "outside" / "o.ai_model.toml")
    (datums / "b" / "in.ai_model.toml").symlink_to(Path("..") / "x.ai_model.toml")
    (datums / "linkdir").symlink_to(root / "outside", target_is_directory=True)
    (datums / "dirlink.ai_model.toml").symlink_to(datums / "a", target_is_directory=True)
    (datums / "broken.ai_model.toml").symlink_to(datums / "nowhere")
    return root / "proj"


def test_discovery_skips_hidden_and_linked_dirs_and_refuses_links_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _tree(tmp_path)
    monkeypatch.chdir(project)

    paths, diags = discover([Path("datums")], root=Path())

    assert [p.as_posix() for p in paths] == [
        "datums/a/Y.ai_model.toml",
        "datums/a/y.model.toml",
        "datums/b/c/z.ai_model.toml",
        "datums/b/in.ai_model.toml",
        "datums/broken.ai_model.toml",
        "datums/x.ai_model.toml",
    ]
    assert [(d.code, d.severity, d.path) for d in diags] == [
        ("DC010", Severity.ERROR, "datums/a/out.ai_model.toml")
    ]
    walked = [p.as_posix() for p in walk_datums(Path("datums"))]
    assert walked == sorted(walked)
    assert set(walked) == {p.as_posix() for p in paths} | {"datums/a/out.ai_model.toml"}


# -- .env.example: users listed once each, in datum order -----------------------------------


def test_env_example_lists_each_user_once_in_order(tmp_path: Path) -> None:
    names = ["m3", "m1", "m2", "m0", "m4", "m5", "m6"]
    datums = {f"{i:02d}-{n}": _chat(n, api_key_env="SHARED_KEY") for i, n in enumerate(names)}
    root = write_project(tmp_path / "p", datums)

    assert run_cli("build", cwd=root).code == 0

    env = (root / "build/litellm/.env.example").read_text()
    assert "# API key for m3, m1, m2, m0, m4 and 2 more\nSHARED_KEY=\n" in env


# -- the CLI: GC settings restored; cheap commands import nothing heavy ---------------------


def test_main_restores_the_gc_thresholds(tmp_path: Path) -> None:
    before = gc.get_threshold()
    run_cli("--version", cwd=tmp_path)
    assert gc.get_threshold() == before


_PROBE = """
import sys
from datumc.cli import main
code = main(sys.argv[1:])
heavy = ("pydantic", "jinja2", "yaml", "tomli", "tomllib")
print("imported:" + ",".join(m for m in heavy if m in sys.modules))
sys.exit(code)
"""


def _imported(cwd: Path, *args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=cwd, env=datumc_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    line = proc.stdout.rstrip("\n").splitlines()[-1]
    assert line.startswith("imported:"), proc.stdout
    return set(filter(None, line.removeprefix("imported:").split(",")))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("lint", "--help")])
def test_version_and_help_import_nothing_heavy(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert _imported(tmp_path, *args) == set()


def test_linting_datums_imports_neither_jinja_nor_yaml(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"a": datum("a"), "b": datum("b", fallbacks=["a"])})

    imported = _imported(root, "lint", "datums/a.ai_model.toml", "datums/b.ai_model.toml")

    assert "pydantic" in imported  # the probe sees real work being done
    assert not imported & {"jinja2", "yaml"}


def test_the_command_skips_pydantics_plugin_lookup(tmp_path: Path) -> None:
    """`datumc lint` as a command: pydantic is told there are no plugins, so it never
    imports importlib.metadata to read every distribution's entry points. A program
    that imports datumc keeps pydantic's own lookup."""
    root = write_project(tmp_path / "p", {"a": datum("a"), "b": datum("b", fallbacks=["a"])})
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "datumc", "lint"],
                          cwd=root, env=datumc_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "datumc.validate.datum" in imported  # the models were built
    assert "importlib.metadata" not in imported

    probe = ("import sys, datumc.cli; "
             "print(type(sys.modules.get('pydantic.plugin._loader')).__name__)")
    library = subprocess.run([sys.executable, "-c", probe], env=datumc_env(),
                             capture_output=True, text=True, timeout=60)
    assert library.stdout.strip() == "NoneType"  # not replaced: pydantic's own, when used


_EXIT_PROBE = """
import gc, sys
sys.argv[0] = "datumc"  # what the console script sets: this process is the command
from datumc.cli import main
code = main(sys.argv[1:])
print(f"frozen:{gc.get_freeze_count()} threshold:{gc.get_threshold()[0]}")
sys.exit(code)
"""


def test_the_command_exits_without_collecting_what_it_built(tmp_path: Path) -> None:
    """The datumc command ends with what it allocated out of the collector's sight (no
    collection on the way out, none at exit), and its output complete; a program that
    imports datumc gets its thresholds back (test_main_restores_the_gc_thresholds)."""
    root = write_project(tmp_path / "p", {"a": datum("a"), "b": datum("b", fallbacks=["a"])})
    proc = subprocess.run([sys.executable, "-c", _EXIT_PROBE, "build"], cwd=root,
                          env=datumc_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "wrote build/litellm/config.yaml" in proc.stdout + proc.stderr
    frozen, threshold = proc.stdout.splitlines()[-1].split()
    assert int(frozen.removeprefix("frozen:")) > 10_000  # the models, the datums, the plan
    assert int(threshold.removeprefix("threshold:")) > 700  # never lowered on the way out
