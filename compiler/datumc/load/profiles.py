"""[profiles.NAME.datums]: a profile chooses datums.

`enable` and `disable` list datums by their [b00t] name; `override.NAME` is a partial
datum merged over the datum's file, validated exactly as the file is. The result is
the profile's datum set: what the build of the profile serves, and what lint checks
for it whichever build is at hand. A datum the profile changes keeps its file's
text and positions; a key the profile set is reported at its datumc.toml line.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from datumc.diagnostics import Diagnostic, Severity
from datumc.load.positions import Key, KeyPath, dotted
from datumc.load.toml_loader import TomlDoc
from datumc.validate.check import SCHEMA, schema_diags, unknown_keys
from datumc.validate.datum import Datum
from datumc.validate.project import PROFILE_DATUMS, ProfileDatums, deep_merge

if TYPE_CHECKING:
    from datumc.load.stack import Entry, Stack

ENABLED: KeyPath = ("ai_model", "enabled")
FALLBACKS: KeyPath = ("ai_model", "fallbacks")
# One setting, two spellings: an override that sets one replaces the other.
_EITHER = (("api_base", "api_base_env"), ("api_base_env", "api_base"))


@dataclass(slots=True)
class ProfiledDoc(TomlDoc):
    """A datum as a profile changes it: the file's text and positions, the merged data,
    and the datumc.toml key each key the profile set comes from (`moves`: a datum key
    path -> the key path in datumc.toml that set it, for the keys below it too; `hints`:
    the fix for a finding there, when it is the profile's and not the one a rule gives)."""

    project: TomlDoc | None = None
    profile: str = ""
    name: str = ""
    moves: dict[KeyPath, KeyPath] = field(default_factory=dict)
    hints: dict[KeyPath, str] = field(default_factory=dict)

    def moved(self, path: tuple[Key, ...]) -> tuple[KeyPath, KeyPath] | None:
        """The key the profile set at or above `path`, and where `path` is in datumc.toml;
        None when the file sets it."""
        for size in range(len(path), -1, -1):
            target = self.moves.get(path[:size])
            if target is not None:
                return path[:size], (*target, *path[size:])
        return None

    def diag(
        self, code: str, severity: Severity, message: str, path: tuple[Key, ...],
        hint: str = "", *, value: bool = False,
    ) -> Diagnostic:
        moved = self.moved(path)
        if moved is None or self.project is None:
            return TomlDoc.diag(self, code, severity, message, path, hint, value=value)
        key, there = moved
        return self.project.diag(code, severity, f"{self.label}: {message}", there,
                                 self.hints.get(key, hint), value=value)

    @property
    def label(self) -> str:
        return f"'{self.name}' in profile '{self.profile}'"


def datum_sets(stack: Stack) -> tuple[dict[str | None, tuple[Entry, ...]], list[Diagnostic]]:
    """The datum set of the files (None) and of each profile that changes it, and what
    is wrong in any profile's [datums] table (every profile's, whichever is built)."""
    sets: dict[str | None, tuple[Entry, ...]] = {None: stack.entries}
    diags: list[Diagnostic] = []
    for name, table in _tables(stack.project_doc):
        entries, found = _profile_set(stack, name, table)
        diags.extend(found)
        if entries is not stack.entries:
            sets[name] = entries
    return sets, diags


def _tables(doc: TomlDoc | None) -> Iterator[tuple[str, Any]]:
    profiles = doc.data.get("profiles") if doc is not None else None
    if not isinstance(profiles, dict):
        return
    for name, overlay in profiles.items():
        if isinstance(overlay, dict) and PROFILE_DATUMS in overlay:
            yield str(name), overlay[PROFILE_DATUMS]


@dataclass(slots=True)
class _Choice:
    """What one profile asks of the datums, checked against the datums there are."""

    stack: Stack
    profile: str
    at: KeyPath
    diags: list[Diagnostic] = field(default_factory=list)
    # datum name -> (enabled, where the profile says so)
    flags: dict[str, tuple[bool, KeyPath]] = field(default_factory=dict)
    # datum name -> its override table, and where it is
    overrides: dict[str, tuple[dict[str, Any], KeyPath]] = field(default_factory=dict)

    @property
    def doc(self) -> TomlDoc:
        assert self.stack.project_doc is not None  # a profile lives in datumc.toml
        return self.stack.project_doc

    def known(self, name: str, path: KeyPath) -> bool:
        """`name` is a datum; else an error at `path` (unless that datum failed validation:
        its own errors say why)."""
        if name in self.stack.by_name:
            return True
        if name not in self.stack.rejected_names:
            self.diags.append(self.doc.diag(
                SCHEMA, SCHEMA.severity, f"{dotted(path)}: no datum is named '{name}'", path,
                hint=self.suggest(name), value=True))
        return False

    def suggest(self, name: str) -> str:
        owners = [e.name for e in self.stack.entries
                  if name in (e.datum.ai_model.model_group, *e.datum.aliases)]
        if owners:
            listed = ", ".join(f"'{o}'" for o in owners)
            return (f"'{name}' is an alias or model_group of {listed}: a profile names "
                    "datums by their [b00t] name")
        close = difflib.get_close_matches(name, sorted(self.stack.by_name), n=1)
        return f"did you mean '{close[0]}'?" if close else "name a datum by its [b00t] name"


def _profile_set(stack: Stack, profile: str, table: Any) -> tuple[tuple[Entry, ...],
                                                                   list[Diagnostic]]:
    try:
        asked = ProfileDatums.model_validate(table)
    except ValidationError:  # reported at its lines by check_profiles
        return stack.entries, []
    choice = _Choice(stack, profile, ("profiles", profile, PROFILE_DATUMS))
    _flags(choice, asked)
    for name, raw in asked.override.items():
        path = (*choice.at, "override", name)
        if choice.known(name, path):
            choice.overrides[name] = (raw, path)
    changed = [_changed(choice, entry) for entry in stack.entries]
    if all(new is old for new, old in zip(changed, stack.entries, strict=True)):
        return stack.entries, choice.diags
    return tuple(changed), choice.diags


def _flags(choice: _Choice, asked: ProfileDatums) -> None:
    clash: set[str] = set()
    for verb, flag in (("enable", True), ("disable", False)):
        for index, name in enumerate(getattr(asked, verb)):
            path = (*choice.at, verb, index)
            if not choice.known(name, path):
                continue
            first = choice.flags.setdefault(name, (flag, path))
            if first[0] != flag:
                clash.add(name)
                choice.diags.append(choice.doc.diag(
                    SCHEMA, SCHEMA.severity,
                    f"{dotted(path)}: profile '{choice.profile}' both enables and disables "
                    f"'{name}'", path, hint="keep the datum in one of enable and disable",
                    value=True))
    for name in clash:
        del choice.flags[name]


# Keys a profile cannot override: what is wrong, and what to do instead.
_FIXED: dict[tuple[str, str], tuple[str, str]] = {
    ("b00t", "name"): (
        "a profile cannot rename a datum",
        "fallbacks, aliases and profiles refer to a datum by its name; override aliases "
        "to give it another public name",
    ),
    ("ai_model", "enabled"): (
        "a profile enables or disables a datum in its [datums] table",
        "write enable = [...] or disable = [...] in the profile's [datums] table",
    ),
}


def _override(choice: _Choice, entry: Entry, raw: dict[str, Any], at: KeyPath) -> (
    tuple[dict[str, Any], Datum, dict[KeyPath, KeyPath]] | None
):
    """`raw` merged over the datum's file and validated as the file is: the data, the
    datum, and the datumc.toml path of each key set. Every problem is reported at its
    datumc.toml line; None when there is one."""
    doc = choice.doc
    found = list(unknown_keys(Datum, doc, raw, at))
    kept = _without_fixed(doc, raw, at, found)
    data = _merge(entry.doc.data, kept)
    try:
        datum = Datum.model_validate(data)
    except ValidationError as exc:
        choice.diags.extend([*found, *schema_diags(exc, doc, at)])
        return None
    choice.diags.extend(found)
    if any(d.severity is Severity.ERROR for d in found):
        return None
    return data, datum, dict(_leaves(kept, (), at))


def _without_fixed(doc: TomlDoc, raw: dict[str, Any], at: KeyPath,
                   found: list[Diagnostic]) -> dict[str, Any]:
    out = dict(raw)
    for (table, key), (what, hint) in _FIXED.items():
        section = out.get(table)
        if isinstance(section, dict) and key in section:
            path = (*at, table, key)
            found.append(doc.diag(SCHEMA, SCHEMA.severity, f"{dotted(path)}: {what}", path,
                                  hint=hint))
            out[table] = {k: v for k, v in section.items() if k != key}
    return out


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key, other values replace; api_base and api_base_env are one
    setting, so an override that sets one drops the other from the file's."""
    mine, theirs = override.get("ai_model"), base.get("ai_model")
    if isinstance(mine, dict) and isinstance(theirs, dict):
        dropped = {other for one, other in _EITHER if one in mine and other not in mine}
        base = {**base, "ai_model": {k: v for k, v in theirs.items() if k not in dropped}}
    return deep_merge(base, override)


def _leaves(data: dict[str, Any], path: KeyPath, at: KeyPath) -> Iterator[
    tuple[KeyPath, KeyPath]
]:
    """Each key the override sets that is not a table: its datum path -> datumc.toml path."""
    for key, value in data.items():
        here = (*path, key)
        if isinstance(value, dict) and value:
            yield from _leaves(value, here, at)
        else:
            yield here, (*at, *here)


def _changed(choice: _Choice, entry: Entry) -> Entry:
    """The entry as the profile has it (the same object when the profile leaves it)."""
    data, datum = entry.doc.data, entry.datum
    moves: dict[KeyPath, KeyPath] = {}
    asked = choice.overrides.get(entry.name)
    override = _override(choice, entry, *asked) if asked is not None else None
    if override is not None:
        data, datum, moves = override
    flag = choice.flags.get(entry.name)
    if flag is not None:
        moves[ENABLED] = flag[1]
        if flag[0] != datum.ai_model.enabled:
            data = deep_merge(data, {"ai_model": {"enabled": flag[0]}})
            datum = datum.model_copy(update={
                "ai_model": datum.ai_model.model_copy(update={"enabled": flag[0]})})
    hints = _lost_fallbacks(choice, entry.name, datum, moves)
    if not moves:
        return entry
    doc = ProfiledDoc(entry.doc.source, data, project=choice.doc, profile=choice.profile,
                      name=entry.name, moves=moves, hints=hints)
    return replace(entry, doc=doc, datum=datum)


def _lost_fallbacks(choice: _Choice, name: str, datum: Datum,
                    moves: dict[KeyPath, KeyPath]) -> dict[KeyPath, str]:
    """A fallback to a datum the profile disables is the profile's doing: a finding on it
    belongs at the `disable` entry (unless the profile wrote the fallbacks itself). Adds
    those to `moves`; returns the hint for each."""
    hints: dict[KeyPath, str] = {}
    if not datum.ai_model.enabled or FALLBACKS in moves:
        return hints
    for index, target in enumerate(datum.ai_model.fallbacks):
        flag = choice.flags.get(target)
        if flag is not None and not flag[0]:
            moves[(*FALLBACKS, index)] = flag[1]
            hints[(*FALLBACKS, index)] = (
                f"keep '{target}' in this profile, or set the fallbacks of '{name}' for it: "
                f"[profiles.{choice.profile}.datums.override.{_key(name)}] "
                "ai_model.fallbacks = [...]")
    return hints


def _key(name: str) -> str:
    """A datum name as a TOML key: bare when it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)
