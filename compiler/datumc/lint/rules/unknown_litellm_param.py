"""An unknown key under a deployment's `litellm_params:`.

Why: LiteLLM forwards `litellm_params` it does not recognise **to the upstream
provider** as request parameters. A typo (`max_token`, `temprature`) either
reaches the provider, which rejects every request with a 400, or is silently
ignored by a lenient server. Known keys are LiteLLM's own parameters, the
OpenAI request parameters, provider credentials fields (`aws_region_name`,
`vertex_project`, ...) and common sampling options of OpenAI-compatible servers
(`top_k`, `min_p`, `repetition_penalty`). A deliberate provider-specific
parameter can be silenced on its line with `# datumc: disable=DC203`.

Bad:
    model_list:
      - model_name: gpt-4o
        litellm_params:
          model: openai/gpt-4o
          max_token: 1024

Good:
          max_tokens: 1024
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import unknown_keys
from datumc.plan.model import ConfigModel

CODE = "DC203"
NAME = "unknown-litellm-param"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    known = vocab().litellm_params
    for dep in config.deployments():
        yield from unknown_keys(config, (*dep.path, "litellm_params"), dep.params, known,
                                code=CODE, severity=SEVERITY,
                                consequence="LiteLLM does not know it and forwards it to "
                                "the provider (or, for some providers, drops it)")
