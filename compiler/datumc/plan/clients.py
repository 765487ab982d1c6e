"""What the clients of the proxy see: `[clients]` of datumc.toml against the datums.

One place decides which served models each client lists and which model each pick
(default, small, Claude Code's opus/sonnet/haiku tiers) names, so the client files
(targets/clients.py) and the lint rules (DC406, DC407) agree with config.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from datumc.load.stack import Entry, Stack
from datumc.memo import IdentityMemo
from datumc.plan.model import Origins
from datumc.plan.router import model_group_alias
from datumc.plan.sources import project_origin
from datumc.validate.project import ClientsSection, Project
from datumc.validate.vocab import Capability

PICKS: Final = ("default", "small", "opus", "sonnet", "haiku")
# Deployments whose /v1/messages LiteLLM 1.106 sends to the upstream's Responses API
# (litellm/llms/anthropic/pass_through/messages/handler.py:43 `_RESPONSES_API_PROVIDERS`).
RESPONSES_PROVIDERS: Final = frozenset({"openai"})
CHAT_COMPLETIONS_FOR_MESSAGES: Final = "use_chat_completions_url_for_anthropic_messages"


@dataclass(frozen=True, slots=True)
class ClientModel:
    """One served model_name as the clients describe it (its first enabled datum)."""

    name: str
    entry: Entry
    deployments: tuple[Entry, ...]

    @property
    def label(self) -> str:
        """The name a client shows: the model_name it sends, so what the user picks in
        the client is what the proxy serves (a datum's hint is free text, often long)."""
        return self.name

    @property
    def size(self) -> str | None:
        size = self.entry.datum.ai_model.size
        return None if size is None else str(size)

    @property
    def capabilities(self) -> set[str]:
        return {str(c) for c in self.entry.datum.ai_model.capabilities}

    @property
    def context(self) -> int | None:
        return self.entry.datum.ai_model.context_window

    @property
    def output(self) -> int | None:
        value = self.entry.datum.ai_model.parameters.get("max_tokens")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def cost(self, key: str) -> float | int | None:
        """A per-token price from the datum's [ai_model.metadata] (model_info)."""
        value = self.entry.datum.ai_model.metadata.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return value if ok else None

    @property
    def chat(self) -> bool:
        caps = self.capabilities
        return not caps or bool(caps & {Capability.CHAT.value, Capability.CODE.value})


# served() is asked for once per pick, per client and per [clients] name: one answer
# per stack (callers only read it), for the last stack or two only: a stack is big.
_SERVED: IdentityMemo[Stack, dict[str, ClientModel]] = IdentityMemo(limit=2)


def served(stack: Stack) -> dict[str, ClientModel]:
    """Every served model_name, in datum order."""
    return _SERVED(stack, None, _served)


def _served(stack: Stack) -> dict[str, ClientModel]:
    out: dict[str, ClientModel] = {}
    for name, entries in stack.public_names.items():
        enabled = tuple(e for e in entries if e.datum.ai_model.enabled)
        if enabled:
            out[name] = ClientModel(name, enabled[0], enabled)
    position = {id(entry): i for i, entry in enumerate(stack.enabled)}
    return dict(sorted(out.items(), key=lambda item: position[id(item[1].entry)]))


def resolve(stack: Stack, name: str) -> str | None:
    """The served model_name that `name` (a model name or an alias) reaches."""
    models = served(stack)
    if name in models:
        return name
    return model_group_alias(stack).get(name)


def unknown_names(stack: Stack, clients: ClientsSection) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(key path in [clients], name) of every `models` item and pick naming nothing."""
    for index, name in enumerate(clients.models):
        if resolve(stack, name) is None:
            yield ("models", index), name
    for pick in PICKS:
        name = getattr(clients, pick)
        if name is not None and resolve(stack, name) is None:
            yield (pick,), name


def visible(stack: Stack, clients: ClientsSection) -> list[ClientModel]:
    """The models the clients list: `models` and `access_groups`, or every model."""
    models = served(stack)
    if not clients.models and not clients.access_groups:
        return list(models.values())
    wanted = {resolve(stack, n) for n in clients.models} - {None}
    groups = set(clients.access_groups)
    return [m for m in models.values()
            if m.name in wanted or any(groups & set(e.datum.ai_model.access_groups)
                                       for e in m.deployments)]


@dataclass(frozen=True, slots=True)
class Picks:
    default: ClientModel
    small: ClientModel
    opus: ClientModel
    sonnet: ClientModel
    haiku: ClientModel


def picks(stack: Stack, clients: ClientsSection) -> Picks | None:
    """Each pick: as [clients] names it, else from the datums' `size` (large for
    default, opus and sonnet; small for small and haiku). None: no model to pick."""
    shown = visible(stack, clients)
    models = served(stack)
    chat = [m for m in shown if m.chat] or shown
    if not chat:
        return None
    large = next((m for m in chat if m.size == "large"), chat[0])
    small = next((m for m in chat if m.size == "small"), None)

    def chosen(pick: str, fallback: ClientModel) -> ClientModel:
        name = getattr(clients, pick)
        target = resolve(stack, name) if name is not None else None
        return models[target] if target is not None else fallback

    default = chosen("default", large)
    small_pick = chosen("small", small or default)
    opus = chosen("opus", _strongest(chat, default))
    return Picks(default=default, small=small_pick, opus=opus,
                 sonnet=chosen("sonnet", default), haiku=chosen("haiku", small_pick))


def _strongest(models: list[ClientModel], default: ClientModel) -> ClientModel:
    """The first large model with reasoning, else the default."""
    return next((m for m in models if m.size == "large"
                 and Capability.REASONING.value in m.capabilities), default)


def claude_code_models(stack: Stack, clients: ClientsSection) -> list[ClientModel]:
    """The models Claude Code may use: its four picks."""
    chosen = picks(stack, clients)
    if chosen is None:
        return []
    out: dict[str, ClientModel] = {}
    for model in (chosen.default, chosen.opus, chosen.sonnet, chosen.haiku):
        out.setdefault(model.name, model)
    return list(out.values())


def provider_of(entry: Entry) -> str:
    return entry.datum.ai_model.litellm_model.split("/", 1)[0]


def messages_to_responses(project: Project, stack: Stack) -> list[Entry]:
    """Deployments Claude Code may reach whose /v1/messages LiteLLM would turn into a
    Responses API call upstream (empty without claude-code among the clients)."""
    clients = project.clients
    if clients is None or "claude-code" not in clients.enabled:
        return []
    return [e for m in claude_code_models(stack, clients) for e in m.deployments
            if provider_of(e) in RESPONSES_PROVIDERS]


def plan_claude_code(stack: Stack, model_list: list[dict[str, Any]],
                     settings: dict[str, Any], origins: Origins) -> None:
    """With claude-code among the clients and an `openai/` deployment it may use: the
    settings that keep its /v1/messages on the upstream's chat/completions (DC407 says
    why). A value the project sets itself is left alone (DC407 reports it)."""
    entries = messages_to_responses(stack.project, stack)
    if not entries:
        return
    if CHAT_COMPLETIONS_FOR_MESSAGES not in settings:
        settings[CHAT_COMPLETIONS_FOR_MESSAGES] = True
        origins[("litellm_settings", CHAT_COMPLETIONS_FOR_MESSAGES)] = project_origin(
            stack, "clients", "enabled", verbatim=False)
    index = {id(e): i for i, e in enumerate(stack.enabled)}
    for entry in entries:
        if Capability.REASONING in entry.datum.ai_model.capabilities:
            continue
        at = index[id(entry)]
        deployment = model_list[at]
        info = deployment.get("model_info", {})
        if "supports_reasoning" not in info:  # new tables: planned deployments are shared
            model_list[at] = {**deployment, "model_info": {**info, "supports_reasoning": False}}
