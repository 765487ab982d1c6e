"""`[ai_model.vertex] credentials_file` names no usable service-account JSON inside the
project: the file is missing, not a regular file, resolves outside the project through a
symlink, cannot be read, or is not a JSON object.

Why: every target mounts the file read-only into the container and the config points
`vertex_credentials` at it. LiteLLM reads it only when a request comes (it takes a path
that does not exist for the JSON itself), so a wrong file fails every request to the
model, long after the proxy started. datumc reads nothing outside the project, so a
symlink out of it is refused too. The file's content is never shown.

Bad:
    [ai_model.vertex]
    credentials_file = "secrets/missing.json"     # no such file

Good:
    [ai_model.vertex]
    credentials_file = "secrets/vertex-sa.json"   # the key JSON from the Cloud console
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.discover import outside_root
from datumc.load.stack import Stack
from datumc.secrets.redact import shown

CODE = "DC115"
NAME = "cloud-credentials-file"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS
MAX_BYTES = 1024 * 1024  # a service-account key is a few KiB

_HINT = ("put the service-account JSON (Cloud console: IAM > Service accounts > Keys) at "
         "this path inside the project, keep it out of version control, and keep it mode "
         "0600")


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        relpath = entry.datum.ai_model.vertex.credentials_file
        if relpath is None:
            continue
        problem = file_problem(stack.root / relpath, stack.root)
        if problem is not None:
            yield entry.diag(
                CODE, SEVERITY, f"credentials_file {shown(relpath)} {problem}",
                "ai_model", "vertex", "credentials_file", value=True, hint=_HINT,
            )


def file_problem(path: Path, root: Path) -> str | None:
    """What keeps `path` from being mounted as a service-account JSON, or None."""
    real = outside_root(path, root)
    if real is not None:
        return "resolves outside the project (through a symlink); datumc mounts only files " \
            "inside it"
    try:
        info = path.stat()
    except FileNotFoundError:
        return "does not exist (paths are relative to the project directory)"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > MAX_BYTES:
        return f"is over {MAX_BYTES:,} bytes; a service-account JSON is a few KiB"
    return _json_problem(path)


def _json_problem(path: Path) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" \
            if isinstance(exc, json.JSONDecodeError) else ""
        return f"is not JSON{where}; LiteLLM cannot load it"
    if not isinstance(data, dict):
        return "is not a JSON object; a service-account key is one"
    return None
