"""Carry inline suppressions from datums into the config.yaml they plan.

A `# datumc: disable=DC203` on a datum line silences that finding in `datumc lint`.
The value it is about lands on some line of build/litellm/config.yaml; the same
comment is appended there, so linting the generated file (the pre-commit hook does)
agrees with linting the datums. Only codes datumc itself suppressed are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from pathlib import Path

from datumc.load.positions import KeyPath
from datumc.load.source import Source


def carry_suppressions(text: str, suppressions: Mapping[KeyPath, Set[str]]) -> str:
    if not suppressions:
        return text
    from datumc.load.yaml_loader import YamlDoc, parse_yaml

    doc = parse_yaml(Source(Path("config.yaml"), "config.yaml", text))
    if not isinstance(doc, YamlDoc):
        return text  # cannot happen for a rendered config; never break a build over it
    by_line: dict[int, set[str]] = {}
    for path, codes in suppressions.items():
        line = doc.positions.find(path)[0]
        by_line.setdefault(line, set()).update(codes)
    lines = text.split("\n")
    for line, codes in by_line.items():
        if 1 <= line <= len(lines) and lines[line - 1].strip():
            lines[line - 1] += f"  # datumc: disable={','.join(sorted(codes))}"
    return "\n".join(lines)
