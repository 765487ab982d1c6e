"""A capability the model does not have, according to LiteLLM's model map.

Why: `capabilities` become `model_info` flags (`supports_vision`,
`supports_function_calling`, `supports_reasoning`, ...) that clients and routers
trust: a router sends images to a "vision" model that then rejects them. datumc
checks offline against the map LiteLLM ships
(`model_prices_and_context_window_backup.json`, snapshotted in
`datumc/data/model_map.json`). It only speaks when the model IS in the map and the
map says no; local and unknown models are never flagged. The map can lag behind
providers: if it is wrong, silence the line with `# datumc: disable=DC112`.

Bad:
    [ai_model]
    litellm_model = "mistral/mistral-large-latest"
    capabilities = ["chat", "reasoning"]     # the map has no supports_reasoning for it

Good:
    [ai_model]
    litellm_model = "mistral/mistral-large-latest"
    capabilities = ["chat", "tools", "vision"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data import ModelFacts, model_facts, model_map_version
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Entry, Stack
from datumc.validate.vocab import CAPABILITY_ALIASES, CAPABILITY_FLAGS, Capability

CODE = "DC112"
NAME = "capability-not-supported"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS

_MODES = {Capability.EMBEDDINGS: "embedding", Capability.RERANK: "rerank"}
_NOT_CHAT = frozenset({"embedding", "rerank", "image_generation", "audio_transcription",
                       "audio_speech", "moderation", "video_generation", "search", "ocr"})


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.enabled:
        caps = entry.datum.ai_model.capabilities
        if not any(c in CAPABILITY_FLAGS or c in _MODES or c is Capability.CHAT for c in caps):
            continue
        facts = model_facts(entry.datum.ai_model.litellm_model)
        if facts is None:
            continue
        for cap in caps:
            reason = _unsupported(cap, facts)
            if reason is not None:
                yield _diag(entry, cap, facts, reason)


def _unsupported(cap: Capability, facts: ModelFacts) -> str | None:
    flag = CAPABILITY_FLAGS.get(cap)
    if flag is not None and flag not in facts.flags:
        return f"has no {flag}"
    mode = _MODES.get(cap)
    if mode is not None and facts.mode and facts.mode != mode:
        return f"is a '{facts.mode}' model, not '{mode}'"
    if cap is Capability.CHAT and facts.mode in _NOT_CHAT:
        return f"is a '{facts.mode}' model, not a chat model"
    return None


def _diag(entry: Entry, cap: Capability, facts: ModelFacts, reason: str) -> Diagnostic:
    return entry.diag(
        CODE, SEVERITY,
        f"capability '{cap.value}': LiteLLM's model map ({model_map_version()}) says "
        f"'{facts.key}' {reason}",
        "ai_model", "capabilities", _index(entry, cap),
        hint=f"remove '{cap.value}', or silence this line if the map is out of date",
    )


def _index(entry: Entry, cap: Capability) -> int:
    """Where `cap` is written in the datum (aliases such as tool_use count)."""
    raw = entry.doc.data.get("ai_model", {}).get("capabilities", [])
    for index, item in enumerate(raw):
        if item == cap.value or CAPABILITY_ALIASES.get(item) is cap:
            return index
    return 0
