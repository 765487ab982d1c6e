"""`include:` in a LiteLLM config, followed as LiteLLM 1.106 follows it.

The proxy reads its config, then merges the files `include:` names
(litellm/proxy/proxy_server.py:5715, `_process_includes` at :5721, with
litellm/proxy/common_utils/config_includes.py):

* an entry is a path relative to the file that declares it; a nested entry that is not
  there but is next to the root config is read from there, with a warning
  (resolve_include_file_path, config_includes.py:11-42);
* a top-level list of an included file is appended to the list read so far (model_list),
  any other value replaces the section whole (_merged_value, :53-56): a litellm_settings
  in an included file replaces the main file's, key order is the main file's first;
* included files may include more, breadth first (their entries queue after the pending
  ones, :107-113); a file already read is skipped, silently (:104-105);
* the proxy refuses to start on a missing file (proxy_server.py:5743), a file that is not
  a mapping with string keys (:5745-5748; an empty file is `{}`, :5681), and an
  `include` that is not a list of strings (config_includes.py:73-85).

`follow_includes` gives the config model the proxy serves: the merged data, each value's
origin in the file it came from (so every rule reports there), and the files read.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Final

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import Key, KeyPath
from datumc.load.source import display_path, real_path
from datumc.load.yaml_loader import YamlDoc, load_yaml
from datumc.plan.model import ConfigModel, Origin, Origins
from datumc.validate.limits import MAX_YAML_BYTES

INCLUDE: Final = "include"
MAX_INCLUDED_FILES: Final = 256

INCLUDE_FILE = Code("DC024", "include-file", Severity.ERROR, """
A file named by `include:` cannot be merged: it is missing, unreadable, not YAML,
not a mapping of config sections, or itself has an `include` that is not a list.

Why: the proxy merges every included file at startup and refuses to start when one
fails (litellm/proxy/proxy_server.py:5741-5748, common_utils/config_includes.py:73-85).
An entry is relative to the file that declares it.

Bad:
    include: [models.yaml]      # models.yaml is not next to config.yaml

Good:
    include: [models.yaml]      # models.yaml next to config.yaml, holding
                                # model_list: [...]

Configurable: a build that knows better (the file is provided at deploy time by other
means) may set it to a warning in [lint.severity]; nothing then copies the file.
""", configurable=True)

INCLUDE_OUTSIDE = Code("DC025", "include-outside-tree", Severity.WARNING, """
An included file is outside the config's directory (`../shared.yaml`, an absolute
path, or a symlink out of it).

Why: the proxy reads it, but a build cannot copy it next to config.yaml or mount it
into a container, so `datumc build` refuses it (an error there) and a hand-written
config that uses it only works on the machine that has the file.

Bad:
    include: [../shared/models.yaml]

Good:
    include: [shared/models.yaml]   # a copy under the config's directory
""")

# Reported by the config rules include-repeated and include-resolved-from-root
# (lint/rules/include_repeated.py, include_from_root.py), which explain them.
INCLUDE_REPEATED: Final = "DC238"
INCLUDE_FALLBACK: Final = "DC239"

INCLUDE_CODES: Final = (INCLUDE_FILE, INCLUDE_OUTSIDE)
_RULE_CODES: Final = frozenset({INCLUDE_REPEATED, INCLUDE_FALLBACK})

_AT = Callable[[str, Severity, str, str], Diagnostic]


@dataclass(frozen=True, slots=True)
class IncludedFile:
    """One file merged into the config: where it is, relative to the root config's
    directory (POSIX; None when outside it), and its parsed YAML."""

    path: Path
    relpath: str | None
    doc: YamlDoc


@dataclass(frozen=True, slots=True)
class Includes:
    """What following `include:` read and found."""

    files: tuple[IncludedFile, ...] = ()
    findings: tuple[Diagnostic, ...] = ()

    @property
    def complete(self) -> bool:
        """Every entry was merged: the model is the config the proxy serves."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def docs(self) -> tuple[YamlDoc, ...]:
        return tuple(f.doc for f in self.files)

    def reported(self) -> tuple[Diagnostic, ...]:
        """The findings the loader reports itself; the config rules report the others."""
        return tuple(f for f in self.findings if f.code not in _RULE_CODES)

    def of(self, code: str) -> tuple[Diagnostic, ...]:
        return tuple(f for f in self.findings if f.code == code)


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    declared_in: Path
    at: _AT

    @property
    def shown(self) -> str:
        """The name for a message; escaped when it holds a control character, so it
        cannot forge a line of output."""
        return f"'{self.name}'" if self.name.isprintable() else repr(self.name)


@dataclass(slots=True)
class _Merge:
    root: Path  # the root config's absolute path
    outside: Severity
    data: dict[Any, Any]
    origins: Origins
    loaded: set[Path] = field(default_factory=set)
    files: list[IncludedFile] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    pending: deque[_Entry] = field(default_factory=deque)


def follow_includes(model: ConfigModel, config_path: Path, *,
                    outside: Severity = INCLUDE_OUTSIDE.severity) -> ConfigModel:
    """`model` with the files its `include:` names merged in as LiteLLM merges them;
    `model` itself when it has no usable `include:` (include-not-list reports that).
    `config_path` is the root config (its directory anchors the entries); `outside` is
    the severity of a file outside that directory (an error when building)."""
    names = entries(model.data.get(INCLUDE)) if isinstance(model.data, dict) else None
    if not names:
        return model
    root = _absolute(config_path)
    state = _Merge(root, outside, dict(model.data), dict(model.origins), {root})
    for index, name in enumerate(names):
        state.pending.append(_Entry(name, root, _model_at(model, index)))
    while state.pending:
        _follow(state, state.pending.popleft())
    found = Includes(tuple(state.files), tuple(state.findings))
    return replace(model, data=state.data, origins=state.origins, includes=found,
                   _strings=None)


def entries(value: Any) -> list[str] | None:
    """The file names of an `include` value; None unless it is a list of strings
    (config_includes.py:73-85 refuses anything else)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return list(value)


def _model_at(model: ConfigModel, index: int) -> _AT:
    def at(code: str, severity: Severity, message: str, hint: str) -> Diagnostic:
        return model.diag(code, severity, message, (INCLUDE, index), hint, value=True)
    return at


def _doc_at(doc: YamlDoc, path: KeyPath) -> _AT:
    def at(code: str, severity: Severity, message: str, hint: str) -> Diagnostic:
        return doc.diag(code, severity, message, path, hint, value=True)
    return at


def _follow(state: _Merge, entry: _Entry) -> None:
    location = _resolve(state, entry)
    if location in state.loaded:
        state.findings.append(_repeated(state, entry, location))
        return
    if len(state.loaded) > MAX_INCLUDED_FILES:
        state.findings.append(entry.at(
            INCLUDE_FILE, Severity.ERROR, f"more than {MAX_INCLUDED_FILES} included files; "
            f"{entry.shown} and the rest were not read", "merge the included files"))
        state.pending.clear()
        return
    state.loaded.add(location)
    doc = _read(state, entry, location)
    if doc is None:
        return
    relpath = _inside(state.root.parent, location)
    if relpath is None:
        state.findings.append(entry.at(
            INCLUDE_OUTSIDE, state.outside,
            f"include {entry.shown} is {display_path(location)}, outside the config's "
            "directory: a build cannot copy it next to config.yaml or mount it",
            "move (or copy) the file under the config's directory and name it from there"))
    state.files.append(IncludedFile(location, relpath, doc))
    _merge(state, doc)


def _resolve(state: _Merge, entry: _Entry) -> Path:
    """resolve_include_file_path (config_includes.py:11-42), with its two warnings."""
    declared = _absolute(entry.declared_in.parent / entry.name)
    rooted = _absolute(state.root.parent / entry.name)
    if rooted == declared or not rooted.exists():
        return declared
    if not declared.exists():
        state.findings.append(entry.at(
            INCLUDE_FALLBACK, Severity.WARNING,
            f"include {entry.shown} is not next to {display_path(entry.declared_in)}; "
            f"LiteLLM reads {display_path(rooted)}, next to the root config, instead",
            "name the file relative to the file that includes it"))
        return rooted
    state.findings.append(entry.at(
        INCLUDE_FALLBACK, Severity.WARNING,
        f"include {entry.shown} matches two files: LiteLLM reads {display_path(declared)} "
        f"and skips {display_path(rooted)}", "rename one of the two"))
    return declared


def _absolute(path: Path) -> Path:
    """`os.path.abspath`, as LiteLLM resolves an entry: `..` removed, symlinks kept (a
    file reached through two links is two files to it; Path.resolve would make it one)."""
    return Path(os.path.normpath(path.absolute()))


def _repeated(state: _Merge, entry: _Entry, location: Path) -> Diagnostic:
    what = "the config itself" if location == state.root else "a file already merged"
    return entry.at(
        INCLUDE_REPEATED, Severity.WARNING,
        f"include {entry.shown} names {what} ({display_path(location)}); LiteLLM skips "
        "the entry, so it adds nothing", "remove the entry")


def _read(state: _Merge, entry: _Entry, location: Path) -> YamlDoc | None:
    """The included file as LiteLLM reads it (`yaml.safe_load(f) or {}`), or None with a
    finding: the proxy would refuse to start."""
    if not location.exists():
        state.findings.append(entry.at(
            INCLUDE_FILE, Severity.ERROR,
            f"include {entry.shown}: no such file ({display_path(location)}); the proxy "
            "refuses to start", "an entry is relative to the file that declares it"))
        return None
    doc = load_yaml(location, limit=MAX_YAML_BYTES)
    if not isinstance(doc, YamlDoc):
        state.findings.append(doc)
        return None
    data = doc.data or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        what = "a mapping with a key that is not a string" if isinstance(data, dict) else (
            f"a {type(data).__name__}")
        state.findings.append(entry.at(
            INCLUDE_FILE, Severity.ERROR,
            f"include {entry.shown} is {what}, not a mapping of config sections; the "
            "proxy refuses to start", "write it like config.yaml: model_list: [...] etc."))
        return None
    nested = data.get(INCLUDE)
    names = entries(nested) if INCLUDE in data else []
    if names is None:
        state.findings.append(doc.diag(
            INCLUDE_FILE, Severity.ERROR, "include must be a list of file names; the proxy "
            "refuses to start", (INCLUDE,), "write include: [more.yaml]", value=True))
        return None
    for index, name in enumerate(names):
        state.pending.append(
            _Entry(name, location, _doc_at(doc, (INCLUDE, index))))
    return doc


def _inside(root_dir: Path, location: Path) -> str | None:
    """`location` relative to `root_dir` (POSIX), None when it (or a symlink on the way)
    leads out of it."""
    if not real_path(location).is_relative_to(real_path(root_dir)):
        return None
    rel = PurePosixPath(Path(os.path.relpath(location, root_dir)).as_posix())
    return None if ".." in rel.parts else str(rel)


def _merge(state: _Merge, doc: YamlDoc) -> None:
    """_merged (config_includes.py:65-66): lists append, anything else replaces."""
    for key, value in doc.data.items() if isinstance(doc.data, dict) else ():
        if key == INCLUDE:
            continue
        base = state.data.get(key)
        if isinstance(value, list) and isinstance(base, list):
            state.data[key] = [*base, *value]
            for index in range(len(value)):
                state.origins[(key, len(base) + index)] = Origin(doc, (key, index))
            continue
        _forget(state.origins, key)
        state.data[key] = value
        state.origins[(key,)] = Origin(doc, (key,))


def _forget(origins: Origins, key: Key) -> None:
    """Drop the origins of a section an included file replaces."""
    for path in [p for p in origins if p[:1] == (key,)]:
        del origins[path]


# The name the build gives the config; its include entries are relative to the project.
BUILT_CONFIG: Final = "config.yaml"


def follow_project_includes(model: ConfigModel, root: Path) -> (
    tuple[ConfigModel | None, list[Diagnostic]]
):
    """The planned config with the files `[extra_sections] include` names merged in, as
    the proxy will merge the copies the build puts next to config.yaml; None without an
    include. A file outside the project cannot be copied: an error here."""
    if INCLUDE not in model.data:
        return None, []
    served = follow_includes(model, root / BUILT_CONFIG, outside=Severity.ERROR)
    found = served.includes.reported() if served.includes is not None else ()
    return served, list(found)
