"""Run real coding clients headless against a proxy, for end-to-end tests.

`scripts/install-clients` installs Claude Code, OpenCode and the Continue CLI under
`.venv/clients/node_modules` and aider in its own venv `.venv/clients/aider` (aider pins
a LiteLLM that is not the proxy's). This module finds them, and runs each one with a
home directory of its own (HOME and every XDG directory in a temp dir, nothing read
from the tester's), its telemetry, update checks and model-list downloads switched off,
and HTTP(S) proxy variables pointing at a dead loopback port, so that any request not
for loopback fails at once instead of leaving the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from helpers.proxy import DEAD_PROXY, LOOPBACK

CLIENTS = REPO / ".venv" / "clients"
NODE_BIN = CLIENTS / "node_modules" / ".bin"
AIDER = CLIENTS / "aider" / "bin" / "aider"
TIMEOUT = 120.0

# Executable of each client, by the name the tests use.
EXECUTABLES: dict[str, Path] = {
    "claude": NODE_BIN / "claude",
    "opencode": NODE_BIN / "opencode",
    "cn": NODE_BIN / "cn",
    "aider": AIDER,
}

# Off switches each client honours; set for every client (the others ignore them).
QUIET = {
    # everyone
    "DO_NOT_TRACK": "1", "NO_COLOR": "1", "TERM": "dumb", "NO_UPDATE_NOTIFIER": "1",
    # Claude Code
    "DISABLE_TELEMETRY": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_BUG_COMMAND": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_NON_ESSENTIAL_MODEL_CALLS": "1",
    # OpenCode
    "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1", "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
    "OPENCODE_DISABLE_SHARE": "1", "OPENCODE_DISABLE_CLAUDE_CODE": "1",
    "OPENCODE_DISABLE_EXTERNAL_SKILLS": "1",
    # Continue CLI
    "CONTINUE_CLI_ENABLE_TELEMETRY": "0", "CONTINUE_METRICS_ENABLED": "0",
    # aider (on top of --no-check-update --no-analytics)
    "AIDER_CHECK_UPDATE": "false", "AIDER_ANALYTICS": "false",
}


def locate(name: str) -> Path | None:
    path = EXECUTABLES[name]
    return path if path.exists() else None


def require_client(name: str) -> Path:
    """The installed client; skips when absent, fails in CI (DATUMC_REQUIRE_TOOLS=1)."""
    found = locate(name)
    if found is not None:
        return found
    message = f"client '{name}' is not installed (run scripts/install-clients)"
    if os.environ.get("DATUMC_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def version(name: str, home: Path) -> str:
    """What `<client> --version` prints (first line), run in the isolated environment."""
    run = run_client(name, ["--version"], home=home, cwd=home, timeout=60)
    assert run.code == 0, run
    return run.stdout.strip().splitlines()[0] if run.stdout.strip() else run.output.strip()


def client_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment: nothing from the tester's shell but PATH and locale."""
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    node = shutil.which("node")
    if node:  # the npm clients' shims run `node` from PATH
        env["PATH"] = f"{Path(node).parent}{os.pathsep}{env.get('PATH', '')}"
    bypass = f"{LOOPBACK},localhost"
    env.update({
        "HOME": str(home), "USERPROFILE": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".local/state"),
        "CONTINUE_GLOBAL_DIR": str(home / ".continue"),
        "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY, "ALL_PROXY": DEAD_PROXY,
        "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY, "all_proxy": DEAD_PROXY,
        "NO_PROXY": bypass, "no_proxy": bypass,
        **QUIET,
    })
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Run:
    argv: list[str]
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    elapsed: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return (f"{' '.join(self.argv[:3])} ... exited {self.code} after {self.elapsed:.1f}s\n"
                f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}")


def run_client(name: str, args: Sequence[str | Path], *, home: Path, cwd: Path,
               env: Mapping[str, str] | None = None, timeout: float = TIMEOUT) -> Run:
    """Run one client to completion in its own process group, stdin closed. On the
    timeout the whole group is killed and `code` is None."""
    home.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    argv = [str(require_client(name)), *map(str, args)]
    started = time.monotonic()
    process = subprocess.Popen(
        argv, cwd=cwd, env=client_env(home, env), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    finally:
        # A client may leave helpers (language servers, a shell) in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return Run(argv, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               time.monotonic() - started)


# -- one function per client: its config in place, then a headless prompt --------------------


def run_claude(settings: Path, prompt: str, *, home: Path, cwd: Path,
               env: Mapping[str, str]) -> Run:
    """`claude -p` with `settings` as the user settings ($HOME/.claude/settings.json)."""
    target = home / ".claude" / "settings.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(settings, target)
    return run_client("claude", ["-p", prompt, "--output-format", "json"], home=home, cwd=cwd,
                      env=env)


def run_opencode(config: Path, prompt: str, *, home: Path, cwd: Path,
                 env: Mapping[str, str]) -> Run:
    """`opencode run` with `config` as its only config (OPENCODE_CONFIG)."""
    return run_client("opencode", ["run", prompt], home=home, cwd=cwd,
                      env={"OPENCODE_CONFIG": str(config), **env})


def run_continue(config: Path, prompt: str, *, home: Path, cwd: Path,
                 env: Mapping[str, str]) -> Run:
    """`cn -p` (headless) with `--config`."""
    return run_client("cn", ["-p", prompt, "--config", config], home=home, cwd=cwd, env=env)


def run_aider(conf: Path, metadata: Path, prompt: str, *, home: Path, cwd: Path,
              env: Mapping[str, str]) -> Run:
    """`aider --message` with `conf` (.aider.conf.yml) and the model metadata file, no
    git, no update check, no analytics, no questions. It streams, as it does by default.
    Model warnings stay on: without the metadata aider would warn "Unknown context window
    size and costs" (and look the model up in LiteLLM's online price list)."""
    args: list[str | Path] = [
        "--config", conf, "--model-metadata-file", metadata, "--message", prompt,
        "--yes-always", "--no-git", "--no-check-update", "--no-analytics", "--no-pretty",
        "--no-auto-commits", "--no-detect-urls", "--no-gitignore", "--map-tokens", "0"]
    return run_client("aider", args, home=home, cwd=cwd, env=env)
