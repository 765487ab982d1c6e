"""REPORTERS: diagnostic output formats, chosen by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datumc.diagnostics import Diagnostic
from datumc.report import github, json_report, sarif, text

Reporter = Callable[[Sequence[Diagnostic]], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "github": github.render,
    "sarif": sarif.render,
}
