"""A price in `model_info` under a key LiteLLM does not read: the price is never applied.

Why: LiteLLM's cost tracking reads per-token prices under its own names
(`input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
...), in USD per token. `model_info` accepts any key, so `pricing: {...}`,
`input_cost_per_1k_tokens` or `price` are stored and ignored: spend, budgets and
the `x-litellm-response-cost` header use the built-in price (or zero) instead.
The known names are the priced fields of the pinned release's model map. A
warning, not an error: requests work as written, only the cost is not the one the
file gives (and b00t keeps its own price metadata, which LiteLLM ignores).

Bad:
    model_info:
      pricing: {input: 0.15, output: 0.60}
      input_cost_per_1k_tokens: 0.00015

Good:
    model_info:
      input_cost_per_token: 0.00000015      # USD per token
      output_cost_per_token: 0.0000006
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.plan.model import ConfigModel

CODE = "DC221"
NAME = "ignored-price-key"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG

PRICE_WORDS = ("cost", "price", "pricing")


@functools.lru_cache(maxsize=4096)  # a config repeats the same few model_info keys
def _about_prices(name: str) -> bool:
    lowered = name.lower()
    return any(w in lowered for w in PRICE_WORDS)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    known = vocab().price_fields
    for dep in config.deployments():
        for key, value in dep.info.items():
            name = str(key)
            if name in known or not _priced(name, value):
                continue
            path = (*dep.path, "model_info", name)
            yield config.diag(
                CODE, SEVERITY,
                f"{config.where(path)}: LiteLLM reads no price under '{name}'; the custom "
                "price is never applied",
                path, hint=did_you_mean(name, known, cutoff=0.6)
                or "use input_cost_per_token and output_cost_per_token (USD per token)",
            )


def _priced(name: str, value: object) -> bool:
    """A key about prices holding a price (a number, or a table of them)."""
    if not _about_prices(name) or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return value.replace(".", "", 1).isdigit()
    return isinstance(value, int | float | dict | list)
