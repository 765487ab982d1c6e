"""Import every LiteLLM config of the corpus, build it again, and print the results table.

    LITELLM_LOCAL_MODEL_COST_MAP=True python scripts/import_corpus_report.py [CORPUS_DIR]

The table in docs/import.md comes from this script; tests/test_import_corpus.py asserts
the same verdicts. CORPUS_DIR defaults to ../shared/corpus/litellm-configs.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from datumc.importer.compare import compare_configs
from datumc.importer.plan import import_text
from datumc.pipeline import compile_project

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "corpus" / "litellm-configs"
NOTED = {"DC032": "secret", "DC033": "pass-through", "DC034": "unchecked", "DC035": "lossy"}


def _row(path: Path, corpus: Path) -> tuple[str, bool, bool]:
    """A table row, whether the round trip is exact, and whether pass-through was needed."""
    text = path.read_text(encoding="utf-8")
    result = import_text(text, path.name)
    if not result.ok:
        return f"| {path.relative_to(corpus)} | import failed | | |", False, False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for output in result.outputs:
            (root / output.relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / output.relpath).write_bytes(output.content)
        built, refused = _build(root)
    if built is None:
        return f"| {path.relative_to(corpus)} | build failed | | |", False, False
    verdict = compare_configs(yaml.safe_load(text), yaml.safe_load(built))
    kinds = ", ".join(sorted(k.value for k in verdict.kinds)) or "exact"
    if refused:
        kinds = f"refused by lint ({', '.join(refused)}); demoted: {kinds}"
    notes = Counter(NOTED[d.code] for d in result.diagnostics if d.code in NOTED)
    noted = ", ".join(f"{name} {count}" for name, count in sorted(notes.items())) or "-"
    shape = f"{result.deployments} ({result.groups} group(s))" if result.groups else \
        str(result.deployments)
    passed = bool(notes.keys() & {"pass-through", "unchecked"})
    return f"| {path.relative_to(corpus)} | {shape} | {kinds} | {noted} |", verdict.equal, passed


def _build(root: Path) -> tuple[bytes | None, list[str]]:
    """config.yaml, and the lint errors that had to be demoted to warnings to get it."""
    with contextlib.chdir(root):
        result = compile_project(Path())
    refused = sorted({d.code for d in result.diagnostics if d.severity == "error"})
    if refused and all(not code.startswith("DC0") for code in refused):
        with (root / "datumc.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n[lint.severity]\n" + "".join(f'{c} = "warning"\n' for c in refused))
        with contextlib.chdir(root):
            result = compile_project(Path())
    if not result.ok:
        return None, refused
    return next(o.content for o in result.outputs if o.relpath == "litellm/config.yaml"), refused


def main(corpus: Path) -> int:
    rows: list[str] = []
    counts: Counter[str] = Counter()
    paths = sorted(corpus.rglob("*.yaml"))
    for path in paths:
        row, equal, passed = _row(path, corpus)
        rows.append(row)
        refused = "refused by lint" in row
        counts["exact" if equal and not refused else
               "exact once demoted" if equal else "deviations"] += 1
        counts["pass-through"] += passed
    print("| config | deployments | round trip | import notes |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n{len(paths)} configs: {counts['exact']} round-trip exactly; "
          f"{counts['exact once demoted']} exactly once lint's refusal of a source bug is "
          f"demoted; {counts['deviations']} with listed deviations; {counts['pass-through']} "
          "keep something verbatim that datumc would model.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
