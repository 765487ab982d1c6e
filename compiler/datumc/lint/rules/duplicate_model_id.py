"""Two deployments with the same `model_info.id`.

Why: LiteLLM keys deployments by `model_info.id`. A second deployment with the
same id replaces the first (or is refused when models come from the database),
so one of them silently stops receiving traffic. Ids are usually copied along
with a whole block; give each deployment its own, or leave `id` out and let
LiteLLM derive one.

Bad:
    - model_name: gpt-4o
      model_info: {id: gpt4o-primary}
    - model_name: gpt-4o
      model_info: {id: gpt4o-primary}

Good:
      model_info: {id: gpt4o-primary}
      model_info: {id: gpt4o-secondary}
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC216"
NAME = "duplicate-model-id"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for dep in config.deployments():
        model_id = dep.info.get("id")
        if model_id is None:
            continue
        key = str(model_id)
        if key in seen:
            yield config.diag(
                CODE, SEVERITY,
                f"model_info.id '{key[:60]}' is also used by model_list[{seen[key]}]; one "
                "deployment silently replaces the other",
                (*dep.path, "model_info", "id"), hint="give each deployment a unique id",
                value=True,
            )
        else:
            seen[key] = dep.index
