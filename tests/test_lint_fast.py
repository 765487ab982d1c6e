"""`datumc lint` stays fast and offline: no Jinja, no LiteLLM, no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import datum, datumc_env, write_project
from tests.helpers.lint import CLEAN_YAML

# Run `datumc lint` in a fresh interpreter with every socket connection refused, then
# report which heavy or network modules were imported along the way.
PROBE = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("datumc lint tried to use the network")
socket.socket.connect = refuse
socket.create_connection = refuse
from datumc.cli import main
code = main(sys.argv[1:])
banned = ("jinja2", "litellm", "httpx", "requests", "aiohttp", "urllib.request", "openai")
print(json.dumps({"code": code,
                  "loaded": sorted(m for m in sys.modules if m.startswith(banned))}))
"""


def _project(tmp_path: Path) -> Path:
    root = write_project(tmp_path, {
        "a": datum("a", api_base="http://gpu.lan/v1", api_key_env="K",
                   capabilities=["chat", "vision"], fallbacks=["b"]),
        "b": datum("b", litellm_model="openai/gpt-4o", capabilities=["vision"]),
    }, '[router]\nrouting_strategy = "simple-shuffle"\n')
    (root / "config.yaml").write_text(CLEAN_YAML)
    (root / ".env").write_text("K=1\n")
    return root


def test_lint_imports_no_jinja_and_no_network(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE, "lint", ".", "config.yaml", ".env"],
        cwd=root, env=datumc_env(), capture_output=True, text=True, timeout=120,
    )
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 1, proc.stdout  # DC306: the .env lacks LITELLM_MASTER_KEY
    assert report["loaded"] == []
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "datumc.lint.files" in imported  # importtime really ran
    assert not any(name.startswith("jinja2") for name in imported)


def test_build_does_use_jinja(tmp_path: Path) -> None:
    """The probe can see Jinja when it is imported (so the test above can fail)."""
    root = _project(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "build"],
        cwd=root, env=datumc_env(), capture_output=True, text=True, timeout=120,
    )
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "jinja2" in report["loaded"]
