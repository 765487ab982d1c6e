"""`datumc build --watch`: the real watcher, real file edits, the CLI as a process.

Each test starts `python -m datumc build --watch` in a throwaway project, edits files
the way an editor or a shell would, and waits (with a generous deadline) for what the
watcher says and writes. Where a test shows that something did *not* cause a build,
it makes one more, unrelated change afterwards and checks that exactly one build ran:
the build for that change, and none before it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchfiles import Change

from datumc.commands.build import BuildArgs
from datumc.commands.watch import Inputs, Outcome, Watched, ignored, summary
from datumc.pipeline import compile_project
from datumc.runtime.supervise import Child, describe_exit, shutdown_signals
from datumc.validate.project import Project
from datumc.write.writer import TMP_SUFFIX
from tests.conftest import datum, datumc_env, write_project
from tests.helpers.reliability import snapshot, temps

DEADLINE = 90.0  # seconds: generous, for a loaded machine; never an assertion on speed
# Long enough for watchfiles to close a batch (STEP_MS) and for the build it starts to
# be announced: noise made before it and a build it caused cannot merge with what follows.
SETTLE = 2.0
STATUS = re.compile(r"^\[\d\d:\d\d:\d\d\] (.+)$", re.MULTILINE)
LOCATED = re.compile(r"^datums/alpha\.ai_model\.toml:\d+:\d+: error DC\d{3} ", re.MULTILINE)


class Watching:
    """`datumc ARGS` running as a process in its own group; stdout and stderr go, in
    order, to one log file outside the project."""

    def __init__(self, root: Path, *args: str, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        """`env`: the whole environment (default: this one, with datumc importable)."""
        self.log = root.parent / f"watch-{uuid.uuid4().hex[:8]}.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "datumc", *args], cwd=cwd or root,
                env=datumc_env() if env is None else env,
                stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def statuses(self) -> list[str]:
        """The status lines so far, without their timestamps."""
        return STATUS.findall(self.text())

    def wait_for(self, what: str, ready: Callable[[str], bool]) -> str:
        """Wait until `ready(log)`; fail with the log when the deadline passes or the
        process ends first."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            text = self.text()
            if ready(text):
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"never saw {what} (exit code {self.process.poll()}); log:\n{self.text()}")

    def wait_status(self, count: int) -> list[str]:
        """Wait for the `count`-th status line; all of them."""
        self.wait_for(f"status line {count}", lambda _: len(self.statuses()) >= count)
        return self.statuses()

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.wait_exit()

    def wait_exit(self) -> int:
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"did not exit; log:\n{self.text()}")

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def alpha(rpm: int) -> str:
    return datum("alpha", litellm_model="openai/alpha-model", api_key_env="ALPHA_API_KEY",
                 rpm_limit=rpm)


def config(root: Path) -> str:
    """The generated LiteLLM config ("" while there is none)."""
    path = root / "build" / "litellm" / "config.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj", {"alpha": alpha(1)})


@pytest.fixture
def watching(root: Path) -> Iterator[Watching]:
    """`datumc build --watch` on `root`, past its first build and watching."""
    running = Watching(root, "build", "--watch", "--project", str(root))
    try:
        running.wait_for("the watch starting", lambda t: "datumc: watching" in t)
        yield running
    finally:
        running.close()


def save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- builds and rebuilds -----------------------------------------------------------------


def test_the_first_build_writes_what_build_writes(root: Path, watching: Watching) -> None:
    assert watching.statuses() == ["built: 10 files changed"]
    assert "wrote build/litellm/config.yaml" in watching.text()
    assert "rpm: 1\n" in config(root)
    assert "datumc: watching .env, datumc.toml, datums/; Ctrl-C to stop" in watching.text()


def test_a_change_rebuilds(root: Path, watching: Watching) -> None:
    save(root / "datums" / "alpha.ai_model.toml", alpha(7))
    statuses = watching.wait_status(2)
    assert statuses[1] == "rebuilt: 2 files changed"  # the config, in litellm/ and kubernetes/
    assert "rpm: 7\n" in config(root)


def test_a_burst_of_saves_makes_one_rebuild(root: Path, watching: Watching) -> None:
    path = root / "datums" / "alpha.ai_model.toml"
    for rpm in range(11, 21):  # ten saves within about 100 ms
        save(path, alpha(rpm))
        time.sleep(0.01)
    watching.wait_status(2)
    assert "rpm: 20\n" in config(root)
    time.sleep(SETTLE)
    save(root / "datums" / "beta.ai_model.toml", datum("beta"))
    watching.wait_for("beta built", lambda _: "model_name: beta" in config(root))
    statuses = watching.wait_status(3)
    assert statuses[1] == "rebuilt: 2 files changed"  # the burst: one rebuild
    assert statuses[2] == "rebuilt: 8 files changed"  # beta, and nothing more


def test_a_broken_datum_keeps_the_last_good_build_and_the_fix_rebuilds(
    root: Path, watching: Watching
) -> None:
    before = snapshot(root / "build")
    path = root / "datums" / "alpha.ai_model.toml"
    save(path, alpha(3).replace("rpm_limit = 3", 'rpm_limit = "lots"'))
    text = watching.wait_for("the failure", lambda t: "build failed" in t)
    assert LOCATED.search(text), text
    assert watching.statuses()[1] == "build failed: 1 error; the last good build is kept"
    assert snapshot(root / "build") == before
    assert temps(root / "build") == []
    save(path, alpha(4))
    assert watching.wait_status(3)[2] == "rebuilt: 2 files changed"
    assert "rpm: 4\n" in config(root)


def test_editor_files_temp_files_and_outputs_trigger_nothing(
    root: Path, watching: Watching
) -> None:
    datums, build = root / "datums", root / "build"
    for name in (".alpha.ai_model.toml.swp", "alpha.ai_model.toml~", "4913",
                 ".#alpha.ai_model.toml", f".alpha.ai_model.toml.1.ab{TMP_SUFFIX}",
                 "notes.txt"):
        save(datums / name, alpha(99))
    save(datums / ".hidden" / "gamma.ai_model.toml", datum("gamma"))
    save(build / "notes.txt", "mine")
    (build / "litellm" / "config.yaml").touch()
    save(build / "litellm" / f".config.yaml.1.ab{TMP_SUFFIX}", "partial")
    time.sleep(SETTLE)
    assert watching.statuses() == ["built: 10 files changed"], watching.text()
    save(datums / "beta.ai_model.toml", datum("beta"))
    statuses = watching.wait_status(2)
    time.sleep(SETTLE)
    assert watching.statuses() == statuses == ["built: 10 files changed",
                                               "rebuilt: 8 files changed"]
    assert "gamma" not in config(root) and "rpm: 99" not in config(root)


def test_a_hand_edited_output_is_reported_and_the_watch_goes_on(
    root: Path, watching: Watching
) -> None:
    generated = root / "build" / "litellm" / "config.yaml"
    edited = generated.read_text(encoding="utf-8") + "# mine\n"
    generated.write_text(edited, encoding="utf-8")
    save(root / "datums" / "alpha.ai_model.toml", alpha(5))
    text = watching.wait_for("the hand edit", lambda t: "build failed" in t)
    assert "DC020" in text
    assert watching.statuses()[1] == "build failed: 1 error; the last good build is kept"
    assert generated.read_text(encoding="utf-8") == edited
    generated.unlink()  # the user gives up the edit: the next change rebuilds it
    save(root / "datums" / "alpha.ai_model.toml", alpha(6))
    watching.wait_status(3)
    assert "rpm: 6\n" in config(root)


def test_the_env_file_is_an_input(root: Path, watching: Watching) -> None:
    """The build refuses to write a secret it can see in .env: so .env is watched."""
    save(root / "datums" / "alpha.ai_model.toml",
         datum("alpha", api_key_env="ALPHA_API_KEY", metadata={"note": "plainwordsvalue"}))
    watching.wait_status(2)
    assert "plainwordsvalue" in config(root)
    env = root / ".env"
    save(env, "ALPHA_API_KEY=plainwordsvalue\n")
    env.chmod(0o600)
    text = watching.wait_for("the leak", lambda t: "DC023" in t)
    assert watching.wait_status(3)[2].startswith("build failed: ")
    assert "plainwordsvalue" not in text


def test_the_watch_follows_datum_dirs(root: Path, watching: Watching) -> None:
    save(root / "models" / "beta.ai_model.toml", datum("beta"))
    save(root / "datumc.toml", '[datumc]\ndatum_dirs = ["models"]\n')
    watching.wait_for("the new datum dirs", lambda t: "now watching" in t)
    assert "model_name: beta" in config(root) and "alpha" not in config(root)
    count = len(watching.statuses())
    save(root / "models" / "beta.ai_model.toml", datum("beta", rpm_limit=42))
    watching.wait_status(count + 1)
    assert "rpm: 42\n" in config(root)


def test_a_new_subdirectory_is_watched(root: Path, watching: Watching) -> None:
    nested = root / "datums" / "more" / "deeper"
    save(nested / "beta.ai_model.toml", datum("beta"))
    watching.wait_for("beta built", lambda _: "model_name: beta" in config(root))
    count = len(watching.wait_status(2))
    save(nested / "beta.ai_model.toml", datum("beta", rpm_limit=43))
    watching.wait_status(count + 1)
    assert "rpm: 43\n" in config(root)


def test_a_missing_datum_dir_is_picked_up_when_it_appears(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"alpha": alpha(1)},
                         '[datumc]\ndatum_dirs = ["datums", "extra/models"]\n')
    running = Watching(root, "build", "--watch", "--project", str(root))
    try:
        running.wait_for("the watch starting", lambda t: "datumc: watching" in t)
        assert running.statuses() == ["build failed: 1 error; the last good build is kept"]
        save(root / "extra" / "models" / "beta.ai_model.toml", datum("beta"))
        running.wait_for("beta built", lambda _: "model_name: beta" in config(root))
    finally:
        running.close()


# -- ending ------------------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5])
def test_ctrl_c_exits_130_cleanly(root: Path, watching: Watching, delay: float) -> None:
    """Ctrl-C while idle, or while the build a change started may be running."""
    if delay:
        save(root / "datums" / "alpha.ai_model.toml", alpha(8))
        time.sleep(delay)
    assert watching.interrupt() == 130
    text = watching.text()
    assert "Traceback" not in text
    assert "datumc: interrupted" in text
    assert list(root.rglob(f"*{TMP_SUFFIX}")) == []


def test_the_watch_ends_when_the_project_directory_goes(root: Path) -> None:
    running = Watching(root, "build", "--watch")  # from inside it, as a user would
    try:
        running.wait_for("the watch starting", lambda t: "datumc: watching" in t)
        shutil.rmtree(root)
        assert running.wait_exit() == 1
        assert "is gone; stopped watching" in running.text()
        assert "Traceback" not in running.text()
    finally:
        running.close()


def test_a_project_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    running = Watching(tmp_path / "nowhere", "build", "--watch", "--project",
                       str(tmp_path / "nowhere"), cwd=tmp_path)
    assert running.wait_exit() == 1
    assert "does not exist" in running.text()


# -- the pieces --------------------------------------------------------------------------


def test_the_filter_keeps_inputs_and_drops_everything_else(root: Path) -> None:
    (root / "datums" / "sub").mkdir()
    (root / "build").mkdir()
    inputs = Inputs.of(root, Project(), BuildArgs(root))
    relevant = Watched(inputs, inputs.directories())
    datums = root / "datums"
    for path in (root / "datumc.toml", root / ".env", datums / "x.ai_model.toml",
                 datums / "sub" / "y.model.toml", datums / "sub", datums, root):
        assert relevant(Change.modified, str(path)), path
    for path in (datums / "x.ai_model.toml~", datums / ".x.ai_model.toml.swp",
                 datums / "4913", datums / ".#x.ai_model.toml", datums / "notes.txt",
                 datums / f".x.ai_model.toml.12.ab{TMP_SUFFIX}", datums / ".git" / "x",
                 datums / ".hidden" / "x.ai_model.toml", root / "build" / "x.ai_model.toml",
                 root / "build", root / "README.md", root / "other" / "x.ai_model.toml"):
        assert not relevant(Change.added, str(path)), path


def test_outputs_and_hidden_directories_are_not_watched(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"alpha": alpha(1)},
                         '[datumc]\ndatum_dirs = ["."]\nout_dir = "out"\n')
    for name in ("out/litellm", ".git/objects", "datums/sub", "node/x"):
        (root / name).mkdir(parents=True)
    inputs = Inputs.of(root, Project.model_validate(
        {"datumc": {"datum_dirs": ["."], "out_dir": "out"}}), BuildArgs(root))
    assert inputs.directories() == {root, root / "datums", root / "datums" / "sub",
                                    root / "node", root / "node" / "x"}


@pytest.mark.parametrize("name", ["a.datumc-tmp", ".a.toml.swp", ".a.toml.swo", "a.toml~",
                                  "4913", ".#a.toml", "#a.toml#"])
def test_ignored_names(name: str) -> None:
    assert ignored(name)


@pytest.mark.parametrize("name", ["a.ai_model.toml", "datumc.toml", ".env", "4914"])
def test_names_that_are_not_ignored(name: str) -> None:
    assert not ignored(name)


def test_status_lines(root: Path) -> None:
    good = compile_project(root)
    assert good.ok
    assert summary(Outcome(good, ("litellm/config.yaml",))) == "rebuilt: 1 file changed"
    assert summary(Outcome(good, ("a", "b")), first=True) == "built: 2 files changed"
    assert summary(Outcome(good)) == "no change"
    assert summary(Outcome(good), first=True) == "built: no change"
    assert summary(Outcome(good, errors=1)) == \
        "build failed: 1 error; the last good build is kept"
    assert summary(Outcome(None, errors=3)) == \
        "build failed: 3 errors; the last good build is kept"


# -- the proxy's supervisor, with real processes -----------------------------------------


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies left out: nothing can run there) of a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def test_a_child_that_ignores_sigterm_is_killed_with_its_group(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = ("import signal, subprocess, sys, time, pathlib\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "subprocess.Popen([sys.executable, '-c', 'import signal, time; "
            "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
            f"pathlib.Path({str(ready)!r}).touch()\n"
            "time.sleep(600)\n")
    child = Child(_python(code), dict(os.environ))
    deadline = time.monotonic() + DEADLINE
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.exit_code() is None
    assert len(group_members(child.pid)) == 2
    assert child.stop(grace=0.5) == -signal.SIGKILL
    assert group_members(child.pid) == [], "a process of the child's group survived"
    assert child.stop() == -signal.SIGKILL  # idempotent


def test_a_child_that_ends_by_itself_reports_its_code(tmp_path: Path) -> None:
    child = Child(_python("raise SystemExit(3)"), dict(os.environ))
    deadline = time.monotonic() + DEADLINE
    while child.exit_code() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.exit_code() == 3
    assert child.stop() == 3
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-signal.SIGTERM) == "was killed by SIGTERM"


def test_a_child_that_cannot_start_is_a_clean_error(tmp_path: Path) -> None:
    from datumc.errors import DatumcError

    with pytest.raises(DatumcError, match="cannot start"):
        Child([str(tmp_path / "no-such-program")], {})


def test_ctrl_c_while_the_child_stops_kills_it_at_once_then_counts(tmp_path: Path) -> None:
    """The child ignores SIGTERM and would exit with 7 after a while: the Ctrl-C that
    comes during the (long) grace period kills it instead, and is then delivered."""
    ready = tmp_path / "ready"
    code = ("import signal, time, pathlib\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            f"pathlib.Path({str(ready)!r}).touch()\n"
            "time.sleep(20)\n"
            "raise SystemExit(7)\n")
    child = Child(_python(code), dict(os.environ))
    deadline = time.monotonic() + DEADLINE
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            child.stop(grace=3600)
    finally:
        timer.cancel()
    assert child.exit_code() == -signal.SIGKILL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_and_sighup_end_the_watch_as_ctrl_c_does() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        before = signal.getsignal(signum)
        with pytest.raises(KeyboardInterrupt), shutdown_signals() as state:
            signal.raise_signal(signum)
        assert state.signum == signum
        assert signal.getsignal(signum) is before
