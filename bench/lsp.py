"""Median time from didChange to publishDiagnostics in `datumc lsp` on a 1,000-datum
project: `python -m bench.lsp [COUNT] [CHANGES]`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from tests.test_lsp import Client


def measure(count: int = 1000, changes: int = 30) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, count)
        path = next(iter(sorted((root / "datums").rglob("*.toml"))))
        text = path.read_text()
        client = Client(root)
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                      "capabilities": {}})
        client.notify("initialized")
        uri = path.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "toml", "version": 1, "text": text}})
        client.diagnostics(uri)
        times = []
        for version in range(2, changes + 2):
            edited = text + f"# edit {version}\n"
            start = time.perf_counter()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited}]})
            client.diagnostics(uri)
            times.append(time.perf_counter() - start)
        client.close()
        return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    changes = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    median = measure(count, changes)
    print(f"datumc lsp: {count} datums, median re-check {median * 1000:.0f} ms "
          f"over {changes} changes (didChange -> publishDiagnostics)")


if __name__ == "__main__":
    main()
