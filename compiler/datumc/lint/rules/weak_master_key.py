"""The proxy's master key is missing, empty, publicly known, or guessable.

Why: LiteLLM 1.106+ refuses to start when the master key is unset, empty, or a
publicly known default such as `sk-1234` (unless you set
`LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY`). A short or word-like
literal (`sk-local`, `changeme`) starts fine and is guessed just as fast; it is
also a secret written into the file (DC206). With no `master_key` in the config,
the proxy takes `LITELLM_MASTER_KEY` from its environment: that is reported at
info level, since the config alone cannot say whether it is set.

Bad:
    general_settings:
      master_key: sk-1234

Good:
    general_settings:
      master_key: os.environ/LITELLM_MASTER_KEY   # e.g. sk-$(openssl rand -hex 32) in .env
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.model import ConfigModel
from datumc.secrets.detect import PUBLIC_EXAMPLE_KEYS, entropy, mask
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC212"
NAME = "weak-master-key"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG

PUBLICLY_KNOWN = PUBLIC_EXAMPLE_KEYS  # refused by LiteLLM's boot check
OVERRIDE = "dangerously_permit_weak_or_unset_master_key"
_HINT = ("write master_key: os.environ/LITELLM_MASTER_KEY and set it to a random value, "
         "e.g. sk-$(openssl rand -hex 32)")


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    general = config.section("general_settings")
    if general.get(OVERRIDE) is True:
        return
    if "master_key" not in general:
        if "include" not in config.data:
            yield config.diag(
                CODE, Severity.INFO,
                "no general_settings.master_key: the proxy needs LITELLM_MASTER_KEY in its "
                "environment and refuses to start without one",
                ("general_settings",) if "general_settings" in config.data else (), hint=_HINT)
        return
    value = general["master_key"]
    found = _weakness(value)
    if found is not None:
        severity, message = found
        yield config.diag(CODE, severity, f"master_key {message}",
                          ("general_settings", "master_key"), hint=_HINT, value=True)


def _weakness(value: object) -> tuple[Severity, str] | None:
    if value is None or not isinstance(value, str) or not value.strip():
        return SEVERITY, "is empty; the proxy refuses to start"
    stripped = value.strip()
    if stripped.startswith(ENV_REF_PREFIX):
        return None
    if stripped in PUBLICLY_KNOWN:
        return SEVERITY, f"'{stripped}' is publicly known; the proxy refuses to start with it"
    if len(stripped) < 16 or entropy(stripped) < 3.0:
        return Severity.WARNING, (f"'{mask(stripped)}' is short or guessable "
                                  f"({len(stripped)} characters)")
    return None
