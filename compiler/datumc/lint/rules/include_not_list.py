"""`include:` that is not a list of file names.

Why: the proxy refuses to start ("'include' must be a list of file paths",
litellm/proxy/common_utils/config_includes.py:73-85) when `include` is a single
string or holds anything but file names; datumc then cannot follow it either. Worth
knowing while you fix it: list sections (`model_list`) from included files are
appended, but a mapping section (`litellm_settings`, `router_settings`, ...) in an
included file *replaces* the main file's section instead of merging into it. The same
mistake inside an included file is DC024.

Bad:
    include: models.yaml

Good:
    include:
      - models.yaml
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC215"
NAME = "include-not-list"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    if not isinstance(config.data, dict) or "include" not in config.data:
        return
    value = config.data["include"]
    if not isinstance(value, list):
        yield config.diag(
            CODE, SEVERITY,
            f"include must be a list of file names, not {type(value).__name__}; the proxy "
            "refuses to start",
            ("include",), hint="write include: [models.yaml] or a '- models.yaml' list",
            value=True,
        )
        return
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            yield config.diag(CODE, SEVERITY,
                           f"include[{index}] is not a file name; the proxy refuses to start",
                           ("include", index), hint="each item is a path to a YAML file")
