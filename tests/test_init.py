"""`datumc init`: what it writes, that the result builds and lints clean for any choice of
providers, that it never overwrites a file, and how it behaves with and without a terminal."""

from __future__ import annotations

import functools
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import datumc.commands.init as init_command
from datumc.scaffold import gitignore
from datumc.scaffold.catalogue import CATALOGUE, PROVIDERS, Provider
from datumc.scaffold.render import justfile_bytes
from datumc.write.writer import apply_owned
from tests.conftest import REPO, Result, datumc_env, require_tool, run_cli
from tests.helpers.reliability import failing_opener, temps

NAMES = [p.name for p in CATALOGUE]
MASTER = "LITELLM_MASTER_KEY"


def init(root: Path, *providers: str, extra: tuple[str, ...] = ()) -> Result:
    args: list[str | Path] = ["init", root]
    for name in providers:
        args += ["--provider", name]
    return run_cli(*args, *extra)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (build/ aside), relative path -> bytes."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "build" not in p.relative_to(root).parts}


def env_example(root: Path) -> list[str]:
    text = (root / "build/litellm/.env.example").read_text()
    return [line.split("=", 1)[0] for line in text.splitlines()
            if line and not line.startswith("#")]


def expected_env(providers: list[Provider]) -> set[str]:
    return {MASTER} | {n for p in providers for n in p.env_names}


def assert_builds_and_lints_clean(root: Path) -> None:
    built = run_cli("build", "--project", root)
    assert built.code == 0, built.output
    assert "up to date" in built.stdout  # init built it already; nothing changes
    lint = run_cli("lint", "--strict", "--format", "json", "--project", root)
    assert lint.code == 0, lint.output
    assert json.loads(lint.stdout)["diagnostics"] == []


def assert_project_for(root: Path, result: Result, providers: list[Provider]) -> None:
    assert result.code == 0, result.output
    files = {f"datums/{m.file}.ai_model.toml" for p in providers for m in p.models}
    assert set(tree(root)) == files | {"datumc.toml", "justfile", ".gitignore"}
    assert_builds_and_lints_clean(root)
    needed = expected_env(providers)
    assert set(env_example(root)) == needed
    steps = result.stdout[result.stdout.index("next:"):]
    for name in needed:
        assert f"    {name} " in steps, f"{name} not named in the next steps:\n{steps}"
    assert steps.index("datumc init-env") < steps.index("datumc serve")


# -- the catalogue ----------------------------------------------------------------------


def test_the_catalogue_covers_the_common_providers() -> None:
    assert {"anthropic", "openai", "openrouter", "groq", "gemini", "mistral", "ollama",
            "vllm"} <= set(PROVIDERS)
    names = [m.name for p in CATALOGUE for m in p.models]
    aliases = [a for p in CATALOGUE for m in p.models for a in m.aliases]
    assert len(set(names + aliases)) == len(names) + len(aliases), "a name is used twice"
    for provider in CATALOGUE:
        assert 1 <= len(provider.models) <= 2
        assert (provider.key_env is None) != (provider.base_env is None)
        own = {m.name for m in provider.models}
        assert all(set(m.fallbacks) <= own for m in provider.models), provider.name


def test_list_shows_each_provider_and_what_it_needs(tmp_path: Path) -> None:
    result = run_cli("init", "--list", cwd=tmp_path)
    assert result.code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for provider in CATALOGUE:
        row = rows[provider.name]
        assert all(name in row for name in provider.env_names), row
        assert all(m.name in row for m in provider.models), row
    assert "http://localhost:11434" in rows["ollama"]
    assert list(tmp_path.iterdir()) == [], "--list writes nothing"


@pytest.mark.parametrize(("typed", "meant"), [("antropic", "anthropic"), ("olama", "ollama"),
                                               ("claude", "anthropic"), ("google", "gemini")])
def test_an_unknown_provider_is_a_usage_error_with_the_nearest_match(
    tmp_path: Path, typed: str, meant: str
) -> None:
    result = init(tmp_path / "p", "openai", typed)
    assert result.code == 2
    assert f"unknown provider '{typed}' (did you mean '{meant}'?)" in result.stderr
    assert all(name in result.stderr for name in NAMES)
    assert not (tmp_path / "p").exists()


def test_an_unknown_provider_with_no_near_match_lists_the_known_ones(tmp_path: Path) -> None:
    result = init(tmp_path / "p", "qqqqqq")
    assert result.code == 2
    assert "did you mean" not in result.stderr
    assert "known providers: " + ", ".join(NAMES) in result.stderr


# -- the result builds and lints clean --------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_provider_alone_builds_and_lints_clean(tmp_path: Path, name: str) -> None:
    root = tmp_path / "proj"
    assert_project_for(root, init(root, name), [PROVIDERS[name]])
    for model in PROVIDERS[name].models:
        datum = tomllib.loads((root / f"datums/{model.file}.ai_model.toml").read_text())
        assert datum["b00t"]["name"] == model.name
        assert datum["ai_model"].get("api_key_env") == PROVIDERS[name].key_env
        assert datum["ai_model"].get("api_base_env") == PROVIDERS[name].base_env


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=len(NAMES) + 2))
@example(NAMES)
def test_any_choice_of_providers_builds_and_lints_clean(chosen: list[str]) -> None:
    providers = list(dict.fromkeys(PROVIDERS[n] for n in chosen))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        assert_project_for(root, init(root, *chosen), providers)


def test_provider_names_are_case_insensitive_and_repeats_count_once(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    result = init(root, "Anthropic", "anthropic", "OLLAMA")
    assert_project_for(root, result, [PROVIDERS["anthropic"], PROVIDERS["ollama"]])


def test_the_justfile_is_the_repositorys_justfile(tmp_path: Path) -> None:
    assert justfile_bytes() == (REPO / "justfile").read_bytes()
    root = tmp_path / "proj"
    assert init(root, "ollama").code == 0
    assert (root / "justfile").read_bytes() == (REPO / "justfile").read_bytes()


def test_the_written_justfile_builds_the_project(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    assert init(root, "groq").code == 0
    shutil.rmtree(root / "build")
    env = datumc_env({"DATUMC": f"{sys.executable} -m datumc"})
    proc = subprocess.run([require_tool("just"), "config"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "build/litellm/config.yaml").is_file()


# -- without a terminal --------------------------------------------------------------------


def test_without_a_terminal_or_provider_it_asks_for_one_and_writes_nothing(
    tmp_path: Path
) -> None:
    result = init(tmp_path / "p")
    assert result.code == 2
    assert "--provider" in result.stderr and "--yes" in result.stderr
    assert "datumc init --provider anthropic --provider ollama" in result.stderr
    assert not (tmp_path / "p").exists()


def test_it_never_waits_for_input_that_is_not_a_terminal(tmp_path: Path) -> None:
    """stdin is a pipe that stays open: reading it would block forever."""
    proc = subprocess.Popen([sys.executable, "-m", "datumc", "init", str(tmp_path / "p")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=datumc_env(), text=True)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    assert "no terminal" in err


def test_yes_without_a_provider_sets_up_ollama(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    assert_project_for(root, run_cli("init", root, "--yes"), [PROVIDERS["ollama"]])


# -- never overwrite ---------------------------------------------------------------------


def test_an_existing_datumc_toml_stops_init_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "datumc.toml").write_text("# mine\n")
    before = tree(root)
    result = init(root, "anthropic")
    assert result.code == 1
    assert f"{root / 'datumc.toml'} already exists" in result.stderr
    assert "never overwrites" in result.stderr and "datumc init DIR" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(root) == before
    assert "Traceback" not in result.output


def test_an_existing_datum_file_stops_init(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    mine = root / "datums/ollama-qwen3.ai_model.toml"
    mine.write_text("# mine\n")
    before = tree(root)
    result = init(root, "anthropic", "ollama")
    assert result.code == 1
    assert str(mine) in result.stderr and "already exists" in result.stderr
    assert tree(root) == before


def test_a_datum_defining_the_same_model_name_stops_init(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    other = root / "datums/my-claude.ai_model.toml"
    other.write_text('[b00t]\nname = "claude-sonnet-4-5"\ntype = "ai_model"\n\n[ai_model]\n'
                     'provider = "anthropic"\nlitellm_model = "anthropic/claude-sonnet-4-5"\n'
                     'api_key_env = "ANTHROPIC_API_KEY"\n')
    before = tree(root)
    result = init(root, "anthropic")
    assert result.code == 1
    assert f"{other} already defines the model 'claude-sonnet-4-5'" in result.stderr
    assert tree(root) == before


def test_other_datums_already_there_are_kept_and_built_with_the_new_ones(
    tmp_path: Path
) -> None:
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    shutil.copy(REPO / "datums/mistral-large.ai_model.toml", root / "datums/m.ai_model.toml")
    (root / "datums/m.ai_model.toml").write_text(
        (root / "datums/m.ai_model.toml").read_text().replace('"mistral-large"', '"my-mistral"'))
    result = init(root, "groq")
    assert result.code == 0, result.output
    assert "1 datum file(s) already in datums/ are built with the new ones" in result.stdout
    assert "model_name: my-mistral" in (root / "build/litellm/config.yaml").read_text()


def test_a_justfile_of_your_own_is_kept_and_the_recipes_go_beside_it(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Justfile").write_text("hello:\n    echo hi\n")
    result = init(root, "ollama")
    assert result.code == 0, result.output
    assert (root / "Justfile").read_text() == "hello:\n    echo hi\n"
    assert not (root / "justfile").exists()
    assert (root / "datumc.just").read_bytes() == justfile_bytes()
    assert "import 'datumc.just'" in result.stdout


def test_gitignore_lines_are_appended_only_where_missing(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    mine = b"node_modules/\n/build/\n# keep\n.env"  # no newline at the end
    (root / ".gitignore").write_bytes(mine)
    (root / ".gitignore").chmod(0o640)
    result = init(root, "ollama")
    assert result.code == 0, result.output
    after = (root / ".gitignore").read_bytes()
    assert after.startswith(mine + b"\n")
    added = entries(after[len(mine):])
    assert "*.datumc-tmp" in added and "build/" not in added and ".env" not in added
    assert after.decode().splitlines().count(".env") == 1
    assert (root / ".gitignore").stat().st_mode & 0o777 == 0o640
    assert "added 1 line(s) to" in result.stdout


def entries(text: bytes) -> list[str]:
    return [line for line in text.decode().splitlines() if line and not line.startswith("#")]


GITIGNORE_LINES = st.sampled_from([".env", "/.env", "build/", "/build", "*.datumc-tmp",
                                   "*.pyc", "# comment", "", "  .env  ", "env", "builds/"])


@given(st.lists(GITIGNORE_LINES, max_size=8), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_gitignore_merge_keeps_every_line_and_adds_each_entry_once(
    lines: list[str], newline: str, final_newline: bool
) -> None:
    text = newline.join(lines) + (newline if final_newline and lines else "")
    current = text.encode() if lines else None
    after = gitignore.with_entries(current)
    if after is None:
        assert current is not None and gitignore.missing(current) == []
        return
    assert after.startswith(current or b""), "existing bytes are kept, in order"
    assert gitignore.missing(after) == []
    assert gitignore.with_entries(after) is None, "a second run adds nothing"
    new = entries(after[len(current or b""):])
    assert len(new) == len(set(new)), "nothing is added twice"
    assert all(line.strip() not in new for line in lines if line.strip())


# -- clean errors -------------------------------------------------------------------------


def test_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    direct = init(afile, "ollama")
    assert direct.code == 2 and "afile" in direct.stderr and "is a file" in direct.stderr
    below = init(afile / "sub", "ollama")
    assert below.code == 1
    assert f"cannot create {afile / 'sub'}: {afile} is a file, not a directory" in below.stderr
    assert "Traceback" not in direct.output + below.output
    assert afile.read_text() == "x"


def test_a_symlinked_datums_directory_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "datums").symlink_to(tmp_path / "elsewhere")
    result = init(root, "ollama")
    assert result.code == 1
    assert f"{root / 'datums'} is a symlink" in result.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert tree(root) == {}


def _read_only(directory: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run argv with `directory` really read-only: chmod for a normal user, a read-only
    bind mount in a private namespace for root (root ignores permission bits)."""
    env = datumc_env()
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        finally:
            directory.chmod(0o755)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare(1): cannot make a read-only directory")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    proc = subprocess.run([unshare, "-rm", "sh", "-c", script, str(directory), *argv],
                          env=env, capture_output=True, text=True, timeout=120)
    if "mount" in proc.stderr and proc.returncode not in (0, 1):
        pytest.skip(f"cannot bind-mount read-only here: {proc.stderr.strip()}")
    return proc


def test_an_unwritable_directory_is_a_clean_error(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    proc = _read_only(parent, [sys.executable, "-m", "datumc", "init", str(parent / "proj"),
                               "--provider", "ollama"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"cannot write in {parent}" in proc.stderr
    assert "pass a directory you can write to" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(parent.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up at the third file: every file is staged before any is renamed, so
    no project file appears, and no temp file is left."""
    opener, calls = failing_opener(2)
    monkeypatch.setattr(init_command, "apply_owned", functools.partial(apply_owned,
                                                                       opener=opener))
    root = tmp_path / "proj"
    result = init(root, "anthropic")
    assert result.code == 1
    assert "no space left on device" in result.stderr and "no file was changed" in result.stderr
    assert len(calls) == 3
    assert temps(root) == []
    assert not root.exists(), "the directories init made are gone again"


# -- --from a LiteLLM config ----------------------------------------------------------------

CONFIG = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-proj-hardcoded0123456789abcdefABCDEF
  - model_name: local
    litellm_params:
      model: ollama_chat/qwen3:8b
      api_base: os.environ/OLLAMA_API_BASE
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""
SECRET = "sk-proj-hardcoded0123456789abcdefABCDEF"


def test_from_a_config_imports_it_and_adds_the_justfile_and_gitignore(tmp_path: Path) -> None:
    source = tmp_path / "config.yaml"
    source.write_text(CONFIG)
    root = tmp_path / "proj"
    result = run_cli("init", root, "--from", source)
    assert result.code == 0, result.output
    files = tree(root)
    assert {"datumc.toml", "justfile", ".gitignore"} <= set(files)
    datums = sorted(f for f in files if f.startswith("datums/"))
    assert len(datums) == 2
    assert SECRET not in result.output
    assert all(SECRET.encode() not in content for content in files.values())
    keyed = tomllib.loads(files[datums[0]].decode())["ai_model"]["api_key_env"]
    assert keyed in env_example(root)
    assert f"    {keyed} " in result.stdout and "datumc serve" in result.stdout
    assert run_cli("build", "--project", root).code == 0


def test_from_a_config_never_overwrites_either(tmp_path: Path) -> None:
    source = tmp_path / "config.yaml"
    source.write_text(CONFIG)
    root = tmp_path / "proj"
    root.mkdir()
    (root / "datumc.toml").write_text("# mine\n")
    result = run_cli("init", root, "--from", source)
    assert result.code == 1
    assert "already exists" in result.stderr and "nothing was written" in result.stderr
    assert tree(root) == {"datumc.toml": b"# mine\n"}


def test_from_a_broken_config_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "config.yaml"
    source.write_text("model_list: [\n")
    root = tmp_path / "proj"
    result = run_cli("init", root, "--from", source)
    assert result.code == 1
    assert "config.yaml" in result.stderr and "nothing was written" in result.stderr
    assert not root.exists()


def test_from_and_provider_together_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "config.yaml"
    source.write_text(CONFIG)
    result = run_cli("init", tmp_path / "p", "--from", source, "--provider", "openai")
    assert result.code == 2
    assert "--from and --provider cannot be combined" in result.stderr


# -- on a terminal ---------------------------------------------------------------------------


class Terminal:
    """`datumc init` on a pseudo-terminal: stdin, stdout and stderr are all the tty."""

    def __init__(self, *args: str | Path, cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "datumc", "init", *map(str, args)],
                                     cwd=cwd, env=datumc_env(), stdin=slave, stdout=slave,
                                     stderr=slave, close_fds=True)
        os.close(slave)
        self.raw = b""
        self.seen = ""

    def expect(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, f"waited for {text!r}; saw:\n{self.seen}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk or text in self.seen, f"ended before {text!r}:\n{self.seen}"
                # Decoded whole each time: a chunk may end inside "\r\n" or a UTF-8 character.
                self.raw += chunk
                self.seen = self.raw.decode(errors="replace").replace("\r\n", "\n")
        return self.seen

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, failed: object, *rest: object) -> None:
        """Wait for the command to finish; after a failed check, stop it at once."""
        try:
            self.proc.wait(timeout=1 if failed else 60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)

    @property
    def code(self) -> int | None:
        return self.proc.returncode


def test_on_a_terminal_it_asks_which_providers_then_confirms(tmp_path: Path) -> None:
    with Terminal("proj", cwd=tmp_path) as term:
        term.expect("Which ones")
        term.send("antropic")
        term.expect("did you mean 'anthropic'?")
        term.send("1, ollama")
        screen = term.expect("Go ahead?")
        assert "create proj/datumc.toml" in screen and "create proj/justfile" in screen
        assert not (tmp_path / "proj").exists(), "nothing is written before the yes"
        term.send("y")
        term.expect("datumc serve")
    assert term.code == 0, term.seen
    assert {m.name for p in ("anthropic", "ollama") for m in PROVIDERS[p].models} == {
        tomllib.loads(p.read_text())["b00t"]["name"]
        for p in (tmp_path / "proj/datums").iterdir()}


def test_on_a_terminal_saying_no_writes_nothing(tmp_path: Path) -> None:
    with Terminal("proj", cwd=tmp_path) as term:
        term.expect("Which ones")
        term.send("")  # the default
        screen = term.expect("Go ahead?")
        assert "ollama-qwen3.ai_model.toml" in screen
        term.send("n")
        term.expect("nothing was written")
    assert term.code == 1
    assert not (tmp_path / "proj").exists()


def test_on_a_terminal_provider_flags_are_not_asked_about(tmp_path: Path) -> None:
    with Terminal("proj", "--provider", "vllm", cwd=tmp_path) as term:
        term.expect("datumc serve")
    assert term.code == 0, term.seen
    assert "Which ones" not in term.seen and "Go ahead?" not in term.seen
    assert (tmp_path / "proj/datums/vllm-qwen3.ai_model.toml").is_file()


def test_on_a_terminal_a_taken_directory_is_refused_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj/datumc.toml").write_text("# mine\n")
    with Terminal("proj", cwd=tmp_path) as term:
        term.expect("nothing was written")
    assert term.code == 1
    assert "proj/datumc.toml already exists" in term.seen
    assert "Which ones" not in term.seen
    assert tree(tmp_path / "proj") == {"datumc.toml": b"# mine\n"}
