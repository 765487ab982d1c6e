"""REPORTERS: diagnostic output formats, chosen by name. Each format's module is
imported when it is used (sarif reads the rule registry; text needs nothing)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence

from datumc.diagnostics import Diagnostic

Reporter = Callable[[Sequence[Diagnostic]], str]

_MODULES = {
    "text": "datumc.report.text",
    "json": "datumc.report.json_report",
    "github": "datumc.report.github",
    "sarif": "datumc.report.sarif",
}


class _Reporters(Mapping[str, Reporter]):
    """name -> the format's `render`, imported on first use."""

    def __getitem__(self, name: str) -> Reporter:
        module = importlib.import_module(_MODULES[name])
        render: Reporter = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Reporter] = _Reporters()
