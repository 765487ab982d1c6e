"""`provider` says one thing and the `litellm_model` prefix another.

Why: LiteLLM routes by the prefix alone; `provider` is what people (and b00t)
read. When they disagree, one of them is wrong: a datum that says
`provider = "anthropic"` but has `litellm_model = "openai/claude-..."` sends the
Anthropic key to OpenAI's API. `openai_compatible` servers use the `openai/` (or
`hosted_vllm/`) prefix; `ollama` uses `ollama/` or `ollama_chat/`; `vllm` uses
`hosted_vllm/` or `openai/`. Providers datumc does not know are not checked.

Bad:
    [ai_model]
    provider = "anthropic"
    litellm_model = "openai/claude-sonnet-4-5"

Good:
    [ai_model]
    provider = "anthropic"
    litellm_model = "anthropic/claude-sonnet-4-5"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.providers import effective_provider, expected_prefixes, fits
from datumc.lint.rule import Scope
from datumc.load.stack import Stack

CODE = "DC106"
NAME = "provider-prefix-mismatch"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        am = entry.datum.ai_model
        expected = expected_prefixes(am.provider)
        actual = effective_provider(am.litellm_model)
        if expected is None or actual is None or fits(actual, expected):
            continue
        shown = " or ".join(f"'{p}/'" for p in expected[:3])
        yield entry.diag(
            CODE, SEVERITY,
            f"provider '{am.provider}' expects a {shown} model, but LiteLLM will call "
            f"'{actual}' for '{am.litellm_model}'",
            "ai_model", "litellm_model",
            hint=f"fix litellm_model to start with {expected[0]}/, or correct provider",
            value=True,
        )
