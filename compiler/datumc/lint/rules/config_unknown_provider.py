"""A deployment whose `model` LiteLLM cannot route: an unknown provider prefix, or none.

Why: LiteLLM picks the provider from the part before the first `/`. With an
unknown prefix (`Qwen/Qwen2.5-7B`, `openia/gpt-4o`) the proxy **drops the
deployment** with only a log line, and `--validate_config` still says OK. Without
a prefix LiteLLM routes only the names it knows (`gpt-4o`, `dall-e-3`); a local
model name is dropped. `custom_llm_provider:` overrides the prefix and is checked
instead; providers registered in `litellm_settings.custom_provider_map` count as
known. Checked on hand-written configs and on a datum's `litellm_model` alike. The
provider list and the bare names come from the pinned LiteLLM release (the names
are the answers of its own `get_llm_provider`; see scripts/snapshot_litellm.py).

Formerly also DC105 (the datum form of this rule).

Bad:
    litellm_params:
      model: Qwen/Qwen2.5-7B-Instruct
      api_base: http://vllm:8000/v1

    [ai_model]
    litellm_model = "Qwen/Qwen2.5-7B-Instruct"     # "Qwen" is not a provider

Good:
    litellm_params:
      model: openai/Qwen/Qwen2.5-7B-Instruct     # openai/ = any OpenAI-compatible server
      api_base: http://vllm:8000/v1
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import inferred_provider, split_model, vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel, Deployment
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC211"
NAME = "config-unknown-provider"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG
REPLACES = ("DC105",)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    custom = config.custom_providers()
    for dep in config.deployments():
        provider = dep.params.get("custom_llm_provider")
        if isinstance(provider, str):
            if provider not in vocab().providers and provider not in custom:
                yield _unknown_custom(config, dep, provider, custom)
            continue
        model = dep.params.get("model")
        if not isinstance(model, str):
            continue
        found = problem(model, custom, fix_prefix=config.prefix_hints.get(dep.index))
        if found is not None:
            path = (*dep.path, "litellm_params", "model")
            yield config.diag(CODE, SEVERITY, f"{config.where(path)}: {found[0]}", path,
                              hint=found[1], value=True)


def problem(model: str, custom: set[str], *, fix_prefix: str | None = None) -> (
    tuple[str, str] | None
):
    """(message, hint) when LiteLLM cannot route `model`."""
    if model.startswith(ENV_REF_PREFIX):
        return None  # LiteLLM resolves os.environ/ in litellm_params, model included
    if model == "*" or inferred_provider(model) is not None:
        return None  # a name LiteLLM routes as a whole (`gpt-4o`, `1024-x-1024/...`)
    prefix, _ = split_model(model)
    if prefix is None:
        return (f"'{model}' has no provider prefix and LiteLLM does not know the name, so "
                "it cannot tell which provider to call; the deployment is dropped",
                f"write '{fix_prefix or 'openai'}/{model}'")
    if prefix in vocab().providers or prefix in custom:
        return None
    close = did_you_mean(prefix, vocab().providers, cutoff=0.7)
    fix = close or (f"write '{fix_prefix}/{model}'" if fix_prefix else
                    "use a LiteLLM provider prefix such as openai/, anthropic/, ollama_chat/")
    return (f"'{prefix}/' is not a LiteLLM provider prefix; LiteLLM drops this deployment "
            "with only a log line", fix)


def _unknown_custom(config: ConfigModel, dep: Deployment, provider: str,
                    custom: set[str]) -> Diagnostic:
    path = (*dep.path, "litellm_params", "custom_llm_provider")
    return config.diag(
        CODE, SEVERITY,
        f"custom_llm_provider '{provider}' is not a LiteLLM provider, nor one registered in "
        "litellm_settings.custom_provider_map; LiteLLM drops this deployment",
        path, hint=did_you_mean(provider, vocab().providers | custom) or "use e.g. openai",
        value=True,
    )
