"""Lint the shared corpus and print a Markdown table of findings per rule.

    python scripts/lint_corpus.py [../shared/corpus]

Datum directories are linted one at a time (b00t keeps the same models in
ai_model/ and model/, which would otherwise clash as duplicates); every LiteLLM
config and the K-LEAN env.example are linted together. Used for docs/lint-corpus.md.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.lint.files import lint_paths
from datumc.lint.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
DATUM_DIRS = ("b00t/ai_model", "b00t/model", "b00t/history")


def collect(corpus: Path) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory() as empty:
        for sub in DATUM_DIRS:
            diags.extend(lint_paths([corpus / sub], root=Path(empty)))
        configs = sorted((corpus / "litellm-configs").rglob("*.yaml"))
        envs = sorted((corpus / "litellm-configs").rglob("env.example"))
        diags.extend(lint_paths([*configs, *envs], root=Path(empty)))
    return diags


def table(diags: list[Diagnostic]) -> str:
    count = Counter(d.code for d in diags)
    files: dict[str, set[str]] = defaultdict(set)
    for d in diags:
        files[d.code].add(d.path)
    rows = ["| code | rule | level | findings | files |", "|---|---|---|---:|---:|"]
    for code, rule in RULES.items():
        if count[code]:
            levels = "/".join(sorted({d.severity.value for d in diags if d.code == code}))
            rows.append(f"| {code} | {rule.name} | {levels} | {count[code]} | {len(files[code])} |")
    return "\n".join(rows)


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    diags = collect(corpus.resolve())
    print(table(diags))
    print(f"\n{len(diags)} findings in {len({d.path for d in diags})} files")


if __name__ == "__main__":
    main()
