"""The one model of a LiteLLM proxy config: plain data, and where each value came from.

A hand-written `config.yaml` parses into it with YAML positions; the datum path plans
into it, each value carrying the datum or `datumc.toml` key that produced it; import
reads from it. Config-level rules run on it whatever the input, and `diag()` reports a
finding at the line that produced the value, so a typo in `[ai_model.parameters]` is
shown in the datum, not in a generated file.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import Key, KeyPath, dotted
from datumc.memo import IdentityMemo
from datumc.validate.vocab import ENV_REF_PREFIX

if TYPE_CHECKING:
    from datumc.load.includes import Includes
    from datumc.load.yaml_loader import YamlDoc

# The sections of config.yaml that datumc plans itself, in the order it writes them.
OWN_SECTIONS = ("model_list", "router_settings", "litellm_settings", "general_settings")
# Sections that mark a YAML file as a LiteLLM proxy config.
CORE_SECTIONS = (*OWN_SECTIONS, "include", "environment_variables")


class SourceDoc(Protocol):
    """A parsed input file that can place a diagnostic at a key path (TOML or YAML)."""

    @property
    def display(self) -> str: ...

    def diag(
        self, code: str, severity: Severity, message: str, path: tuple[Key, ...],
        hint: str = "", *, value: bool = False,
    ) -> Diagnostic: ...


class Origin(NamedTuple):
    """Where a config value came from: a key path in a source document.

    `doc` is None for a value with no file behind it (a default of a missing
    datumc.toml); findings on it are reported at `display`, line 0. A NamedTuple: the
    planner makes one per planned value, so it must be cheap to build.
    """

    doc: SourceDoc | None
    path: KeyPath = ()
    display: str = ""
    # True when the path below this origin maps one to one onto the source (pass-through
    # tables, YAML); False when the config value is derived (a field that becomes a key).
    verbatim: bool = True

    def shown(self) -> str:
        return self.doc.display if self.doc is not None else self.display


class Resolver(Protocol):
    """Works out the origins below a config path on demand: `rest` is the path below
    it; returns the origin and what is left of `rest` below that origin."""

    def __call__(self, rest: KeyPath, /) -> tuple[Origin, KeyPath]: ...


Origins = dict[KeyPath, "Origin | Resolver"]


@dataclass(frozen=True, slots=True)
class Deployment:
    """One `model_list` item that is a mapping."""

    index: int
    data: dict[str, Any]

    @property
    def path(self) -> tuple[Key, ...]:
        return ("model_list", self.index)

    @property
    def name(self) -> Any:
        return self.data.get("model_name")

    @property
    def params(self) -> dict[str, Any]:
        params = self.data.get("litellm_params")
        return params if isinstance(params, dict) else {}

    @property
    def info(self) -> dict[str, Any]:
        info = self.data.get("model_info")
        return info if isinstance(info, dict) else {}


@dataclass(slots=True)
class ConfigModel:
    """A LiteLLM proxy config as data, with the origin of every value."""

    data: dict[str, Any]
    origins: Origins = field(default_factory=dict)
    # The parsed YAML, when the config was read from a file (for YAML-only rules).
    yaml: YamlDoc | None = None
    # Deployment index -> the LiteLLM prefix its datum's provider suggests (hints only).
    prefix_hints: dict[int, str] = field(default_factory=dict)
    # Deployment index -> the datum it was planned from (default: its model_name).
    labels: dict[int, str] = field(default_factory=dict)
    # Names of datums that failed validation: not planned, but not missing either, so a
    # reference to one is not reported a second time.
    unplanned: frozenset[str] = frozenset()
    # The files `include:` merged in (load/includes.py), when it was followed.
    includes: Includes | None = None
    _strings: list[tuple[KeyPath, str, bool]] | None = field(default=None, repr=False)
    _refs: list[tuple[KeyPath, str, bool]] | None = field(default=None, repr=False)
    # model_list's mappings, kept for the (list, length) they were read from: most rules
    # walk the deployments, some several times.
    _deployments: tuple[list[Any] | None, int, tuple[Deployment, ...]] = field(
        default=(None, 0, ()), repr=False)
    # Each finding reported through diag(), and the config path it is about.
    reported: dict[Diagnostic, KeyPath] = field(default_factory=dict, repr=False)

    @classmethod
    def from_yaml(cls, doc: YamlDoc, *, follow: bool = True) -> ConfigModel:
        """`follow`: with the files its `include:` names merged in (load/includes.py)."""
        from datumc.load.includes import follow_includes

        data = doc.data if isinstance(doc.data, dict) else {}
        model = cls(data, {(): Origin(doc)}, yaml=doc)
        return follow_includes(model, doc.source.path) if follow else model

    @property
    def display(self) -> str:
        return self.origin(())[0].shown()

    # -- where a value came from ------------------------------------------------------

    def origin(self, path: Iterable[Key]) -> tuple[Origin, KeyPath]:
        """The origin registered nearest above `path`, and the rest of the path below it."""
        full = tuple(path)
        probe = full
        while True:
            found = self.origins.get(probe)
            if isinstance(found, Origin):
                return found, full[len(probe):]
            if found is not None:
                return found(full[len(probe):])
            if not probe:
                return Origin(None, (), "config.yaml"), full
            probe = probe[:-1]

    def source_path(self, path: Iterable[Key]) -> tuple[Origin, KeyPath]:
        origin, rest = self.origin(path)
        return origin, (*origin.path, *rest) if origin.verbatim else origin.path

    def where(self, path: Iterable[Key], *, parent: bool = False) -> str:
        """The key as the user wrote it: `model_list[0].litellm_params.rpm` in YAML,
        `ai_model.parameters.temprature` in a datum (`parent`: the table holding it)."""
        source = self.source_path(path)[1]
        return dotted(source[:-1] if parent else source) or "top level"

    def diag(
        self, code: str, severity: Severity, message: str, path: Iterable[Key],
        hint: str = "", *, value: bool = False,
    ) -> Diagnostic:
        full = tuple(path)
        origin, source = self.source_path(full)
        if origin.doc is None:
            found = Diagnostic(code, severity, message, origin.display, 0, 0, hint)
        else:
            found = origin.doc.diag(code, severity, message, source, hint, value=value)
        self.reported[found] = full
        return found

    def strings(self) -> list[tuple[KeyPath, str, bool]]:
        """(path, value, in_list) for every string in the config, walked once for all the
        rules that read every value (secrets, env refs, env names)."""
        if self._strings is None:
            self._strings = _config_strings(self.data)
        return self._strings

    def refs(self) -> list[tuple[KeyPath, str, bool]]:
        """The strings that may refer to a variable: those holding `os.environ/` or `$`
        (a shell-style reference). The reference rules and the env inventory read only
        these, a few in a config of thousands of values."""
        if self._refs is None:
            self._refs = [s for s in self.strings() if ENV_REF_PREFIX in s[1] or "$" in s[1]]
        return self._refs

    # -- reading the config -------------------------------------------------------------

    def section(self, name: str) -> dict[str, Any]:
        found = self.data.get(name)
        return found if isinstance(found, dict) else {}

    def deployments(self) -> Iterator[Deployment]:
        items = self.data.get("model_list")
        if not isinstance(items, list):
            return iter(())
        read, length, found = self._deployments
        if read is not items or length != len(items):
            found = tuple(Deployment(i, item) for i, item in enumerate(items)
                          if isinstance(item, dict))
            self._deployments = (items, len(items), found)
        return iter(found)

    def model_groups(self) -> Groups:
        """Every name a request (or a fallback) may use: model_names and their aliases."""
        names = {str(d.name) for d in self.deployments() if d.name is not None}
        names |= self.unplanned
        aliases = self.section("router_settings").get("model_group_alias")
        if isinstance(aliases, dict):
            names |= {str(a) for a in aliases}
        return Groups.of(names)

    def label(self, deployment: Deployment) -> str:
        """How messages name a deployment: its datum, else its model_name."""
        return self.labels.get(deployment.index, str(deployment.name))

    def models_elsewhere(self) -> bool:
        """Models may also come from an included file not merged, or the database."""
        if "include" in self.data and (self.includes is None or not self.includes.complete):
            return True
        return self.section("general_settings").get("store_model_in_db") is True

    def custom_providers(self) -> set[str]:
        """Providers registered by `litellm_settings.custom_provider_map`."""
        entries = self.section("litellm_settings").get("custom_provider_map")
        if not isinstance(entries, list):
            return set()
        return {str(e["provider"]) for e in entries
                if isinstance(e, dict) and isinstance(e.get("provider"), str)}


@dataclass(frozen=True, slots=True)
class Groups:
    """Model group names, for membership tests: exact names in a set, and the wildcard
    model_names (`openai/*`) apart, so a test costs one lookup, not a scan of all."""

    names: frozenset[str]
    wildcards: tuple[str, ...]

    @classmethod
    def of(cls, groups: Iterable[str]) -> Groups:
        names = frozenset(groups)
        return cls(names, tuple(sorted(g for g in names if "*" in g)))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self.names or any(fnmatch.fnmatchcase(name, g) for g in self.wildcards)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)


NOT_LITELLM = Code("DC015", "not-litellm-config", Severity.INFO, """
A YAML file given to `datumc lint` is not a LiteLLM proxy config, so it was skipped.

Why: the LiteLLM rules (DC2xx) would only produce noise on a Kubernetes manifest or a
compose file. A file counts as a LiteLLM config when it is a mapping with at least
one LiteLLM section (model_list, litellm_settings, router_settings, general_settings,
environment_variables, include, ...), or a near-miss spelling of one.

Example: `datumc lint k8s/deployment.yaml` reports this and nothing else.
Fix: pass only LiteLLM configs, or narrow the pre-commit hook's `files:` pattern.
""", configurable=True)


def skipped_as_not_litellm(doc: YamlDoc) -> Diagnostic | None:
    """The note (DC015) for a YAML file that is no LiteLLM config, which lint skips;
    None for a LiteLLM config."""
    if is_litellm_config(doc.data):
        return None
    return Diagnostic(
        NOT_LITELLM, NOT_LITELLM.severity,
        "not a LiteLLM config (no model_list, litellm_settings, router_settings, "
        "general_settings or include); skipped",
        doc.display, hint="LiteLLM rules run on LiteLLM proxy configs only",
    )


def is_litellm_config(data: Any) -> bool:
    """A mapping with at least one LiteLLM section (or a near-miss spelling of one)."""
    import difflib

    from datumc.data import vocab

    if not isinstance(data, dict) or not data:
        return False
    known = vocab().config_sections | set(CORE_SECTIONS)
    keys = [str(k) for k in data]
    if any(k in known for k in keys):
        return True
    return any(difflib.get_close_matches(k, CORE_SECTIONS, n=1, cutoff=0.8) for k in keys)


_Strings = list[tuple[KeyPath, str, bool]]
# The strings of one model_list item at one index: a planned deployment is the same
# object while its datum is unchanged, so the language server walks only the new ones.
_ITEM_STRINGS: IdentityMemo[Any, _Strings] = IdentityMemo()


def _config_strings(data: dict[str, Any]) -> _Strings:
    """walk_strings(data, ()), with each model_list item's strings kept per item."""
    out: _Strings = []
    for key, value in data.items():
        if key != "model_list" or not isinstance(value, list):
            _collect_strings({key: value}, (), False, out)
            continue
        for index, item in enumerate(value):
            out.extend(_ITEM_STRINGS(item, index, partial(_item_strings, index=index)))
    return out


def _item_strings(item: Any, *, index: int) -> _Strings:
    found: _Strings = []
    _collect_strings(item, ("model_list", index), not isinstance(item, dict), found)
    return found


def walk_strings(data: Any, path: KeyPath, in_list: bool = False) -> Iterator[
    tuple[KeyPath, str, bool]
]:
    """in_list: a list item, at any depth below the nearest list (LiteLLM resolves
    os.environ/ refs in mappings only)."""
    out: list[tuple[KeyPath, str, bool]] = []
    _collect_strings(data, path, in_list, out)
    return iter(out)


def _collect_strings(data: Any, path: KeyPath, in_list: bool,
                     out: list[tuple[KeyPath, str, bool]]) -> None:
    # Plain recursion into a list: a chain of generators costs a frame switch per level
    # for every string, and a config of 1,000 deployments has 12,000 of them.
    if isinstance(data, str):
        out.append((path, data, in_list))
    elif isinstance(data, dict):
        for key, value in data.items():
            part = key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)
            _collect_strings(value, (*path, part), False, out)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _collect_strings(item, (*path, index), not isinstance(item, dict), out)
