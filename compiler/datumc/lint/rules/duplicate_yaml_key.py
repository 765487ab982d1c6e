"""The same key twice in one YAML mapping.

Why: YAML parsers keep the *last* value and drop the first without a word. Two
`litellm_settings:` blocks, or two `api_key:` lines in one deployment, mean half
of what you wrote is ignored.

Bad:
    litellm_settings:
      drop_params: true
    litellm_settings:
      request_timeout: 600

Good:
    litellm_settings:
      drop_params: true
      request_timeout: 600
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.positions import dotted

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC218"
NAME = "duplicate-yaml-key"
SEVERITY = Severity.ERROR
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    for path in doc.duplicate_keys:
        where = dotted(path[:-1]) or "the top level"
        yield doc.diag(
            CODE, SEVERITY,
            f"key '{path[-1]}' appears more than once in {where}; YAML keeps only the last "
            "one and drops the rest",
            path, hint="merge the two into one key",
        )
