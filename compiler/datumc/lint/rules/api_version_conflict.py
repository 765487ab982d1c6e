"""`[ai_model] api_version` and `[ai_model.azure] api_version` both set, to different
versions.

Why: LiteLLM sends one `api-version` to Azure; two values in one datum leave the reader
guessing which. The build would take `[ai_model.azure]`'s, so it refuses instead. One of
them, or both the same, is fine.

Bad:
    [ai_model]
    api_version = "2024-02-01"

    [ai_model.azure]
    api_version = "2024-10-21"

Good:
    [ai_model.azure]
    api_version = "2024-10-21"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.secrets.redact import shown

CODE = "DC116"
NAME = "api-version-conflict"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        am = entry.datum.ai_model
        top, azure = am.api_version, am.azure.api_version
        if top is None or azure is None or top == azure:
            continue
        yield entry.diag(
            CODE, SEVERITY,
            f"[ai_model.azure] api_version {shown(azure)} differs from [ai_model] "
            f"api_version {shown(top)}; LiteLLM sends one api-version",
            "ai_model", "azure", "api_version", value=True,
            hint="keep one of them (the [ai_model.azure] table is preferred), or make "
            "them equal",
        )
