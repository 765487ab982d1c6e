"""Claude Code on an `openai/` deployment that LiteLLM sends to the Responses API.

Why: Claude Code speaks Anthropic's /v1/messages. LiteLLM 1.106 answers that for an
`openai/` deployment by calling the upstream's /v1/responses, not /v1/chat/completions
(`litellm/llms/anthropic/pass_through/messages/handler.py:43`, `_RESPONSES_API_PROVIDERS
= {"openai"}`, and `:69-84`, `_should_route_to_responses_api`), unless
`litellm_settings.use_chat_completions_url_for_anthropic_messages` is true. Even then,
a request with extended thinking (Claude Code sends one) is rewritten to
`openai/responses/<model>` unless the model's `model_info.supports_reasoning` is false
(`litellm/llms/anthropic/pass_through/adapters/handler.py:349-366`). An
OpenAI-compatible server of your own (vLLM, Ollama, a subscription endpoint) usually has
no /v1/responses, so every Claude Code request fails.

datumc sets `use_chat_completions_url_for_anthropic_messages: true` in config.yaml by
itself when claude-code is among `[clients] enabled` and one of its models is an
`openai/` deployment, and `supports_reasoning: false` on such deployments whose datum
does not list the `reasoning` capability. This rule reports what is left: the setting
turned off in `[litellm_settings]`, or a `reasoning` deployment.

Bad:
    [clients]
    default = "vllm-qwen"          # openai/Qwen/..., with capabilities = ["reasoning"]

Good:
    [clients]
    default = "vllm-qwen"          # capabilities without "reasoning"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.clients import CHAT_COMPLETIONS_FOR_MESSAGES, messages_to_responses
from datumc.validate.vocab import Capability

CODE = "DC407"
NAME = "claude-code-responses-api"
SEVERITY = Severity.WARNING
SCOPE = Scope.PROJECT


def check(stack: Stack) -> Iterator[Diagnostic]:
    entries = messages_to_responses(stack.project, stack)
    if not entries:
        return
    setting = stack.project.litellm_settings.get(CHAT_COMPLETIONS_FOR_MESSAGES, True)
    for entry in entries:
        am = entry.datum.ai_model
        if setting is not True:
            problem = (f"[litellm_settings] {CHAT_COMPLETIONS_FOR_MESSAGES} is not true, so "
                       "LiteLLM sends Claude Code's /v1/messages to the upstream's "
                       "/v1/responses")
        elif Capability.REASONING in am.capabilities:
            problem = ("its reasoning capability makes LiteLLM send Claude Code's thinking "
                       "requests to the upstream's /v1/responses")
        else:
            continue
        yield entry.diag(
            CODE, SEVERITY,
            f"Claude Code may use {entry.datum.public_name!r}, an openai/ deployment: {problem}",
            "ai_model", "litellm_model",
            hint="keep the setting true (datumc's default with claude-code) and drop "
            "\"reasoning\" from the capabilities, or pick another model for Claude Code",
        )
