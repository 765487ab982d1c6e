"""router fallbacks and model_group_alias -> datum fallbacks and aliases, when exact.

A datum can only say "my model_name falls back to these model_names" and "these extra
names point at my model_name". When the source says exactly that, the links move into
the datums, where lint checks them. When it says anything else -- a generic "*" chain,
an unknown or aliased model, a duplicate chain, the {model, hidden} alias form -- the
whole setting is kept verbatim instead, so the built config still means the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datumc.importer.fits import misfit
from datumc.importer.models import Draft
from datumc.validate.datum import B00tHeader


def fallback_chains(fallbacks: Any, publics: set[str]) -> tuple[dict[str, list[str]] | None, str]:
    """({model_name: chain}, '') when datums express `fallbacks` exactly, else (None, why)."""
    if not isinstance(fallbacks, list):
        return None, "it is not a list"
    chains: dict[str, list[str]] = {}
    for item in fallbacks:
        if not isinstance(item, dict) or len(item) != 1:
            return None, "an item is not a one-key mapping {model_name: [fallbacks]}"
        ((source, chain),) = item.items()
        why = _chain_problem(source, chain, publics, chains)
        if why:
            return None, why
        chains[source] = list(chain)
    return chains, ""


def _chain_problem(source: Any, chain: Any, publics: set[str],
                   seen: dict[str, list[str]]) -> str:
    if source not in publics:
        return f"'{source}' is not a model_name in model_list"
    if source in seen:
        return f"'{source}' has two chains (LiteLLM uses only the first)"
    if not isinstance(chain, list) or not chain:
        return f"the chain of '{source}' is not a non-empty list"
    for target in chain:
        if not isinstance(target, str) or target not in publics:
            return f"'{target}' (fallback of '{source}') is not a model_name in model_list"
        if target == source:
            return f"'{source}' falls back to itself"
    if len(set(chain)) != len(chain):
        return f"the chain of '{source}' names a model twice"
    return ""


def apply_fallbacks(drafts: Sequence[Draft], chains: dict[str, list[str]],
                    kind: str = "fallbacks") -> None:
    """Every deployment of a model_name carries its chain (a group's chain is shared);
    a kind other than fallbacks goes straight into the [ai_model] field of its name."""
    for draft in drafts:
        chain = list(chains.get(draft.public, []))
        if kind == "fallbacks":
            draft.fallbacks = chain
        elif chain:
            draft.ai_model[kind] = chain


def alias_pairs(aliases: Any, publics: set[str]) -> tuple[list[tuple[str, str]] | None, str]:
    """([(alias, model_name)], '') when datums express `aliases` exactly, else (None, why)."""
    if not isinstance(aliases, dict):
        return None, "it is not a mapping"
    pairs = []
    for alias, target in aliases.items():
        if not isinstance(target, str):
            return None, f"'{alias}' uses the {{model: ..., hidden: ...}} form"
        if target not in publics:
            return None, f"'{alias}' points at '{target}', which is not a model_name"
        if alias in publics:
            return None, f"'{alias}' is also a model_name (LiteLLM serves that model instead)"
        if misfit(B00tHeader, "name", alias) is not None:
            return None, (f"{alias!r} cannot be a datum alias (a string without leading or "
                          "trailing spaces or control characters)")
        pairs.append((alias, target))
    return pairs, ""


def apply_aliases(drafts: Sequence[Draft], pairs: list[tuple[str, str]]) -> None:
    """Give each alias to a deployment of its model, keeping the aliases' order if possible.

    The build emits aliases datum by datum, in path order; choosing, for each alias, the
    first deployment at or after the previous alias's datum reproduces the source order
    whenever any assignment can.
    """
    cursor = 0
    for alias, target in pairs:
        members = [i for i, d in enumerate(drafts) if d.public == target]
        pick = next((i for i in members if i >= cursor), members[0])
        drafts[pick].aliases.append(alias)
        cursor = max(cursor, pick)
