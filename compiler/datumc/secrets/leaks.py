"""The last check before anything is written: no generated file may hold a secret value.

datumc emits env var names and `os.environ/NAME` references, never values. A value
still slips in when someone pastes a key where a URL or a parameter belongs. This
stage compares every rendered output with the values of the secret environment
variables datumc can see (the process environment and the project's env file) and
refuses the whole build when one appears, pointing at the datum that holds it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from datumc.diagnostics import Diagnostic
from datumc.load.env_loader import EnvDoc, env_lines, load_env
from datumc.load.stack import Stack
from datumc.plan.model import walk_strings
from datumc.secrets import SECRET_IN_OUTPUT
from datumc.secrets.detect import mask
from datumc.secrets.redact import is_secret_env, remember
from datumc.validate.limits import MAX_ENV_BYTES
from datumc.write.output import Output


def known_secrets(stack: Stack, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Secret values datumc can see: NAME -> value, from the environment and the env file."""
    env = dict(os.environ if environ is None else environ)
    env_file = stack.root / stack.project.proxy.env_file
    doc = load_env(env_file, limit=MAX_ENV_BYTES) if _is_file(env_file) else None
    if isinstance(doc, EnvDoc):
        env.update({e.key: e.value for e in doc.entries})
    found = {name: value for name, value in env.items() if is_secret_env(name, value)}
    remember(found.values())  # and never print one, in any message
    return found


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name over 255 bytes, a symlink loop: no env file to read
        return False


def find_leaks(stack: Stack, outputs: Iterable[Output], secrets: Mapping[str, str]) -> (
    list[Diagnostic]
):
    """One error per secret value found in a rendered output."""
    diags = []
    for output in outputs:
        readings = readings_of(output)
        for name, value in sorted(secrets.items()):
            if any(value in text for text in readings):
                diags.append(_leak(stack, output, name, value))
    return diags


def readings_of(output: Output) -> list[str]:
    """The output's text, and every string its consumer reads out of it: YAML keys and
    values as a YAML parser returns them (escapes undone), shell words as a shell splits
    them, unit-file values with `%%`/`$$` undone, YAML strings with compose's and the
    kubelet's `$$` undone, `.env` values. A secret escaped on its way into a file is still
    the secret."""
    text = output.content.decode("utf-8", "replace")
    name = output.relpath.rsplit("/", 1)[-1]
    try:
        if name.endswith((".yaml", ".yml")):
            return [text, *_yaml_strings(text)]
        if name.endswith(".sh"):
            return [text, *_shell_words(text)]
        if name.endswith((".container", ".service")):
            return [text, *_unit_values(text)]
    except ValueError:
        pass  # unreadable as its format: the text itself is still searched
    if name.startswith(".env") or name.endswith(".env"):
        return [text, *(line.partition("=")[2] for line in env_lines(text))]
    return [text]


def _yaml_strings(text: str) -> Iterator[str]:
    import yaml

    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
    stack: list[Any] = docs
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            yield str(item)
            if "$$" in str(item):  # compose and the kubelet read `$$` as `$`
                yield str(item).replace("$$", "$")


def _shell_words(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield from shlex.split(line, comments=True, posix=True)


def _unit_values(text: str) -> Iterator[str]:
    for line in text.splitlines():
        _, sep, value = line.partition("=")
        if sep:
            plain = value.replace("%%", "%").replace("$$", "$")
            yield plain
            yield from shlex.split(plain, posix=True)


def _leak(stack: Stack, output: Output, name: str, value: str) -> Diagnostic:
    message = (f"the value of secret variable {name} ({mask(value)}) would be written to "
               f"{output.relpath}")
    hint = ("datums name secrets, they never hold them: use api_key_env = \"NAME\" (emitted "
            "as os.environ/NAME) and keep the value in the environment or the .env file")
    docs = [*(e.doc for e in stack.entries), *([stack.project_doc] if stack.project_doc else [])]
    for doc in docs:
        for path, text, _ in walk_strings(doc.data, ()):  # as parsed, escapes undone
            if value in text:
                return doc.diag(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, path,
                                hint, value=True)
    where = str(Path(stack.project.datumc.out_dir) / output.relpath)
    return Diagnostic(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, where, hint=hint)
