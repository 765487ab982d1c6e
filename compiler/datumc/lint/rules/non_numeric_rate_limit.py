"""A deployment's `rpm` or `tpm` that is not a whole number.

Why: LiteLLM validates each deployment when the proxy starts and **drops** one
whose `rpm: "abc"` fails validation, with only a log line. `--validate_config`
still says OK, and the model is simply missing from `/models`. A numeric string
(`"60"`) and an `os.environ/` ref are accepted.

Bad:
    litellm_params:
      model: openai/gpt-4o
      rpm: sixty
      tpm: 1.5e5k

Good:
    litellm_params:
      model: openai/gpt-4o
      rpm: 60
      tpm: 150000
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC210"
NAME = "non-numeric-rate-limit"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

LIMIT_KEYS = ("rpm", "tpm", "max_parallel_requests")


def whole_number(value: Any) -> bool:
    """What pydantic's lax int accepts: ints, integral floats, digit strings, refs."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int) or value is None:
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        stripped = value.strip()
        return stripped.startswith(ENV_REF_PREFIX) or stripped.lstrip("+-").isdigit()
    return False


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for dep in config.deployments():
        for key in LIMIT_KEYS:
            if key in dep.params and not whole_number(dep.params[key]):
                shown = repr(dep.params[key])[:40]
                yield config.diag(
                    CODE, SEVERITY,
                    f"{key}: {shown} is not a whole number; LiteLLM drops this deployment "
                    f"('{dep.name}') with only a log line",
                    (*dep.path, "litellm_params", key),
                    hint=f"write {key}: 60 (a bare integer)", value=True,
                )
