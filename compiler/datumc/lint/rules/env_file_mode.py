"""A .env file that other users on the machine can read.

Why: a .env holds API keys and the proxy master key. With mode 0644 every local
user (and every process running as one) can read them. datumc writes env files as
0600 and expects the same of yours. Templates (`.env.example`) hold no secrets and
are not checked; nor is anything on systems without POSIX modes.

Bad:
    -rw-r--r--  .env

Good:
    chmod 600 .env      # -rw-------
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envfile import is_template
from datumc.lint.rule import Scope
from datumc.load.env_loader import EnvDoc

CODE = "DC305"
NAME = "env-file-mode"
SEVERITY = Severity.WARNING
SCOPE = Scope.ENV


def check(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    if os.name != "posix" or is_template(doc):
        return
    try:
        mode = stat.S_IMODE(doc.source.path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        yield Diagnostic(
            CODE, SEVERITY,
            f"mode is {mode:04o}; group and other users can read the secrets in it",
            doc.display, hint=f"chmod 600 {doc.display}",
        )
