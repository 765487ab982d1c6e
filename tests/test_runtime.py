"""`datumc serve`, `datumc models` and `datumc doctor`, against the real proxy.

The module starts the proxy once, the way a user would: `datumc serve` in a project
whose secrets live only in its `.env` file (the process environment has none).
The other commands then talk to that proxy.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, Result, datum, require_tool, run_cli, write_project
from datumc.commands import models as models_command
from datumc.console import Console
from helpers.proxy import Proxy, free_port, launch, marker, proxy_env, strong_key, wait_ready
from helpers.stacks import secret
from helpers.upstream import Upstream

MASTER = "LITELLM_MASTER_KEY"
KEYS = ("ALPHA_API_KEY", "BETA_API_KEY")


class Served:
    """The project, its upstreams and the proxy `datumc serve` started for it."""

    def __init__(self, root: Path, upstreams: dict[str, Upstream], dotenv: dict[str, str],
                 proxy: Proxy) -> None:
        self.root, self.upstreams, self.dotenv, self.proxy = root, upstreams, dotenv, proxy

    @property
    def secrets(self) -> list[str]:
        return [v for k, v in self.dotenv.items() if k.endswith("_KEY")]

    def assert_no_secret(self, result: Result) -> None:
        for value in self.secrets:
            assert value not in result.output, "a secret value was printed"


def make_project(root: Path, ups: dict[str, Upstream], port: int) -> dict[str, str]:
    datums = {
        "alpha": datum("alpha", litellm_model="openai/alpha-model", api_base_env="ALPHA_API_BASE",
                       api_key_env="ALPHA_API_KEY", capabilities=["chat"],
                       b00t={"aliases": ["a"]}, fallbacks=["beta"]),
        "beta": datum("beta", litellm_model="openai/beta-model", api_base_env="BETA_API_BASE",
                      api_key_env="BETA_API_KEY", capabilities=["chat"]),
    }
    write_project(root, datums, f"[proxy]\nport = {port}\n")
    dotenv = {
        MASTER: strong_key(),
        "ALPHA_API_BASE": ups["alpha"].v1, "ALPHA_API_KEY": secret("alpha"),
        "BETA_API_BASE": ups["beta"].v1, "BETA_API_KEY": secret("beta"),
    }
    write_dotenv(root / ".env", dotenv)
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.output
    return dotenv


def write_dotenv(path: Path, values: dict[str, str], mode: int = 0o600) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    path.chmod(mode)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_tool("litellm")
    root = tmp_path_factory.mktemp("runtime") / "project"
    ups = {n: Upstream(n) for n in ("alpha", "beta")}
    port = free_port()
    dotenv = make_project(root, ups, port)
    env = proxy_env({"PYTHONPATH": str(REPO / "compiler")})
    log = root / "serve.log"
    process = launch([sys.executable, "-m", "datumc", "serve", "--project", str(root)],
                     env=env, log=log, cwd=root)
    proxy = Proxy(f"http://127.0.0.1:{port}", dotenv[MASTER], process, log, env)
    try:
        wait_ready(proxy)
        yield Served(root, ups, dotenv, proxy)
    finally:
        proxy.stop()
        for upstream in ups.values():
            upstream.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy secrets in this process: the commands must find them in .env."""
    for name in (MASTER, *KEYS, "ALPHA_API_BASE", "BETA_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture(autouse=True)
def healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "served" in request.fixturenames:
        for upstream in request.getfixturevalue("served").upstreams.values():
            upstream.healthy()
            upstream.clear()


# -- serve ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_serve_runs_the_proxy_with_secrets_from_dotenv(served: Served) -> None:
    assert served.proxy.served() == ["a", "alpha", "beta"]
    word = marker()
    reply = served.proxy.chat("alpha", word)
    assert reply.status == 200, f"{reply}\n{served.proxy.tail()}"
    [seen] = served.upstreams["alpha"].chats(word)
    assert seen.authorization == f"Bearer {served.dotenv['ALPHA_API_KEY']}"
    log = served.proxy.log.read_text(encoding="utf-8")
    assert "datumc: serving 2 datum(s)" in log
    assert "warning:" not in log.split("datumc: serving", 1)[0]
    for value in served.secrets:
        assert value not in log


def test_serve_dry_run_prints_the_command(project_with_env: Path, clean_env: object) -> None:
    result = run_cli("serve", "--project", project_with_env, "--port", "4123", "--dry-run")
    assert result.code == 0, result.output
    assert "--config" in result.stdout and "--port 4123" in result.stdout
    assert "--host 127.0.0.1" in result.stdout
    assert "config.yaml" in result.stdout
    assert "warning" not in result.stderr


def test_serve_warns_about_missing_empty_and_placeholder_vars(
    project_with_env: Path, clean_env: object
) -> None:
    write_dotenv(project_with_env / ".env", {
        MASTER: strong_key(), "ALPHA_API_KEY": "", "BETA_API_KEY": "your-key-here",
    })
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert result.code == 0, result.output
    assert "warning: ALPHA_API_KEY is not set (API key for alpha)" in result.stderr
    assert "warning: BETA_API_KEY looks like a placeholder" in result.stderr
    assert "warning: ALPHA_API_BASE is not set" in result.stderr
    assert "your-key-here" not in result.output


def test_serve_refuses_to_start_without_a_master_key(project_with_env: Path,
                                                     clean_env: object) -> None:
    write_dotenv(project_with_env / ".env", {"ALPHA_API_KEY": "x" * 20})
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert result.code == 1
    assert "LITELLM_MASTER_KEY must hold the proxy's master key" in result.stderr


def test_serve_takes_the_shell_over_dotenv(project_with_env: Path,
                                           clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(MASTER, strong_key())
    (project_with_env / ".env").unlink()
    for name in KEYS:
        clean_env.setenv(name, secret(name))
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert result.code == 0, result.output
    assert "note: no " in result.stderr and "using the shell's environment only" in result.stderr
    assert "KEY is not set" not in result.stderr


def test_serve_warns_when_dotenv_is_readable_by_others(project_with_env: Path,
                                                      clean_env: object) -> None:
    (project_with_env / ".env").chmod(0o644)
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert "is mode 0644 and holds secrets" in result.stderr


def test_serve_needs_a_build(project_with_env: Path, clean_env: object) -> None:
    shutil.rmtree(project_with_env / "build")
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert result.code == 1
    assert "run `datumc build`" in result.stderr


def test_serve_warns_when_the_build_is_stale(project_with_env: Path, clean_env: object) -> None:
    path = project_with_env / "datums" / "beta.ai_model.toml"
    path.write_text(path.read_text() + "rpm_limit = 5\n")
    result = run_cli("serve", "--project", project_with_env, "--dry-run")
    assert result.code == 0, result.output
    assert "is out of date with the datums" in result.stderr


def test_serve_without_litellm_says_how_to_install_it(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = _project_with_env(tmp_path)
    clean_env.setenv("PATH", str(tmp_path))
    clean_env.setattr(sys, "executable", str(tmp_path / "python"))
    result = run_cli("serve", "--project", project, "--dry-run")
    assert result.code == 1
    assert "the LiteLLM proxy is not installed" in result.stderr
    assert "pip install 'datumc[proxy]'" in result.stderr
    assert "Traceback" not in result.output


def _project_with_env(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    with Upstream("alpha") as alpha, Upstream("beta") as beta:
        make_project(root, {"alpha": alpha, "beta": beta}, free_port())
    return root


@pytest.fixture
def project_with_env(tmp_path: Path) -> Path:
    """A built project with a complete .env, whose upstreams are never called."""
    require_tool("litellm")  # serve looks for the proxy before anything else
    return _project_with_env(tmp_path)


# -- models --------------------------------------------------------------------------------


@pytest.mark.e2e
def test_models_lists_what_the_proxy_serves(served: Served, clean_env: object) -> None:
    result = run_cli("models", "--project", served.root)
    assert result.code == 0, result.output
    assert result.stdout.split() == ["a", "alpha", "beta"]
    served.assert_no_secret(result)


@pytest.mark.e2e
def test_models_reads_the_key_from_the_named_variable(served: Served,
                                                      clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MY_PROXY_KEY", served.proxy.key)
    result = run_cli("models", "--url", served.proxy.url, "--key-env", "MY_PROXY_KEY",
                     "--project", served.root)
    assert result.code == 0, result.output
    assert "alpha" in result.stdout.split()


@pytest.mark.e2e
def test_models_with_a_wrong_key_is_refused(served: Served,
                                            clean_env: pytest.MonkeyPatch) -> None:
    wrong = strong_key()
    clean_env.setenv("MY_PROXY_KEY", wrong)
    result = run_cli("models", "--url", served.proxy.url, "--key-env", "MY_PROXY_KEY")
    assert result.code == 1
    assert "refused GET /v1/models (HTTP 400" in result.stderr
    assert "is MY_PROXY_KEY (from the shell) the proxy's master key?" in result.stderr
    assert wrong not in result.output


def test_models_without_a_key_says_which_variable(tmp_path: Path, clean_env: object) -> None:
    result = run_cli("models", "--project", tmp_path, "--url", "http://127.0.0.1:9")
    assert result.code == 1
    assert "no master key: LITELLM_MASTER_KEY is not set" in result.stderr


def test_models_with_no_proxy_says_so(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(MASTER, strong_key())
    port = free_port()
    result = run_cli("models", "--project", tmp_path, "--url", f"http://127.0.0.1:{port}")
    assert result.code == 1
    assert f"no proxy is listening at http://127.0.0.1:{port}" in result.stderr


def test_models_rejects_a_bad_url(tmp_path: Path) -> None:
    result = run_cli("models", "--project", tmp_path, "--url", "localhost:4000")
    assert result.code == 2  # a usage error
    assert "not a proxy URL" in result.stderr


@pytest.mark.e2e
def test_models_health_all_healthy(served: Served, clean_env: object) -> None:
    result = run_cli("models", "--health", "--project", served.root)
    assert result.code == 0, result.output
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:-1]}
    assert rows == {"a": "ok", "alpha": "ok", "beta": "ok"}
    assert result.stdout.splitlines()[0].split() == ["MODEL", "STATUS", "LATENCY", "DETAIL"]
    assert "3 of 3 model(s) healthy" in result.stdout
    assert "\r" not in result.stderr, "progress shown although stderr is not a terminal"
    [ping] = [s for s in served.upstreams["beta"].chats() if s.prompt() == "ping"]
    assert ping.body["max_tokens"] == 1


@pytest.mark.e2e
def test_models_health_finds_a_broken_model_behind_its_fallback(
    served: Served, clean_env: object
) -> None:
    """alpha falls back to beta; a plain request would hide that alpha is down."""
    served.upstreams["alpha"].down()
    assert served.proxy.chat("alpha", marker()).status == 200  # the fallback answers
    result = run_cli("models", "--health", "--project", served.root, "-m", "alpha",
                     "-m", "beta")
    assert result.code == 1, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:-1]}
    assert lines["alpha"].split()[1:3] == ["FAIL", "500"], lines["alpha"]
    assert "Connection error" in lines["alpha"]
    assert lines["beta"].split()[1] == "ok"
    assert "1 of 2 model(s) healthy" in result.stdout


@pytest.mark.e2e
def test_models_health_shows_progress_on_a_terminal(served: Served, clean_env: object) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = io.StringIO(), Terminal()
    args = models_command.ModelsArgs(served.root, health=True)
    assert models_command.run(args, Console(out, err)) == 0
    assert "checking models 3/3" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[2K"), "the progress line is not cleared"
    assert "3 of 3 model(s) healthy" in out.getvalue()


def test_models_model_needs_health(tmp_path: Path) -> None:
    result = run_cli("models", "--project", tmp_path, "-m", "alpha")
    assert result.code == 2
    assert "--model only applies with --health" in result.stderr


# -- doctor ---------------------------------------------------------------------------------


def doctor(served: Served, root: Path | None = None) -> tuple[Result, dict[str, str]]:
    result = run_cli("doctor", "--project", root or served.root, "--url", served.proxy.url)
    served.assert_no_secret(result)
    lines = {}
    for line in result.stdout.splitlines():
        status, _, title = line.partition(" ")
        if status in ("ok", "warn", "FAIL", "skip"):
            lines[title.strip()] = status
    return result, lines


def statuses(lines: dict[str, str], start: str) -> list[str]:
    return [status for title, status in lines.items() if title.startswith(start)]


@pytest.mark.e2e
def test_doctor_passes_on_a_healthy_setup(served: Served, clean_env: pytest.MonkeyPatch) -> None:
    for name, value in served.dotenv.items():
        clean_env.setenv(name, value)
    result, lines = doctor(served)
    assert result.code == 0, result.output
    assert set(lines.values()) == {"ok"}, result.stdout
    assert any("serves exactly the 2 deployment(s)" in t for t in lines), result.stdout
    assert result.stdout.rstrip().endswith("doctor: no problems")


@pytest.mark.e2e
def test_doctor_warns_when_vars_are_not_exported(served: Served, clean_env: object) -> None:
    result, lines = doctor(served)
    assert result.code == 0, result.output
    assert statuses(lines, "not exported to this shell: LITELLM_MASTER_KEY") == ["warn"]
    assert "set -a; . ./" in result.stdout


@pytest.fixture
def copy_of(served: Served, tmp_path: Path) -> Path:
    """A copy of the served project, to break without disturbing the running proxy."""
    root = tmp_path / "copy"
    shutil.copytree(served.root, root, ignore=shutil.ignore_patterns("*.log", ".datumc.lock"))
    (root / ".env").chmod(0o600)
    return root


@pytest.mark.e2e
def test_doctor_flags_a_readable_dotenv_and_placeholders(served: Served, copy_of: Path,
                                                        clean_env: object) -> None:
    values = dict(served.dotenv, BETA_API_KEY="changeme", ALPHA_API_KEY="")
    write_dotenv(copy_of / ".env", values, mode=0o644)
    result, lines = doctor(served, copy_of)
    assert result.code == 1
    assert statuses(lines, f"{copy_of / '.env'} is mode 0644") == ["FAIL"], result.stdout
    [values_line] = [t for t in lines if "placeholder values in BETA_API_KEY" in t]
    assert "empty ALPHA_API_KEY" in values_line
    assert "changeme" not in result.output
    assert f"fix: chmod 600 {copy_of / '.env'}" in result.stdout


@pytest.mark.e2e
def test_doctor_flags_a_missing_dotenv(served: Served, copy_of: Path, clean_env: object) -> None:
    (copy_of / ".env").unlink()
    result, lines = doctor(served, copy_of)
    assert result.code == 1
    assert statuses(lines, "no ") == ["FAIL"], result.stdout
    assert ".env.example" in result.stdout


@pytest.mark.e2e
def test_doctor_flags_a_stale_build_and_a_proxy_that_serves_other_models(
    served: Served, copy_of: Path, clean_env: object
) -> None:
    (copy_of / "datums" / "gamma.ai_model.toml").write_text(
        datum("gamma", api_base_env="ALPHA_API_BASE", api_key_env="ALPHA_API_KEY"))
    result, lines = doctor(served, copy_of)
    assert result.code == 1
    assert statuses(lines, "build is out of date") == ["FAIL"], result.stdout
    [disagree] = [t for t in lines if t.startswith("proxy and datums disagree")]
    assert "not loaded: gamma (openai/gamma)" in disagree
    assert lines[disagree] == "FAIL"
    assert "fix: run `datumc build`" in result.stdout


@pytest.mark.e2e
def test_doctor_flags_an_unreachable_proxy(served: Served, clean_env: object) -> None:
    result = run_cli("doctor", "--project", served.root, "--url",
                     f"http://127.0.0.1:{free_port()}")
    assert result.code == 1
    assert "FAIL  proxy not reachable: no proxy is listening" in result.stdout
    assert "skip  served models: the proxy is not reachable" in result.stdout


@pytest.mark.e2e
def test_doctor_flags_an_unpinned_image(served: Served, copy_of: Path,
                                        clean_env: object) -> None:
    toml = copy_of / "datumc.toml"
    toml.write_text(toml.read_text() + 'image = "ghcr.io/berriai/litellm:main-latest"\n')
    result, lines = doctor(served, copy_of)
    assert result.code == 1
    assert statuses(lines, "image not pinned: ghcr.io/berriai/litellm:main-latest") == ["FAIL"]


def test_doctor_without_a_project_reports_the_datums(tmp_path: Path) -> None:
    result = run_cli("doctor", "--project", tmp_path)
    assert result.code == 1
    assert result.stdout.startswith("FAIL  datums: 1 error(s)")
    assert "Traceback" not in result.output


def test_a_build_does_not_depend_on_the_working_directory(project_with_env: Path,
                                                          tmp_path: Path) -> None:
    """`serve` and `doctor` compare the build with the datums from wherever they run."""
    config = project_with_env / "build" / "litellm" / "config.yaml"
    before = config.read_bytes()
    result = run_cli("build", "--project", ".", cwd=project_with_env)
    assert result.code == 0, result.output
    assert config.read_bytes() == before
    assert run_cli("build", "--check", "--project", project_with_env, cwd=tmp_path).code == 0


def test_serve_reports_a_litellm_that_cannot_start(project_with_env: Path,
                                                   clean_env: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    broken = tmp_path / "bin" / "litellm"
    broken.parent.mkdir()
    broken.write_text("not a program\n")
    broken.chmod(0o644)  # found by the venv lookup, but not executable
    clean_env.setenv("PATH", str(tmp_path / "empty"))
    clean_env.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    result = run_cli("serve", "--project", project_with_env)
    assert result.code == 1
    assert f"cannot start {broken}" in result.stderr
    assert "Traceback" not in result.output
