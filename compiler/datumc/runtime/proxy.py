"""Where the proxy is, how to reach it, and how to start it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from datumc.errors import DatumcError
from datumc.load.stack import load_project
from datumc.runtime.environment import EnvFile, env_file, shell_env
from datumc.runtime.http import check_url
from datumc.validate.project import Project

LOCAL_HOST = "127.0.0.1"
INSTALL_HINT = "pip install 'datumc[proxy]'"


def find_litellm() -> str | None:
    """The `litellm` proxy executable: on PATH, or next to this Python (a venv)."""
    found = shutil.which("litellm")
    if found:
        return found
    beside = Path(sys.executable).parent / "litellm"
    return str(beside) if beside.is_file() else None


def require_litellm() -> str:
    found = find_litellm()
    if found is None:
        raise DatumcError(
            f"the LiteLLM proxy is not installed (no `litellm` on PATH); install it with: "
            f"{INSTALL_HINT}"
        )
    return found


def default_url(project: Project) -> str:
    return f"http://{LOCAL_HOST}:{project.proxy.port}"


@dataclass(frozen=True, slots=True)
class Target:
    """A proxy to talk to: its URL and the key to send (None when there is none)."""

    url: str
    key: str | None
    key_env: str
    key_source: str  # "the shell", ".env", or "" when not found


def load_settings(root: Path, profile: str | None) -> Project:
    """The project file alone (no datums): enough for ports and env names."""
    project, _, _, diags = load_project(root, profile=profile)
    if project is None:
        first = diags[0] if diags else None
        where = f"{first.location()}: {first.message}" if first else "datumc.toml"
        raise DatumcError(f"cannot read the project settings: {where}")
    return project


def target(root: Path, project: Project, *, url: str | None, key_env: str | None) -> Target:
    """The proxy URL (default: [proxy] port on 127.0.0.1) and its master key, read from
    the shell or else from the project's env file."""
    name = key_env or project.proxy.master_key_env
    shell = shell_env()
    key = shell.get(name) or None
    source = "the shell" if key else ""
    if key is None:
        file: EnvFile = env_file(root, project)
        key = file.values.get(name) or None
        source = file.display if key else ""
    return Target(check_url(url or default_url(project)), key, name, source)
