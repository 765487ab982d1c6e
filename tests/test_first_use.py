"""The rough edges a new user hits first: each message says what happened and what to
run next, and following that advice works."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import datum, run_cli

LOCAL = datum("local", provider="openai_compatible", litellm_model="openai/qwen",
              api_base="https://llm.example.com/v1", api_key_env="LOCAL_KEY")


def test_quiet_build_prints_nothing_on_success(project: Callable[..., Path]) -> None:
    root = project({"local": LOCAL})
    first = run_cli("build", "-q", cwd=root)
    assert first.code == 0
    assert (first.stdout, first.stderr) == ("", "")
    again = run_cli("build", "-q", "--check", cwd=root)
    assert (again.code, again.stdout, again.stderr) == (0, "", "")
    assert run_cli("build", cwd=root).stdout.startswith("datumc: ")  # not quiet: a summary


def test_quiet_build_still_prints_errors(project: Callable[..., Path]) -> None:
    root = project({"bad": datum("bad", api_key_env="not a name")})
    result = run_cli("build", "-q", cwd=root)
    assert result.code == 1 and "DC104" in result.stderr and "'not a name'" in result.stderr


def test_lint_says_when_it_found_nothing(project: Callable[..., Path]) -> None:
    root = project({"local": LOCAL})
    result = run_cli("lint", "--strict", cwd=root)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "datumc: no problems found\n"


def test_lint_counts_what_it_found_and_why_the_exit_code(project: Callable[..., Path]) -> None:
    root = project({"typo": datum("typo", api_key_env="OPENAI_API_KEY",
                                  parameters={"temprature": 0.2})})
    result = run_cli("lint", cwd=root)
    assert result.code == 0 and "DC203" in result.stdout
    assert result.stderr == ("datumc: 1 warning (warnings do not fail; --strict makes "
                             "them)\n")
    strict = run_cli("lint", "--strict", cwd=root)
    assert strict.code == 1 and strict.stderr == "datumc: 1 warning\n"
    machine = run_cli("lint", "-f", "json", cwd=root)
    assert machine.stderr == ""  # machine formats carry their own counts


@pytest.mark.parametrize("name", ["local.toml", "local.ai-model.toml", "sub/local.datum.toml"])
def test_lint_of_a_folder_without_datums_is_an_error_naming_the_file(
        tmp_path: Path, name: str) -> None:
    folder = tmp_path / "models"
    (folder / name).parent.mkdir(parents=True)
    (folder / name).write_text(LOCAL)
    result = run_cli("lint", folder, cwd=tmp_path)
    assert result.code == 1
    assert "DC011" in result.stdout and "found in this directory" in result.stdout
    stem = Path(name).name.removesuffix(".toml")
    assert f"-> {stem}.ai_model.toml" in result.stdout
    renamed = folder / name
    renamed.rename(renamed.with_name(f"{stem}.ai_model.toml"))
    assert run_cli("lint", folder, cwd=tmp_path).code == 0  # the advice works


def test_build_check_after_a_hand_edit_advises_force_and_force_works(
        project: Callable[..., Path]) -> None:
    root = project({"local": LOCAL})
    assert run_cli("build", cwd=root).code == 0
    config = root / "build" / "litellm" / "config.yaml"
    config.write_text(config.read_text() + "# my note\n")
    check = run_cli("build", "--check", cwd=root)
    assert check.code == 1
    assert "edited by hand" in check.stderr and "`datumc build --force`" in check.stderr
    assert run_cli("build", cwd=root).code == 1  # a plain build refuses (DC020)
    assert run_cli("build", "--force", cwd=root).code == 0
    assert (config.parent / "config.yaml.bak").read_text().endswith("# my note\n")
    assert run_cli("build", "--check", cwd=root).code == 0


def test_empty_variable_says_what_it_is_for(project: Callable[..., Path]) -> None:
    root = project({"remote": datum("remote", provider="openai_compatible",
                                    litellm_model="openai/x", api_base_env="REMOTE_BASE",
                                    api_key_env="REMOTE_KEY")})
    assert run_cli("build", "-q", cwd=root).code == 0
    env = root / ".env"
    env.write_text("LITELLM_MASTER_KEY=sk-live-0123456789abcdef\nREMOTE_BASE=\nREMOTE_KEY=\n")
    env.chmod(0o600)
    result = run_cli("lint", env, "-p", root, cwd=root)
    lines = [line for line in result.stdout.splitlines() if "DC306" in line]
    assert len(lines) == 2
    base = next(line for line in lines if "REMOTE_BASE" in line)
    key = next(line for line in lines if "REMOTE_KEY" in line)
    assert "API base URL" in base and "credentials" not in base
    assert "API key" in key


def test_public_example_key_is_named_in_messages(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("LITELLM_MASTER_KEY=sk-1234\n")
    env.chmod(0o600)
    result = run_cli("lint", env, cwd=tmp_path)
    assert "'sk-1234'" in result.stdout and "'…'" not in result.stdout


def test_schema_check_outside_a_project_says_missing_and_how_to_fix(tmp_path: Path) -> None:
    result = run_cli("schema", "--check", cwd=tmp_path)
    assert result.code == 1
    assert "schemas/ai_model.schema.json is missing" in result.stderr
    assert "differs" not in result.stderr
    assert "run `datumc schema`" in result.stderr
    assert run_cli("schema", cwd=tmp_path).code == 0  # the advice works
    assert run_cli("schema", "--check", cwd=tmp_path).code == 0
    custom = run_cli("schema", "--check", "--dir", "editor", cwd=tmp_path)
    assert custom.code == 1 and "`datumc schema --dir editor`" in custom.stderr


LOOPBACK = st.one_of(
    st.sampled_from(["localhost", "LOCALHOST", "api.localhost", "[::1]", "0.0.0.0", "[::]"]),
    st.tuples(*[st.integers(0, 255)] * 3).map(lambda t: "127." + ".".join(map(str, t))),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=LOOPBACK, port=st.integers(1, 65535),
       targets=st.lists(st.sampled_from(["podman", "compose", "kubernetes"]), min_size=1,
                        max_size=3, unique=True))
def test_loopback_api_base_in_a_container_target_warns(tmp_path: Path, host: str, port: int,
                                                       targets: list[str]) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example, replays included
    text = datum("local", provider="openai_compatible", litellm_model="openai/qwen",
                 api_base=f"http://{host}:{port}/v1", api_key_env="LOCAL_KEY")
    (root / "datums").mkdir(parents=True)
    (root / "datums" / "local.ai_model.toml").write_text(text)
    listed = ", ".join(f'"{t}"' for t in ["litellm", *targets])
    (root / "datumc.toml").write_text(f"[datumc]\ntargets = [{listed}]\n")
    result = run_cli("lint", cwd=root)
    found = [line for line in result.stdout.splitlines() if "DC114" in line]
    assert len(found) == 1, result.output
    assert found[0].startswith("datums/local.ai_model.toml:")
    assert all(t in found[0] for t in targets)
    if "podman" in targets:
        assert "host.containers.internal" in result.stdout
    (root / "datumc.toml").write_text('[datumc]\ntargets = ["litellm"]\n')
    assert "DC114" not in run_cli("lint", cwd=root).stdout  # native only: loopback is right


@pytest.mark.parametrize("api_base", ["http://host.containers.internal:11434",
                                      "http://host.docker.internal:8000/v1",
                                      "https://api.example.com/v1", "http://10.0.0.5:8000"])
def test_hosts_a_container_reaches_do_not_warn(project: Callable[..., Path],
                                                api_base: str) -> None:
    root = project({"x": datum("x", provider="openai_compatible", litellm_model="openai/x",
                               api_base=api_base, api_key_env="X_KEY")})
    assert "DC114" not in run_cli("lint", cwd=root).stdout


def test_pre_commit_snippets_name_no_revision_that_does_not_exist() -> None:
    """A snippet users copy must not name a tag the repository lacks: pre-commit would
    fail to fetch it. A placeholder (`<full commit SHA>`) is fine."""
    import re
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    tags = set(subprocess.run(["git", "tag"], cwd=repo, capture_output=True, text=True,
                              check=False).stdout.split())
    docs = [repo / "README.md", repo / ".pre-commit-hooks.yaml", *(repo / "docs").glob("*.md")]
    revs = [(p.name, m) for p in docs
            for m in re.findall(r"^[#\s]*rev:\s*(\S+)", p.read_text(), re.MULTILINE)]
    assert revs, "the snippets are gone"
    wrong = [(name, rev) for name, rev in revs if not rev.startswith("<") and rev not in tags]
    assert wrong == []


def _many_datums(root: Path, count: int) -> Path:
    (root / "datums").mkdir(parents=True)
    for i in range(count):
        (root / "datums" / f"m{i}.ai_model.toml").write_text(
            datum(f"m{i}", api_key_env="OPENAI_API_KEY", litellm_model="openai/gpt-4o"))
    (root / "datumc.toml").write_text('[datumc]\ntargets = ["litellm"]\n')
    return root


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `python -m datumc ARGS` with stdout and stderr on a pseudo-terminal."""
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import datumc_env

    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "datumc", *args], cwd=cwd,
                            env=datumc_env(), stdin=subprocess.DEVNULL, stdout=child,
                            stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=300), b"".join(chunks).decode()


def test_a_long_build_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    root = _many_datums(tmp_path / "proj", 600)
    code, shown = _on_a_terminal(["build"], root)
    assert code == 0, shown
    for stage in ("reading datums 250/600", "reading datums 500/600", "checking 600 datums",
                  "planning the LiteLLM config", "rendering litellm"):
        assert stage in shown
    assert "\x1b[2K" in shown  # each status line is erased, not left behind
    piped = run_cli("build", "--force", cwd=root)
    assert "reading datums" not in piped.output and "\x1b" not in piped.output


def test_a_small_build_on_a_terminal_shows_no_counts(project: Callable[..., Path]) -> None:
    root = project({"local": LOCAL})
    code, shown = _on_a_terminal(["build"], root)
    assert code == 0 and "reading datums" not in shown
