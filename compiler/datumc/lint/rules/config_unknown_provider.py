"""A deployment whose `model:` has a provider prefix LiteLLM does not know.

Why: LiteLLM picks the provider from the part before the first `/`. With an
unknown prefix (`Qwen/Qwen2.5-7B`, `openia/gpt-4o`) the proxy **drops the
deployment** with only a log line; without a prefix it guesses from its model map,
which works for `gpt-4o` and fails for local models. `custom_llm_provider:` in
litellm_params overrides the prefix and is checked instead. The provider list is
a snapshot of the pinned LiteLLM release.

Bad:
    litellm_params:
      model: Qwen/Qwen2.5-7B-Instruct
      api_base: http://vllm:8000/v1

Good:
    litellm_params:
      model: openai/Qwen/Qwen2.5-7B-Instruct     # openai/ = any OpenAI-compatible server
      api_base: http://vllm:8000/v1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.litellm_yaml import deployments, did_you_mean
from datumc.lint.rule import Scope
from datumc.lint.rules.unknown_provider_prefix import problem

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC211"
NAME = "config-unknown-provider"
SEVERITY = Severity.ERROR
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    for dep in deployments(doc):
        custom = dep.params.get("custom_llm_provider")
        if isinstance(custom, str):
            if custom not in vocab().providers:
                yield doc.diag(
                    CODE, SEVERITY,
                    f"custom_llm_provider '{custom}' is not a LiteLLM provider; LiteLLM "
                    "drops this deployment",
                    (*dep.path, "litellm_params", "custom_llm_provider"),
                    hint=did_you_mean(custom, vocab().providers) or "use e.g. openai",
                    value=True,
                )
            continue
        model = dep.params.get("model")
        if not isinstance(model, str) or model.startswith("os.environ/"):
            continue
        found = problem(model)
        if found is not None:
            yield doc.diag(CODE, SEVERITY, f"model: {found[0]}",
                           (*dep.path, "litellm_params", "model"), hint=found[1], value=True)
