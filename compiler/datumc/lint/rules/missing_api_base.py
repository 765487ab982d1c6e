"""A self-hosted provider (`openai_compatible`, `ollama`, `vllm`, ...) with no endpoint.

Why: without `api_base` (or `api_base_env`) LiteLLM uses its default: for an
`openai/` model that is api.openai.com, so requests meant for your own server go to
OpenAI with your local key; for `ollama/` it is http://localhost:11434, which inside
a container is the container itself. Either way the model does not answer.

Severity: an error when the default is a third party's API (requests and your key
go to api.openai.com) or there is none; a warning when the default is a server on
this machine (`ollama/`, `lm_studio/`), which works when the proxy runs natively.

Bad:
    [ai_model]
    provider = "openai_compatible"
    litellm_model = "openai/Qwen/Qwen2.5-7B-Instruct"

Good:
    [ai_model]
    provider = "openai_compatible"
    litellm_model = "openai/Qwen/Qwen2.5-7B-Instruct"
    api_base_env = "VLLM_API_BASE"              # or api_base = "http://gpu-box:8000/v1"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import split_model
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.providers import DEFAULT_ENDPOINTS, SELF_HOSTED_PREFIXES
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.validate.credentials import credential_sets
from datumc.validate.vocab import SELF_HOSTED_PROVIDERS

CODE = "DC107"
NAME = "missing-api-base"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        am = entry.datum.ai_model
        if am.api_base or am.api_base_env or "api_base" in am.parameters:
            continue
        if credential_sets(stack.project, am.credential, "api_base"):
            continue
        prefix = split_model(am.litellm_model)[0] or ""
        if am.provider not in SELF_HOSTED_PROVIDERS and prefix not in SELF_HOSTED_PREFIXES:
            continue
        default = DEFAULT_ENDPOINTS.get(prefix)
        where = (f"LiteLLM falls back to {default}" if default
                 else "LiteLLM has no endpoint to call")
        local = default is not None and "localhost" in default
        yield entry.diag(
            CODE, Severity.WARNING if local else SEVERITY,
            f"provider '{am.provider}' runs on a server you host, but there is no api_base; "
            f"{where}",
            "ai_model", "provider",
            hint='add api_base = "http://host:port/v1", or api_base_env = "NAME" to take '
            "it from the environment",
        )
