"""Secrets: .env.example and its temp files are 0600 from the first instant; no secret
value from the environment or a .env reaches a generated file or a message; a message
about a secret shows it masked (sk-p…3210).

Masking note: the lint rules that report secrets found in datums, LiteLLM YAML and
.env files use the same mask() format; these tests pin the behaviour observable in
the core (schema messages, conflict diffs, the leak check and the console).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
import tomli_w

from datumc.pipeline import compile_project
from datumc.write.writer import TMP_SUFFIX, apply_writes, build_lock, plan_writes
from tests.conftest import datum, run_cli, run_datumc
from tests.helpers.reliability import TwoVersions, observing_opener, set_umask

SECRET = "sk-proj-Zq8xW2vY7tR4pL1mN6bH3cK9dJ5fG0aS3210"
MASKED = "sk-p…3210"


@pytest.fixture
def proj(tmp_path: Path) -> TwoVersions:
    proj = TwoVersions(tmp_path / "proj", 5)
    proj.switch(1)
    return proj


# -- modes ----------------------------------------------------------------------------------


def _apply_observed(root: Path) -> list[tuple[Path, int, int]]:
    compiled = compile_project(root)
    assert compiled.ok
    out = root / "build"
    planned, _ = plan_writes(out, compiled.outputs)
    seen: list[tuple[Path, int, int]] = []
    with build_lock(out):
        result = apply_writes(out, planned, opener=observing_opener(seen))
    assert not result.diagnostics
    return seen


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_env_example_temp_file_is_0600_from_creation(proj: TwoVersions, umask: int) -> None:
    restore = set_umask(umask)
    try:
        seen = _apply_observed(proj.root)
    finally:
        restore()
    env_temps = [(p, asked, got) for p, asked, got in seen if ".env.example." in p.name]
    assert env_temps, "the writer never created a temp file for .env.example"
    for path, asked, got in env_temps:
        assert path.name.endswith(TMP_SUFFIX)
        assert asked == 0o600
        assert got & 0o077 == 0, f"{path.name} was {oct(got)} when created"
    env = proj.out_dir / "litellm/.env.example"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_default_opener_creates_private_temp_files(proj: TwoVersions,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The real os.open path, observed at the instant each temp file is created."""
    real_open = os.open
    seen: list[tuple[str, int]] = []

    def spy(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: object) -> int:
        fd = real_open(path, flags, mode, **kw)  # type: ignore[arg-type]
        if str(path).endswith(TMP_SUFFIX):
            seen.append((Path(path).name, stat.S_IMODE(os.fstat(fd).st_mode)))
        return fd

    restore = set_umask(0)
    monkeypatch.setattr(os, "open", spy)
    try:
        result = run_cli("build", cwd=proj.root)
    finally:
        monkeypatch.undo()
        restore()
    assert result.code == 0, result.output
    env = [mode for name, mode in seen if ".env.example." in name]
    assert env and all(mode == 0o600 for mode in env), seen


def test_env_example_made_readable_is_made_private_again(proj: TwoVersions) -> None:
    assert run_cli("build", cwd=proj.root).code == 0
    env = proj.out_dir / "litellm/.env.example"
    env.chmod(0o644)
    result = run_cli("build", cwd=proj.root)
    assert result.code == 0
    assert "wrote build/litellm/.env.example" in result.stdout
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


# -- no secret value anywhere ----------------------------------------------------------------


def _secret_env(root: Path) -> dict[str, str]:
    """A distinct secret value for every variable the project needs, and a few more."""
    names = [line[:-1] for line in (root / "build/litellm/.env.example").read_text().splitlines()
             if line.endswith("=") and not line.startswith("#")]
    values = {name: f"sk-test-{i:02d}-Qm9uZXlQb3Q4ZXZlcllvdUxvb2s{i:02d}x"
              for i, name in enumerate([*names, "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"])}
    return values


def _everything_printed_and_written(root: Path, env: dict[str, str]) -> str:
    """Run every command that reads the project; return all output and generated files."""
    runs = [
        ("build",), ("build", "--check"), ("build", "--force"), ("lint",),
        ("lint", ".env"), ("lint", "build/litellm/config.yaml"),
        ("lint", "build/litellm/.env.example"), ("lint", "--format", "json"),
        ("explain", "DC023"),
    ]
    texts = []
    for args in runs:
        result = run_datumc(*args, cwd=root, env=env)
        assert "Traceback" not in result.output, result.output
        texts.append(result.output)
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".env" and "datums" not in path.parts:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_secret_values_never_reach_files_or_messages(proj: TwoVersions) -> None:
    assert run_cli("build", cwd=proj.root).code == 0
    env = _secret_env(proj.root)
    dotenv = {"DOTENV_ONLY_API_KEY": "sk-dotenv-UmVhbGx5U2VjcmV0VmFsdWUxMjM0NTY3OA"}
    (proj.root / ".env").write_text(
        "".join(f"{k}={v}\n" for k, v in {**env, **dotenv}.items()), encoding="utf-8")
    (proj.root / ".env").chmod(0o600)
    # and a datum with problems, so diagnostics are printed too
    (proj.root / "datums/broken.ai_model.toml").write_text(datum("broken", rpm_limit="x"))
    everything = _everything_printed_and_written(proj.root, env)
    for value in [*env.values(), *dotenv.values()]:
        assert value not in everything
        assert value[8:-4] not in everything, "a secret leaked (partly)"


PASTED = {
    # where a user might paste a key by mistake -> the message must not show it
    "size": ({"size": SECRET}, MASKED),
    "capability": ({"capabilities": [SECRET]}, MASKED),
    "api_key_env": ({"api_key_env": SECRET}, "NAME of a variable"),
    "b00t-type": ({"b00t": {"type": SECRET}}, MASKED),
    "unknown-key": ({"parameters": None, SECRET: 1}, MASKED),
}


@pytest.mark.parametrize("case", sorted(PASTED))
def test_a_pasted_key_is_masked_in_diagnostics(project, case: str) -> None:
    fields, expected = PASTED[case]
    fields = {k: v for k, v in fields.items() if v is not None}
    root = project({"a": datum("a", **fields)})
    result = run_cli("build", cwd=root)
    assert result.code == 1 if case != "unknown-key" else result.code in (0, 1)
    assert SECRET not in result.output
    assert SECRET[4:-4] not in result.output
    assert expected in result.output, result.output


# A password-like secret no key-shape detector recognises: only its value gives it away.
PASSPHRASE = "correct-horse-battery-staple-4242"


@pytest.mark.parametrize("field", ["api_base", "api_version"])
def test_a_secret_from_the_environment_is_never_written(project, field: str) -> None:
    """A secret pasted where a URL belongs: the build refuses to write it (DC023)."""
    root = project({"a": datum("a", **{field: PASSPHRASE})})
    result = run_datumc("build", cwd=root, env={"OPENAI_API_KEY": PASSPHRASE})
    assert result.code == 1
    assert "DC023" in result.stderr
    assert "datums/a.ai_model.toml:" in result.stderr
    assert "OPENAI_API_KEY" in result.stderr and "corr…4242" in result.stderr
    assert PASSPHRASE not in result.output
    assert not (root / "build").exists()


def test_a_key_shaped_secret_is_caught_and_masked(project) -> None:
    """Key-shaped values are caught earlier, by the datum lint rules; still masked."""
    root = project({"a": datum("a", api_base=SECRET)})
    result = run_datumc("build", cwd=root, env={"OPENAI_API_KEY": SECRET})
    assert result.code == 1
    assert MASKED in result.stderr
    assert SECRET not in result.output
    assert not (root / "build").exists()


def test_a_secret_from_the_dotenv_file_is_never_written(project) -> None:
    value = "hunter2-but-longer-0123456789"
    root = project({"a": datum("a", parameters={"extra_header": value})})
    (root / ".env").write_text(f"export MY_SERVICE_TOKEN='{value}'\n")
    result = run_datumc("build", cwd=root)
    assert result.code == 1
    assert "DC023" in result.stderr and "MY_SERVICE_TOKEN" in result.stderr
    assert value not in result.output


def test_console_masks_secret_env_values_in_any_message(project) -> None:
    """The last line of defence: even a message that quotes a value verbatim."""
    root = project({"a": datum("a")})
    code = (
        "import sys; from datumc.console import Console\n"
        "Console().err('leak? ' + sys.argv[1]); Console().out('leak? ' + sys.argv[1])\n"
    )
    import subprocess

    from tests.conftest import datumc_env

    proc = subprocess.run([sys.executable, "-c", code, SECRET], cwd=root, capture_output=True,
                          text=True, env=datumc_env({"SOME_API_KEY": SECRET}), check=True)
    assert SECRET not in proc.stdout + proc.stderr
    assert f"leak? {MASKED}" in proc.stderr and f"leak? {MASKED}" in proc.stdout


@pytest.mark.parametrize("value", [
    'pa\\ss"word-0123456789-tok',   # YAML writes it escaped: \\ and \"
    "tab\there-0123456789-token",   # written as \t
    "uni\u2028line-0123456789-tok",  # written as \L
])
def test_a_secret_the_output_writes_escaped_is_still_found(project, value: str) -> None:
    """The leak check reads each output as its consumer does (YAML parsed, shell words
    split, unit values unescaped), so an escape on the way in hides nothing."""
    root = project({"a": datum("a", parameters={"extra_header": value})})
    (root / ".env").write_text(f"MY_SERVICE_TOKEN={value}\n")
    result = run_datumc("build", cwd=root)
    assert result.code == 1, result.output
    assert "DC023" in result.stderr and "MY_SERVICE_TOKEN" in result.stderr
    assert "a.ai_model.toml:" in result.stderr  # pointed at the datum line that holds it
    assert value not in result.output
    assert not (root / "build").exists()


def test_a_secret_compose_escapes_is_still_found(project) -> None:
    """compose.yaml writes every `$` as `$$`; the leak check reads it as compose does."""
    value = "tok$en-0123456789-$(x)-secret"
    root = project({"a": datum("a")}, tomli_w.dumps(
        {"datumc": {"targets": ["compose"]}, "proxy": {"env_file": f"{value}.env"}}))
    (root / ".env").write_text(f"MY_SERVICE_TOKEN={value}\n")
    (root / f"{value}.env").write_text(f"MY_SERVICE_TOKEN={value}\n")
    result = run_datumc("build", cwd=root)
    assert result.code == 1, result.output
    assert "DC023" in result.stderr and "MY_SERVICE_TOKEN" in result.stderr
    assert value not in result.output
    assert not (root / "build").exists()


def test_an_env_file_name_too_long_to_look_up_is_not_a_crash(project) -> None:
    root = project({"a": datum("a")}, tomli_w.dumps({"proxy": {"env_file": "e" * 300}}))
    result = run_datumc("build", cwd=root)
    assert result.code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


FORGED = "datums/x.ai_model.toml:1:1: error DC999 forged"


def test_no_value_forges_a_line_or_reaches_the_terminal_raw(project) -> None:
    """The one sanitizer: a quoted key holding a line break and a value holding ESC
    sequences are printed escaped, in every format."""
    text = datum("a", parameters={f"x\n{FORGED}": 1, "colour": "\x1b[31mred\x1b[0m\u2028"})
    root = project({"a": text.replace("[ai_model]", "[ai_model]\nrpm_limit = \"\x1b[2J\"")})
    for fmt in ("text", "json", "github", "sarif"):
        out = run_datumc("lint", "--format", fmt, cwd=root).output
        assert "\x1b" not in out and "\u2028" not in out, fmt
        assert not any(line.startswith(FORGED) for line in out.splitlines()), fmt


def test_key_shaped_values_are_masked_in_every_message(project) -> None:
    key = "sk-proj-" + "Zz9yXx8wVv7uTt6sRr5qPp4oNn3mMm2lLk1" + "9876"
    text = datum("a", litellm_model=f"{key}/model", fallbacks=[key],
                 parameters={"temprature": key})
    root = project({"a": text})
    for fmt in ("text", "json", "github", "sarif"):
        out = run_datumc("lint", "--format", fmt, cwd=root).output
        assert key not in out and "9876" in out, fmt


def test_env_file_values_are_masked_in_any_message(project) -> None:
    value = "correct-horse-battery-staple-42"
    root = project({"a": datum("a", parameters={"user": value})})
    (root / ".env").write_text(f"MY_PASSWORD={value}\n")
    result = run_datumc("build", cwd=root)
    assert value not in result.output
