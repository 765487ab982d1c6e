"""`provider` names no provider datumc or LiteLLM knows (a typo such as "openia").

Why: the datum's `provider` says which service the model belongs to. datumc uses it
to check `litellm_model` (DC106), to tell a server you host from a cloud API
(DC107), and to suggest the right LiteLLM prefix. An unknown name turns all of
those checks off without a word. The known names are b00t's providers
(`openai_compatible`, `foundry_local`, ...) and every LiteLLM provider.

Bad:
    [ai_model]
    provider = "openia"

Good:
    [ai_model]
    provider = "openai"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.providers import PROVIDER_PREFIXES
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.load.stack import Stack
from datumc.validate.vocab import B00T_PROVIDER_PREFIX, SELF_HOSTED_PROVIDERS

CODE = "DC113"
NAME = "unknown-provider"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def known_providers() -> frozenset[str]:
    return (vocab().providers | frozenset(PROVIDER_PREFIXES) | frozenset(B00T_PROVIDER_PREFIX)
            | SELF_HOSTED_PROVIDERS)


def check(stack: Stack) -> Iterator[Diagnostic]:
    known = known_providers()
    for entry in stack.enabled:
        provider = entry.datum.ai_model.provider
        if provider in known:
            continue
        yield entry.diag(
            CODE, SEVERITY,
            f"provider '{provider}' is not a provider datumc or LiteLLM knows; the checks "
            "that depend on it are skipped",
            "ai_model", "provider",
            hint=did_you_mean(provider, known, cutoff=0.7)
            or "use a LiteLLM provider name, or openai_compatible for your own server",
            value=True,
        )
