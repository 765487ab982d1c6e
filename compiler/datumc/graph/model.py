"""The routing of a LiteLLM config as LiteLLM will run it: model groups and their
deployments, aliases, fallback chains and the settings that time them.

Plain data, read from the planned config model (see `read.py`); the scene and the
emitters only lay it out. No value here is a secret: names, model strings, numbers.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

# The name LiteLLM gives the generic chain, for every group without one of its own.
ANY_GROUP = "*"


class FallbackKind(StrEnum):
    """Which failure sends a request down a chain (the LiteLLM setting's name)."""

    FALLBACKS = "fallbacks"
    CONTEXT_WINDOW = "context_window_fallbacks"
    CONTENT_POLICY = "content_policy_fallbacks"


class RefKind(StrEnum):
    """What a name used by an alias or a fallback resolves to."""

    GROUP = "group"
    ALIAS = "alias"
    WILDCARD = "wildcard"  # a group whose model_name is a pattern (`openai/*`)
    ANY = "any"  # the generic chain's source
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Setting:
    """One shown setting: its key and its value as text (`timeout`, `60 s`)."""

    key: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.key} {self.value}"


@dataclass(frozen=True, slots=True)
class Deployment:
    """One model_list entry: its index, what it was planned from, what it calls."""

    index: int
    label: str  # the datum it was planned from, else its model_name
    model: str  # litellm_params.model
    settings: tuple[Setting, ...] = ()  # weight, order, rpm, tpm, timeouts, retries


@dataclass(frozen=True, slots=True)
class Group:
    """A model_name and its deployments (more than one: load-balanced parallel models)."""

    name: str
    deployments: tuple[Deployment, ...]
    access_groups: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return len(self.deployments) > 1


@dataclass(frozen=True, slots=True)
class Alias:
    """router_settings.model_group_alias: a public name routed to a group."""

    name: str
    target: str
    hidden: bool = False  # {model: ..., hidden: true}: not listed by /models


@dataclass(frozen=True, slots=True)
class Fallback:
    """One step of a chain: `source` fails, `target` is tried at `position` (from 1)."""

    kind: FallbackKind
    source: str
    target: str
    position: int
    setting: str  # where LiteLLM reads it: `router_settings.fallbacks`, ...


@dataclass(frozen=True, slots=True)
class Ref:
    kind: RefKind
    name: str


@dataclass(frozen=True)
class Routing:
    """Everything `datumc graph` draws."""

    groups: tuple[Group, ...]
    aliases: tuple[Alias, ...] = ()
    fallbacks: tuple[Fallback, ...] = ()
    router: tuple[Setting, ...] = ()  # the settings that govern every chain
    notes: tuple[str, ...] = ()  # settings LiteLLM ignores, as read

    @cached_property
    def _names(self) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
        groups = frozenset(g.name for g in self.groups)
        patterns = tuple(g.name for g in self.groups if "*" in g.name)
        return groups, frozenset(a.name for a in self.aliases), patterns

    def resolve(self, name: str) -> Ref:
        """What LiteLLM routes `name` to: a group, an alias, a wildcard group, or nothing."""
        groups, aliases, patterns = self._names
        if name == ANY_GROUP:
            return Ref(RefKind.ANY, name)
        if name in groups:
            return Ref(RefKind.GROUP, name)
        if name in aliases:
            return Ref(RefKind.ALIAS, name)
        pattern = next((p for p in patterns if fnmatch.fnmatchcase(name, p)), None)
        if pattern is not None:
            return Ref(RefKind.WILDCARD, pattern)
        return Ref(RefKind.MISSING, name)

    @property
    def missing(self) -> tuple[str, ...]:
        """Names an alias or a fallback uses that no group or alias defines, in order."""
        used = [a.target for a in self.aliases]
        for step in self.fallbacks:
            used.extend((step.source, step.target))
        found = (n for n in used if self.resolve(n).kind is RefKind.MISSING)
        return tuple(dict.fromkeys(found))
