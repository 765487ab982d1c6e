"""A generated file edited by hand: never overwritten without `force`; the diff shown,
with every secret-looking value masked."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.load.source import display_path
from datumc.secrets.detect import is_secret_name, mask
from datumc.secrets.redact import mask_tokens
from datumc.validate.vocab import ENV_REF_PREFIX
from datumc.write import HAND_EDITED
from datumc.write.manifest import MANIFEST, ManifestState
from datumc.write.output import Output

_DIFF_LINES = 40


def conflict(path: Path, current: bytes, output: Output, state: ManifestState) -> Diagnostic:
    secret = output.mode & 0o077 == 0
    diff = [
        _redact_diff_line(line, secret=secret)
        for line in difflib.unified_diff(
            current.decode("utf-8", "replace").splitlines(),
            output.content.decode("utf-8", "replace").splitlines(),
            fromfile=f"{display_path(path)} (on disk)",
            tofile=f"{display_path(path)} (datumc)",
            lineterm="",
        )
    ]
    if len(diff) > _DIFF_LINES:
        diff = [*diff[:_DIFF_LINES], f"... {len(diff) - _DIFF_LINES} more diff lines"]
    if state is ManifestState.OK:
        message = "was edited by hand since datumc wrote it; not overwritten"
    else:
        message = (f"differs from the new output and datumc has no record of writing it "
                   f"({MANIFEST} is {state.value}); not overwritten, it may hold your edits")
    return Diagnostic(
        HAND_EDITED, HAND_EDITED.severity, message, display_path(path),
        hint="move the change into the datums or datumc.toml, then run `datumc build "
        "--force` (the file on disk is kept as .bak). Diff:\n" + "\n".join(diff),
    )


_ASSIGNMENT = re.compile(r"(?P<key>\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=)(?P<value>.*)")


_YAML_PAIR = re.compile(r"(?P<key>\s*(?:-\s+)?[\"']?(?P<name>[^:#\"']+)[\"']?\s*:\s+)(?P<value>.+)")


def _redact_diff_line(line: str, *, secret: bool) -> str:
    """A diff line with secret values masked: every value of a secret file (.env),
    secret-named keys (api_key: ...) and key-shaped tokens anywhere else."""
    if line.startswith(("---", "+++", "@@")) or not line:
        return line
    sign, body = line[0], line[1:]
    if secret and not body.lstrip().startswith("#"):
        match = _ASSIGNMENT.fullmatch(body)
        if match is None:
            return f"{sign}{mask(body)}" if body.strip() else line
        value = match.group("value")
        return f"{sign}{match.group('key')}{mask(value) if value else ''}"
    match = _YAML_PAIR.fullmatch(body)
    if match is not None and is_secret_name(match.group("name")):
        value = match.group("value").strip().strip("\"'")
        if value and not value.startswith(ENV_REF_PREFIX):
            return f"{sign}{match.group('key')}{mask(value)}"
    return f"{sign}{mask_tokens(body)}"
