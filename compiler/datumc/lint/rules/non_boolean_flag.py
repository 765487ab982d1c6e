"""A deployment's `drop_params` that is not true or false: LiteLLM treats it as unset.

Why: LiteLLM coerces `litellm_params.drop_params` to a flag; anything else (a list
of parameter names, a number) is logged once as "not a flag value, treating it as
unset", so unsupported parameters are not dropped and the provider rejects the
requests that carry them. A list of names belongs in `additional_drop_params`.

Bad:
    litellm_params:
      model: openai/gpt-4o
      drop_params: ["tool_choice", "parallel_tool_calls"]

Good:
    litellm_params:
      model: openai/gpt-4o
      additional_drop_params: ["tool_choice", "parallel_tool_calls"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC223"
NAME = "non-boolean-flag"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

# What LiteLLM's normalize_drop_params accepts besides booleans.
FLAG_WORDS = frozenset({"true", "false", "1", "0", "yes", "no"})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for dep in config.deployments():
        if "drop_params" not in dep.params:
            continue
        value = dep.params["drop_params"]
        if isinstance(value, bool) or value is None or (
                isinstance(value, str) and (value.lower() in FLAG_WORDS
                                            or value.startswith("os.environ/"))):
            continue
        path = (*dep.path, "litellm_params", "drop_params")
        hint = ("a list of names belongs in additional_drop_params" if isinstance(value, list)
                else "write drop_params: true")
        yield config.diag(CODE, SEVERITY,
                          f"{config.where(path)} is {repr(value)[:60]}, not true or false; "
                          "LiteLLM treats it as unset and drops nothing", path,
                          hint=hint, value=True)
