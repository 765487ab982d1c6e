"""A credential that no deployment uses.

Why: a credential nothing names is dead configuration, often a sign that a datum
misspells it or was meant to use it; its env vars are still required by `.env.example`,
the Kubernetes Secret and `datumc doctor`. A credential counts as used when any
`litellm_credential_name` in the config names it (a deployment, a vector store, a
search tool, ...). Not reported when models may also come from the database
(`store_model_in_db: true`) or an `include:` file, which may use it.

Bad:
    # datumc.toml
    [credentials.azure-east]
    api_key_env = "AZURE_EAST_KEY"
    api_base_env = "AZURE_EAST_BASE"
    # ... and no datum has credential = "azure-east"

Good:
    [ai_model]
    credential = "azure-east"        # in the datums that should use it; or remove the table
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.credentials import NAME_KEY, PARAM, SECTION, credential_items
from datumc.plan.model import ConfigModel

CODE = "DC229"
NAME = "unused-credential"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    items = list(credential_items(config))
    if not items or config.models_elsewhere():
        return
    used = set(_named(config.data))
    for index, name, _ in items:
        if name not in used:
            yield config.diag(
                CODE, SEVERITY, f"credential '{name}' is not used by any deployment",
                (SECTION, index, NAME_KEY),
                hint=_hint(config, name), value=True,
            )


def _named(data: Any) -> Iterator[str]:
    """Every string value of a `litellm_credential_name` key, at any depth."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = item.get(PARAM)
            if isinstance(name, str):
                yield name
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _hint(config: ConfigModel, name: str) -> str:
    if config.yaml is not None:
        return f"set litellm_credential_name: {name} in the deployments that should use it, " \
            "or remove the item"
    return f'set credential = "{name}" in the datums that should use it, or remove the table'
