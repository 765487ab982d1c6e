"""A callback name LiteLLM does not have: the logging or alerting it stands for never runs.

Why: `success_callback`, `failure_callback` and `callbacks` in litellm_settings take
names LiteLLM knows (`langfuse`, `datadog`, `prometheus`, `otel`, ...) or the dotted
path of your own handler (`custom_callbacks.proxy_handler_instance`). A name it does
not know is skipped in `success_callback` and `failure_callback`, and stops the proxy
at startup in `callbacks`, where it is taken for an import path. `service_callback`
takes only `prometheus_system`, `datadog` and `otel`. The known names come from the
pinned release's source (scripts/snapshot_litellm_env.py).

Bad:
    litellm_settings:
      success_callback: ["langfusee", "log_raw_request_response"]
      service_callback: ["prometheus"]

Good:
    litellm_settings:
      success_callback: ["langfuse"]
      service_callback: ["prometheus_system"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import env_facts
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel

CODE = "DC224"
NAME = "unknown-callback"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

CALLBACK_KEYS = ("success_callback", "failure_callback", "callbacks")
# litellm/_service_logger.py acts on these names only.
SERVICE_CALLBACKS = frozenset({"prometheus_system", "datadog", "otel"})


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    settings = config.section("litellm_settings")
    known = frozenset(env_facts()["callbacks"])
    for key in (*CALLBACK_KEYS, "service_callback"):
        names = settings.get(key)
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            continue
        valid = SERVICE_CALLBACKS if key == "service_callback" else known
        for index, name in enumerate(names):
            if isinstance(name, str) and "." not in name and name not in valid:
                path = ("litellm_settings", key, index)
                yield config.diag(
                    CODE, SEVERITY,
                    f"{config.where(path)}: '{name}' is not a callback LiteLLM has; what it "
                    "stands for never runs", path,
                    hint=did_you_mean(name, valid, cutoff=0.6)
                    or "use a LiteLLM callback name, or the dotted path of your handler",
                    value=True)
