"""A `model_info.mode` LiteLLM does not have (`tts`, `embeddings`).

Why: LiteLLM uses `mode` to pick how it health-checks a deployment and what
`/model/info` reports; an unknown mode makes every health check of it fail ("Mode
... not supported"), so a working model shows as unhealthy, and health-check routing
avoids it. The known modes come from the pinned release (its ModelInfo type, its
model map and its health-check handlers). datumc sets `mode` from a datum's
capabilities, so this is about hand-written configs.

Bad:
    model_info:
      mode: tts

Good:
    model_info:
      mode: audio_speech
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel

CODE = "DC225"
NAME = "unknown-model-mode"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    modes = vocab().model_modes
    for dep in config.deployments():
        mode = dep.info.get("mode")
        if mode is None or mode in modes:
            continue
        path = (*dep.path, "model_info", "mode")
        yield config.diag(
            CODE, SEVERITY,
            f"{config.where(path)}: {repr(mode)[:40]} is not a LiteLLM mode; health checks "
            "of this deployment fail", path,
            hint=(did_you_mean(mode, modes, cutoff=0.6) if isinstance(mode, str) else "")
            or "use one of: " + ", ".join(sorted(modes)[:8]) + ", ...", value=True)
