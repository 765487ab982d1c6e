"""The last check before anything is written: no generated file may hold a secret value.

datumc emits env var names and `os.environ/NAME` references, never values. A value
still slips in when someone pastes a key where a URL or a parameter belongs. This
stage compares every rendered output with the values of the secret environment
variables datumc can see (the process environment and the project's env file) and
refuses the whole build when one appears, pointing at the datum that holds it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.load.env_loader import EnvDoc, load_env
from datumc.load.stack import Stack
from datumc.secrets import SECRET_IN_OUTPUT
from datumc.secrets.detect import mask
from datumc.secrets.redact import is_secret_env
from datumc.validate.limits import MAX_ENV_BYTES
from datumc.write.output import Output


def known_secrets(stack: Stack, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Secret values datumc can see: NAME -> value, from the environment and the env file."""
    env = dict(os.environ if environ is None else environ)
    env_file = stack.root / stack.project.proxy.env_file
    if env_file.is_file():
        doc = load_env(env_file, limit=MAX_ENV_BYTES)
        if isinstance(doc, EnvDoc):
            env.update({e.key: e.value for e in doc.entries})
    return {name: value for name, value in env.items() if is_secret_env(name, value)}


def find_leaks(stack: Stack, outputs: Iterable[Output], secrets: Mapping[str, str]) -> (
    list[Diagnostic]
):
    """One error per secret value found in a rendered output."""
    diags = []
    for output in outputs:
        text = output.content.decode("utf-8", "replace")
        for name, value in sorted(secrets.items()):
            if value in text:
                diags.append(_leak(stack, output, name, value))
    return diags


def _leak(stack: Stack, output: Output, name: str, value: str) -> Diagnostic:
    message = (f"the value of secret variable {name} ({mask(value)}) would be written to "
               f"{output.relpath}")
    hint = ("datums name secrets, they never hold them: use api_key_env = \"NAME\" (emitted "
            "as os.environ/NAME) and keep the value in the environment or the .env file")
    for entry in stack.entries:
        offset = entry.doc.source.text.find(value)
        if offset >= 0:
            line, col = entry.doc.positions.line_col(offset)
            return Diagnostic(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message,
                              entry.doc.display, line, col, hint)
    doc = stack.project_doc
    if doc is not None and value in doc.source.text:
        line, col = doc.positions.line_col(doc.source.text.find(value))
        return Diagnostic(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, doc.display,
                          line, col, hint)
    where = str(Path(stack.project.datumc.out_dir) / output.relpath)
    return Diagnostic(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, where, hint=hint)
