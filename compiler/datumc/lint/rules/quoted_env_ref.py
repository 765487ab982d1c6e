"""A YAML-quoted `"os.environ/KEY"`. This is harmless; the note explains what is not.

Why this is only info: YAML quotes are syntax, not part of the value, so
`api_key: "os.environ/KEY"` and `api_key: os.environ/KEY` are the same string and
LiteLLM resolves both. The belief that the quotes break it is a popular one (some
doctors "fix" it in one direction, then the other). What really breaks an env ref:

- quote characters *inside* the value: `"'os.environ/KEY'"` (DC207);
- leading or trailing spaces, or text around the ref (DC207);
- `${KEY}` / `$KEY` shell syntax, which LiteLLM never expands (DC207);
- an env file whose values carry literal quotes: podman/docker `--env-file` keep
  them, so the key becomes `"sk-..."` with the quotes (DC301);
- a variable that is not set: it resolves to None, silently, and the first request
  fails with "Missing credentials" (DC306 checks a .env against what datums need);
- a ref that is a list item: only mapping values are resolved (DC207).

Nothing to fix here; the finding exists so a reviewer who "knows" quotes are wrong
gets the real story from `datumc explain DC217`. Disable it in datumc.toml with
`[lint] disable = ["DC217"]`.

Example (fine as it is):
    api_key: "os.environ/OPENAI_API_KEY"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import strings
from datumc.load.positions import dotted
from datumc.validate.vocab import ENV_REF_PREFIX

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC217"
NAME = "quoted-env-ref"
SEVERITY = Severity.INFO
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    text = doc.source.text
    for path, value, _ in strings(doc.data):
        if not value.startswith(ENV_REF_PREFIX) or value != value.strip():
            continue
        offset = doc.positions.value_offsets.get(path, doc.positions.offsets.get(path))
        if offset is None or offset >= len(text) or text[offset] not in "'\"":
            continue
        yield doc.diag(
            CODE, SEVERITY,
            f"{dotted(path)}: YAML-quoted os.environ/ ref; the quotes are harmless",
            path, hint="nothing to fix; `datumc explain DC217` lists what really breaks refs",
            value=True,
        )
