"""An `environment_variables:` value LiteLLM turns into garbage, or a key it skips.

Why: at startup the proxy runs `os.environ[key] = str(value)` for every entry of the
top-level `environment_variables:` section, overwriting what the environment had.
A mapping or a list becomes the text of a Python dict or list, an empty value
becomes the string `None` (or an empty string), and `true` becomes `True`, which
many readers do not take for true. A real secret set in the environment, such as
the master key, is then replaced by that text. Keys LiteLLM refuses to set (`PATH`,
`LD_PRELOAD`, `PYTHONPATH`, ...) are skipped with one log line. An `os.environ/`
ref is resolved first and is fine.

Bad:
    environment_variables:
      LITELLM_MASTER_KEY:            # empty: the key becomes the text "None"
      OTEL_HEADERS: {api-key: abc}   # the text "{'api-key': 'abc'}"

Good:
    environment_variables:
      OTEL_EXPORTER: otlp_http
      ARIZE_API_KEY: os.environ/ARIZE_API_KEY
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel

CODE = "DC219"
NAME = "environment-variable-value"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

# Keys the proxy refuses to set from the config (LiteLLM 1.106 _BLOCKED_ENV_KEYS).
BLOCKED = frozenset({
    "PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES",
    "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME",
})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    section = config.data.get("environment_variables")
    if section is not None and not isinstance(section, dict):
        whole: tuple[str, ...] = ("environment_variables",)
        yield config.diag(CODE, SEVERITY,
                          f"{config.where(whole)} is a {type(section).__name__}, not a mapping; "
                          "the proxy fails to start", whole,
                          hint="write NAME: value pairs", value=True)
        return
    for key, value in config.section("environment_variables").items():
        found = _problem(str(key), value)
        if found is not None:
            severity, message, hint = found
            path = ("environment_variables", str(key))
            yield config.diag(CODE, severity, f"{config.where(path)}: {message}", path,
                              hint=hint, value=True)


def _problem(key: str, value: Any) -> tuple[Severity, str, str] | None:
    if key in BLOCKED:
        return (Severity.WARNING, f"LiteLLM refuses to set {key} from the config and skips it",
                f"set {key} in the proxy's environment instead")
    if value is None or value == "":
        shown = "the text 'None'" if value is None else "an empty string"
        return (SEVERITY, f"empty value: LiteLLM sets {key} to {shown}, replacing any value "
                "the environment had", f"give a value, write os.environ/{key} to keep the "
                "environment's, or remove the line")
    if isinstance(value, dict | list):
        return (SEVERITY, f"a {type(value).__name__}: LiteLLM sets {key} to the text of a "
                f"Python {type(value).__name__}", "write one string value (JSON in quotes if "
                "the reader wants JSON)")
    if isinstance(value, bool):
        return (Severity.WARNING, f"LiteLLM sets {key} to '{value}' (capitalised); many "
                "readers expect 'true' or 'false'", f"write {key}: \"{str(value).lower()}\"")
    return None
