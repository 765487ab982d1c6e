"""`litellm_model` has a provider prefix LiteLLM does not know, or none it can infer.

Why: LiteLLM picks the provider from the part before the first `/`. An unknown
prefix (`Qwen/Qwen2.5-7B`, `openia/gpt-4o`) makes the proxy **drop the deployment
with only a log line**; `--validate_config` still says OK. Without a prefix LiteLLM
guesses from its model map, which works for `gpt-4o` but not for a local model.
The known prefixes come from the pinned LiteLLM release (`datumc explain` is
offline; the list is a snapshot, see scripts/snapshot_litellm.py).

Bad:
    [ai_model]
    provider = "openai_compatible"
    litellm_model = "Qwen/Qwen2.5-7B-Instruct"     # "Qwen" is not a provider

Good:
    [ai_model]
    provider = "openai_compatible"
    litellm_model = "openai/Qwen/Qwen2.5-7B-Instruct"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import inferred_provider, split_model, vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import did_you_mean
from datumc.lint.providers import suggested_prefix
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC105"
NAME = "unknown-provider-prefix"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS


def problem(model: str, *, fix_prefix: str | None = None) -> tuple[str, str] | None:
    """(message, hint) when LiteLLM cannot route `model`; shared with the YAML rule."""
    if model.startswith(ENV_REF_PREFIX):
        return None  # LiteLLM resolves os.environ/ in litellm_params, model included
    prefix, rest = split_model(model)
    if prefix is None:
        if model == "*" or inferred_provider(rest) is not None:
            return None
        fix = f"write '{fix_prefix or 'openai'}/{model}'"
        return (f"'{model}' has no provider prefix and is not in LiteLLM's model map, so "
                "LiteLLM cannot tell which provider to call", fix)
    if prefix in vocab().providers:
        return None
    close = did_you_mean(prefix, vocab().providers, cutoff=0.7)
    fix = close or (f"write '{fix_prefix}/{model}'" if fix_prefix else
                    "use a LiteLLM provider prefix such as openai/, anthropic/, ollama_chat/")
    return (f"'{prefix}/' is not a LiteLLM provider prefix; LiteLLM drops this deployment "
            "with only a log line", fix)


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        am = entry.datum.ai_model
        found = problem(am.litellm_model, fix_prefix=suggested_prefix(am.provider))
        if found is not None:
            message, hint = found
            yield entry.diag(CODE, SEVERITY, f"litellm_model: {message}",
                             "ai_model", "litellm_model", hint=hint, value=True)
