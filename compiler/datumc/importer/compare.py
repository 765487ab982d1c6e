"""Are two LiteLLM configs the same for everything LiteLLM reads? The round-trip judge.

Both configs are compared as parsed data, so YAML quoting, comments, flow or block
style and the quoting of `os.environ/` references never matter. On top of that, only
differences LiteLLM itself cannot see are normalised away:

* order: of mapping keys, of model_list entries (deployments are a multiset, matched
  by model_name), and of fallback chains (LiteLLM looks a chain up by its model, the
  first chain for a model wins);
* where fallbacks live: router_settings.fallbacks, or litellm_settings.fallbacks when
  router_settings has none (the Router reads `fallbacks or litellm.fallbacks`); an
  empty list of fallbacks is the same as none; likewise for context_window_fallbacks
  and content_policy_fallbacks;
* an absent section or model_info is the same as an empty one;
* the generated master key: when the original has none (LiteLLM would refuse to
  start), the master_key datumc always adds is not a difference.

Everything else is a Difference with a kind, so a test can say which deviations it
expects: a hardcoded value that became an `os.environ/` reference (SECRET_TO_ENV), a
null TOML could not carry (NULL_DROPPED), or anything MISSING, EXTRA or CHANGED.
Secrets never appear in a difference's text: they are masked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from datumc.importer.secrets import is_env_ref, mask
from datumc.plan.routing import FALLBACK_KINDS
from datumc.secrets.detect import sensitive

SETTINGS: Final = ("router_settings", "litellm_settings", "general_settings")


class DiffKind(StrEnum):
    MISSING = "missing"
    EXTRA = "extra"
    CHANGED = "changed"
    SECRET_TO_ENV = "secret-to-env"
    NULL_DROPPED = "null-dropped"


@dataclass(frozen=True, slots=True)
class Difference:
    path: str
    kind: DiffKind
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Verdict:
    differences: tuple[Difference, ...]

    @property
    def equal(self) -> bool:
        return not self.differences

    @property
    def kinds(self) -> frozenset[DiffKind]:
        return frozenset(d.kind for d in self.differences)

    def describe(self) -> str:
        return "\n".join(str(d) for d in self.differences) or "equal"


def compare_configs(original: Any, rebuilt: Any) -> Verdict:
    """How `rebuilt` differs from `original` for LiteLLM (both parsed YAML)."""
    diffs: list[Difference] = []
    if not isinstance(original, dict) or not isinstance(rebuilt, dict):
        _diff(original, rebuilt, "<config>", diffs)
        return Verdict(tuple(diffs))
    old, new = _normal(original), _normal(rebuilt)
    _drop_generated_master_key(old, new)
    _diff_models(old.pop("model_list", None), new.pop("model_list", None), diffs)
    for kind in FALLBACK_KINDS:
        _diff(old.pop(f"<{kind}>"), new.pop(f"<{kind}>"), kind, diffs)
    _diff(old, new, "", diffs)
    return Verdict(tuple(diffs))


# -- normalisation ----------------------------------------------------------------------


def _normal(config: dict[Any, Any]) -> dict[Any, Any]:
    out = dict(config)
    for name in SETTINGS:
        section = out.get(name, {})
        out[name] = dict(section) if isinstance(section, dict) else section
    router, settings = out["router_settings"], out["litellm_settings"]
    for kind in FALLBACK_KINDS:
        out[f"<{kind}>"] = _chains(_pop_fallbacks(router, settings, kind))
    return out


def _pop_fallbacks(router: Any, settings: Any, kind: str) -> Any:
    """The `kind` fallbacks LiteLLM's Router uses, removed from where they were found."""
    routed = router.pop(kind, None) if isinstance(router, dict) else None
    if routed:
        return routed
    module = settings.pop(kind, None) if isinstance(settings, dict) else None
    return module or None


def _chains(fallbacks: Any) -> Any:
    """{model: chain} with the first chain per model, plus any bare-string items."""
    if not isinstance(fallbacks, list):
        return fallbacks
    chains: dict[Any, Any] = {}
    bare = []
    for item in fallbacks:
        if isinstance(item, dict) and item:
            key = next(iter(item))
            chains.setdefault(key, item[key])
        else:
            bare.append(item)
    return {"chains": chains, "items": bare} if bare else chains


def _drop_generated_master_key(old: dict[Any, Any], new: dict[Any, Any]) -> None:
    general_old, general_new = old.get("general_settings"), new.get("general_settings")
    if not isinstance(general_old, dict) or not isinstance(general_new, dict):
        return
    if general_old.get("master_key") is None:
        general_old.pop("master_key", None)
        general_new.pop("master_key", None)


# -- model_list ---------------------------------------------------------------------------


def _diff_models(old: Any, new: Any, diffs: list[Difference]) -> None:
    if not isinstance(old, list) or not isinstance(new, list):
        _diff(old, new, "model_list", diffs)
        return
    old_groups, new_groups = _by_name(old), _by_name(new)
    for name in dict.fromkeys([*old_groups, *new_groups]):
        _diff_group(name, old_groups.get(name, []), new_groups.get(name, []), diffs)


def _by_name(entries: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for entry in entries:
        name = entry.get("model_name") if isinstance(entry, dict) else None
        key = name if isinstance(name, str) else repr(name)
        normal = dict(entry) if isinstance(entry, dict) else entry
        if isinstance(normal, dict) and "model_info" not in normal:
            normal["model_info"] = {}
        groups.setdefault(key, []).append(normal)
    return groups


def _diff_group(name: str, old: list[Any], new: list[Any], diffs: list[Difference]) -> None:
    """Deployments of one model_name: a multiset; leftovers are paired in order."""
    unmatched = []
    remaining = list(new)
    for entry in old:
        index = next((i for i, other in enumerate(remaining) if same(entry, other)), None)
        if index is None:
            unmatched.append(entry)
        else:
            remaining.pop(index)
    for n, (before, after) in enumerate(zip(unmatched, remaining, strict=False), 1):
        _diff(before, after, f"model_list[{name}]#{n}", diffs)
    for entry in unmatched[len(remaining):]:
        diffs.append(Difference(f"model_list[{name}]", DiffKind.MISSING, _model(entry)))
    for entry in remaining[len(unmatched):]:
        diffs.append(Difference(f"model_list[{name}]", DiffKind.EXTRA, _model(entry)))


def _model(entry: Any) -> str:
    params = entry.get("litellm_params") if isinstance(entry, dict) else None
    model = params.get("model") if isinstance(params, dict) else None
    return f"deployment of {model!r}" if model is not None else "a deployment"


# -- values -------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal as LiteLLM sees values: types matter (1 is not 1.0, not True, not '1')."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


def _diff(a: Any, b: Any, path: str, diffs: list[Difference]) -> None:
    if same(a, b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        _diff_mappings(a, b, path, diffs)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{index}]", diffs)
    elif _scalar(a) and not is_env_ref(a) and is_env_ref(b):
        diffs.append(Difference(path, DiffKind.SECRET_TO_ENV, f"{_show(a, path)} -> {b}"))
    else:
        diffs.append(Difference(path, DiffKind.CHANGED,
                                f"{_show(a, path)} -> {_show(b, path)}"))


def _diff_mappings(a: dict[Any, Any], b: dict[Any, Any], path: str,
                   diffs: list[Difference]) -> None:
    for key in _ordered(a, b):
        name = key if isinstance(key, str) else f"{key!r} ({type(key).__name__})"
        child = f"{path}.{name}" if path else name
        if key not in b:
            kind = DiffKind.NULL_DROPPED if a[key] is None else DiffKind.MISSING
            diffs.append(Difference(child, kind, "" if a[key] is None else _show(a[key], child)))
        elif key not in a:
            diffs.append(Difference(child, DiffKind.EXTRA, _show(b[key], child)))
        else:
            _diff(a[key], b[key], child, diffs)


def _ordered(a: dict[Any, Any], b: dict[Any, Any]) -> Iterable[Any]:
    return dict.fromkeys([*a, *b])


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float)


def _show(value: Any, path: str) -> str:
    key = path.rsplit(".", 1)[-1]
    if isinstance(value, str) and sensitive(key, value):
        return repr(mask(value))
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
