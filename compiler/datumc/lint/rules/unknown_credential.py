"""A deployment names a credential that credential_list does not define.

Why: LiteLLM 1.106 starts anyway; on each request it logs a warning and calls the
provider without the credential's key or endpoint (litellm/utils.py:708-718), so every
request to the model fails, or goes to the provider's default endpoint. A datum's
`credential` names a `[credentials.NAME]` table of datumc.toml; in a hand-written config
`litellm_credential_name` names a `credential_list` item. When credentials may also come
from the database (`store_model_in_db: true`) or an `include:` file, the finding is a
warning instead of an error.

Bad:
    # datumc.toml
    [credentials.openai-team]
    api_key_env = "OPENAI_TEAM_KEY"

    # datums/gpt.ai_model.toml
    [ai_model]
    credential = "openai-taem"

Good:
    [ai_model]
    credential = "openai-team"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.credentials import PARAM, credentials_by_name
from datumc.plan.model import ConfigModel

CODE = "DC228"
NAME = "unknown-credential"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    known = credentials_by_name(config)
    severity = Severity.WARNING if config.models_elsewhere() else SEVERITY
    for dep in config.deployments():
        name = dep.params.get(PARAM)
        if not isinstance(name, str) or name in known:
            continue
        message = (f"credential '{name}' is not defined, so requests to "
                   f"'{config.label(dep)}' go without its key and endpoint")
        if severity is not SEVERITY:
            message += " (unless the database or an include: file defines it)"
        hint = did_you_mean(name, known) or _fix(config)
        yield config.diag(CODE, severity, message, (*dep.path, "litellm_params", PARAM),
                          hint=hint, value=True)


def _fix(config: ConfigModel) -> str:
    if config.yaml is not None:
        return "add an item with that credential_name to credential_list, or fix the name"
    return "add a [credentials.NAME] table with that name to datumc.toml, or fix the name"
