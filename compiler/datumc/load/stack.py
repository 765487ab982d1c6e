"""Load a project: datumc.toml + every datum, validated and checked as a set."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.errors import UsageError
from datumc.load.discover import NO_DATUMS, SYMLINK_OUTSIDE, dir_outside, discover, outside_root
from datumc.load.positions import Key
from datumc.load.profiles import ENABLED, ProfiledDoc, datum_sets
from datumc.load.source import display_path, path_error, real_path
from datumc.load.toml_loader import TomlDoc, load_toml, parse_toml
from datumc.progress import Progress, counted, silent
from datumc.validate.check import SCHEMA, schema_diags, unknown_keys, validate_datum, validate_model
from datumc.validate.datum import Datum
from datumc.validate.limits import MAX_DATUM_BYTES, MAX_DATUM_FILES, MAX_PROJECT_BYTES, TOO_LARGE
from datumc.validate.project import PROFILE_DATUMS, ProfileDatums, Project, merge_profile

PROJECT_FILE = "datumc.toml"
DUPLICATE_NAME = Code("DC005", "duplicate-model-name", Severity.ERROR, """
Two datums use the same [b00t] name.

Why: the public model name must be unique; LiteLLM would load-balance two unrelated
models under one name.

Bad:  two files both with  name = "claude"
Good: distinct names, or the same [ai_model] model_group to load-balance on purpose.
""")
DISABLED = Code("DC007", "disabled-datum", Severity.INFO, """
A datum has `enabled = false` and is not emitted.

Why: reported so a model that "vanished" from the proxy has an explanation.

Example:
    [ai_model]
    enabled = false
""", configurable=True)


@dataclass(frozen=True, slots=True)
class Entry:
    """One valid datum and the document it came from."""

    doc: TomlDoc
    datum: Datum

    @property
    def name(self) -> str:
        return self.datum.name

    def diag(
        self, code: str, severity: Severity, message: str, *path: Key, hint: str = "",
        value: bool = False,
    ) -> Diagnostic:
        return self.doc.diag(code, severity, message, tuple(path), hint, value=value)


@dataclass(frozen=True)
class Stack:
    """Everything a build or lint needs, loaded and validated."""

    root: Path
    project: Project
    project_doc: TomlDoc | None
    entries: tuple[Entry, ...]
    profile: str | None = None
    raw_project: dict[str, Any] = field(default_factory=dict)
    # Datums that parsed as TOML but failed validation. Not compiled; still scanned by
    # the rules that read raw text (a leaked key matters even in a broken datum).
    rejected: tuple[TomlDoc, ...] = ()
    # The datums as their files say (None) and as each profile with a [datums] table
    # has them: the datum set of every variant lint checks.
    datum_sets: Mapping[str | None, tuple[Entry, ...]] = field(default_factory=dict)

    def entries_of(self, profile: str | None) -> tuple[Entry, ...]:
        """The datums the build of `profile` (None: no profile) serves."""
        return self.datum_sets.get(profile, self.datum_sets.get(None, self.entries))

    @property
    def docs(self) -> tuple[TomlDoc, ...]:
        """Every datum document that parsed, valid or not, in path order."""
        return tuple(sorted([*(e.doc for e in self.entries), *self.rejected],
                            key=lambda d: d.source.path.as_posix()))

    @cached_property
    def enabled(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.datum.ai_model.enabled)

    @cached_property
    def by_name(self) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        for entry in self.entries:
            out.setdefault(entry.name, entry)
        return out

    @cached_property
    def public_names(self) -> dict[str, list[Entry]]:
        """model_name -> the enabled deployments served under it."""
        out: dict[str, list[Entry]] = {}
        for entry in self.enabled:
            out.setdefault(entry.datum.public_name, []).append(entry)
        return out

    @cached_property
    def rejected_names(self) -> frozenset[str]:
        """Names (and model groups) that datums failing validation declare: references to
        them are not reported again (their own errors say what is wrong)."""
        out: set[str] = set()
        for doc in self.rejected:
            for table, key in (("b00t", "name"), ("ai_model", "model_group")):
                section = doc.data.get(table)
                value = section.get(key) if isinstance(section, dict) else None
                if isinstance(value, str):
                    out.add(value)
        return frozenset(out)

    @property
    def out_dir(self) -> Path:
        base = self.root / self.project.datumc.out_dir
        return base / self.profile if self.profile else base

    def datum_dirs(self) -> list[Path]:
        return [self.root / d for d in self.project.datumc.datum_dirs]


@dataclass(frozen=True, slots=True)
class LoadedDatum:
    """One datum file read and validated: the entry when valid, else the parsed document
    (when it parsed), and the findings."""

    entry: Entry | None
    doc: TomlDoc | None
    diags: tuple[Diagnostic, ...]


class ProjectFiles(Protocol):
    """Where a project's files are read from: the disk (`DISK`), or the disk with an
    editor's unsaved buffers in place and what did not change kept (the language
    server's workspace). One loading sequence, `load_stack`, runs over either."""

    def exists(self, path: Path) -> bool: ...  # may raise OSError

    def toml(self, path: Path, *, limit: int) -> TomlDoc | Diagnostic: ...

    def discover(self, dirs: list[Path], root: Path) -> tuple[list[Path], list[Diagnostic]]: ...

    def datum(self, path: Path) -> LoadedDatum: ...


class DiskFiles:
    """The project as it is on disk."""

    def exists(self, path: Path) -> bool:
        return path.exists()

    def toml(self, path: Path, *, limit: int) -> TomlDoc | Diagnostic:
        return load_toml(path, limit=limit, display=display_path(path))

    def discover(self, dirs: list[Path], root: Path) -> tuple[list[Path], list[Diagnostic]]:
        return discover(dirs, root=root)

    def datum(self, path: Path) -> LoadedDatum:
        return read_datum(self.toml(path, limit=MAX_DATUM_BYTES))


DISK = DiskFiles()


def read_datum(doc: TomlDoc | Diagnostic) -> LoadedDatum:
    """Validate a parsed datum file (or pass on why it could not be read)."""
    if isinstance(doc, Diagnostic):
        return LoadedDatum(None, None, (doc,))
    datum, diags = validate_datum(doc)
    return LoadedDatum(Entry(doc, datum) if datum is not None else None, doc, tuple(diags))


def load_project(
    root: Path, *, profile: str | None = None, files: ProjectFiles = DISK,
) -> tuple[Project | None, TomlDoc | None, dict[str, Any], list[Diagnostic]]:
    """The project settings; defaults when there is no datumc.toml.

    Every profile is checked, not only the one asked for: a typo in
    [profiles.prod] is reported at its own line while you build dev.
    """
    path = root / PROJECT_FILE
    try:
        present = files.exists(path)
    except OSError as exc:  # a name over 255 bytes, a path over PATH_MAX, ...
        return None, None, {}, [path_error(path, exc)]
    if not present:
        if profile:
            raise UsageError(f"--profile {profile}: there is no {PROJECT_FILE} defining profiles")
        return Project(), None, {}, []
    doc = files.toml(path, limit=MAX_PROJECT_BYTES)
    if isinstance(doc, Diagnostic):
        return None, None, {}, [doc]
    raw = _apply_profile(doc, profile) if profile else doc.data
    project, diags = validate_model(Project, doc, doc.data)
    if project is None:
        return None, doc, raw, diags
    diags.extend(check_profiles(doc, project))
    if profile:
        project = _profile_project(raw)
    return project, doc, raw, diags


def _apply_profile(doc: TomlDoc, profile: str) -> dict[str, Any]:
    profiles = doc.data.get("profiles", {})
    if not isinstance(profiles, dict) or profile not in profiles:
        known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) else ""
        raise UsageError(
            f"unknown profile '{profile}'" + (f"; {PROJECT_FILE} defines: {known}" if known else "")
        )
    overlay = profiles[profile]
    return merge_profile(doc.data, overlay) if isinstance(overlay, dict) else doc.data


def _profile_project(raw: dict[str, Any]) -> Project | None:
    """The project with a profile applied; None when it is invalid (reported by
    check_profiles at the profile's own lines)."""
    try:
        return Project.model_validate(raw)
    except ValidationError:
        return None


def check_profiles(doc: TomlDoc, base: Project) -> Iterator[Diagnostic]:
    """Validate every [profiles.NAME] overlay merged over the base, at the overlay's lines."""
    for name, overlay in base.profiles.items():
        at: tuple[Key, ...] = ("profiles", name)
        if "profiles" in overlay:
            yield doc.diag(SCHEMA, SCHEMA.severity,
                           f"profiles.{name}.profiles: a profile cannot define profiles",
                           (*at, "profiles"), hint="move the nested profile to the top level")
            continue
        settings = {k: v for k, v in overlay.items() if k != PROFILE_DATUMS}
        yield from unknown_keys(Project, doc, settings, at)
        try:
            Project.model_validate(merge_profile(doc.data, overlay))
        except ValidationError as exc:
            yield from _overlay_errors(exc, doc, settings, at)
        if PROFILE_DATUMS in overlay:  # the names are checked with the datums (profiles.py)
            yield from validate_model(ProfileDatums, doc, overlay[PROFILE_DATUMS],
                                      at=(*at, PROFILE_DATUMS))[1]


def _overlay_errors(
    exc: ValidationError, doc: TomlDoc, overlay: dict[str, Any], at: tuple[Key, ...]
) -> Iterator[Diagnostic]:
    """The errors the overlay caused (the base's own are reported once, at the base)."""
    found = False
    # schema_diags yields one diagnostic per error, in exc.errors() order.
    for err, diag in zip(exc.errors(include_url=False), schema_diags(exc, doc, at), strict=True):
        if _in_overlay(overlay, err["loc"]):
            found = True
            yield diag
    if not found:
        yield doc.diag(SCHEMA, SCHEMA.severity,
                       f"{'.'.join(map(str, at))}: the merged settings are invalid: "
                       f"{exc.errors(include_url=False)[0]['msg']}", at)


def _in_overlay(overlay: dict[str, Any], loc: tuple[str | int, ...]) -> bool:
    node: Any = overlay
    for part in loc:
        if not isinstance(node, dict):
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def load_datums(paths: Sequence[Path]) -> tuple[list[Entry], list[Diagnostic]]:
    entries, _, diags = load_datum_docs(paths)
    return entries, diags


def load_datum_docs(
    paths: Sequence[Path], progress: Progress = silent, files: ProjectFiles = DISK,
) -> tuple[list[Entry], list[TomlDoc], list[Diagnostic]]:
    """Valid datums, the parsed documents that failed validation, and all diagnostics."""
    entries: list[Entry] = []
    rejected: list[TomlDoc] = []
    diags: list[Diagnostic] = []
    for path in counted(paths, len(paths), "reading datums", progress):
        loaded = files.datum(path)
        diags.extend(loaded.diags)
        if loaded.entry is not None:
            entries.append(loaded.entry)
        elif loaded.doc is not None:
            rejected.append(loaded.doc)
    return entries, rejected, diags


def load_datum_text(text: str, display: str) -> tuple[Entry | None, list[Diagnostic]]:
    """Validate one datum given as text (used by tests and `datumc import`)."""
    from datumc.load.source import Source

    doc = parse_toml(Source(Path(display), display, text))
    if isinstance(doc, Diagnostic):
        return None, [doc]
    datum, diags = validate_datum(doc)
    return (Entry(doc, datum) if datum is not None else None), diags


def load_stack(
    root: Path, *, profile: str | None = None, datum_paths: Sequence[Path] | None = None,
    extra_paths: Sequence[Path] = (), progress: Progress = silent,
    files: ProjectFiles = DISK,
) -> tuple[Stack | None, list[Diagnostic]]:
    """Load and validate the project at `root`. Returns None when nothing usable was found.

    `extra_paths` are datums outside the project's datum dirs (named on a lint command
    line, or open in an editor) loaded alongside the project's own, so fallbacks and
    aliases resolve. `files` is where the files are read from.
    """
    project, project_doc, raw, diags = load_project(root, profile=profile, files=files)
    if project is None:
        return None, diags
    if datum_paths is None:
        dirs, refused = _datum_dirs(root, project, project_doc, profile)
        diags.extend(refused)
        datum_paths, found = files.discover(dirs, root)
        diags.extend(found)
        if not datum_paths and not found and not refused:
            diags.append(_no_datums(dirs))
    datum_paths = _with_extra(datum_paths, extra_paths)
    if len(datum_paths) > MAX_DATUM_FILES:
        diags.append(_too_many(root, len(datum_paths)))
        return None, diags
    entries, rejected, found = load_datum_docs(datum_paths, progress, files)
    diags.extend(found)
    loaded = Stack(root, project, project_doc, tuple(entries), profile, raw, tuple(rejected))
    sets, found = datum_sets(loaded)  # [profiles.NAME.datums]: each profile's datums
    diags.extend(found)
    stack = replace(loaded, entries=sets.get(profile, loaded.entries), datum_sets=sets)
    diags.extend(set_checks(stack))
    return stack, diags


def _with_extra(paths: Sequence[Path], extra: Sequence[Path]) -> list[Path]:
    """`paths`, then each of `extra` that is not one of them (symlinks resolved; a path
    named exactly as found needs no resolving)."""
    if not extra:
        return list(paths)
    same = set(paths)
    unknown = [p for p in extra if p not in same]
    if not unknown:
        return list(paths)
    known = {real_path(p) for p in paths}
    return [*paths, *(p for p in unknown if real_path(p) not in known)]


def _datum_dirs(
    root: Path, project: Project, doc: TomlDoc | None, profile: str | None
) -> tuple[list[Path], list[Diagnostic]]:
    """The configured datum directories that resolve inside the project, and a DC010 at
    its datumc.toml line for each one that leaves it (it is not walked). Paths that are
    absolute or hold `..` were refused by the schema already (DC003)."""
    dirs: list[Path] = []
    refused: list[Diagnostic] = []
    for index, name in enumerate(project.datumc.datum_dirs):
        directory = root / name
        real = outside_root(directory, root)
        if real is None:
            dirs.append(directory)
        else:
            refused.append(_dir_refused(directory, real, doc, (*_dirs_key(doc, profile), index)))
    return dirs, refused


def _dir_refused(directory: Path, real: Path, doc: TomlDoc | None,
                 at: tuple[Key, ...]) -> Diagnostic:
    message, hint = dir_outside(directory, real)
    if doc is None:  # the default datums/, with no datumc.toml
        return Diagnostic(SYMLINK_OUTSIDE, SYMLINK_OUTSIDE.severity, message,
                          display_path(directory), hint=hint)
    return doc.diag(SYMLINK_OUTSIDE, SYMLINK_OUTSIDE.severity, message, at, hint, value=True)


def _dirs_key(doc: TomlDoc | None, profile: str | None) -> tuple[Key, ...]:
    """Where datum_dirs is set: in the profile being applied, or at the top."""
    data = doc.data if doc is not None else {}
    overlay = data.get("profiles", {}).get(profile, {}) if profile else {}
    section = overlay.get("datumc") if isinstance(overlay, dict) else None
    if isinstance(section, dict) and "datum_dirs" in section:
        return ("profiles", str(profile), "datumc", "datum_dirs")
    return ("datumc", "datum_dirs")


def set_checks(stack: Stack) -> Iterator[Diagnostic]:
    """Checks that need the whole set: duplicate names; disabled datums (info)."""
    seen: dict[str, Entry] = {}
    for entry in stack.entries:
        first = seen.setdefault(entry.name, entry)
        if first is not entry:
            yield entry.diag(
                DUPLICATE_NAME,
                DUPLICATE_NAME.severity,
                f"model name '{entry.name}' is already defined in {first.doc.display}",
                "b00t", "name", value=True,
                hint="model names must be unique: rename one, or give both the same "
                "[ai_model] model_group to load-balance them",
            )
        if not entry.datum.ai_model.enabled:
            yield _disabled(entry)


def _disabled(entry: Entry) -> Diagnostic:
    doc = entry.doc
    if isinstance(doc, ProfiledDoc) and doc.project is not None and ENABLED in doc.moves:
        return doc.project.diag(
            DISABLED, DISABLED.severity,
            f"profile '{doc.profile}' disables '{entry.name}': it is not emitted",
            doc.moves[ENABLED], value=True,
        )
    return entry.diag(
        DISABLED,
        DISABLED.severity,
        f"'{entry.name}' is disabled (enabled = false) and is not emitted",
        "ai_model", "enabled",
    )


def _no_datums(dirs: Sequence[Path]) -> Diagnostic:
    shown = ", ".join(display_path(d) for d in dirs)
    return Diagnostic(
        NO_DATUMS,
        NO_DATUMS.severity,
        f"no datum files (*.ai_model.toml, *.model.toml) found in {shown}",
        shown,
        hint="add a datum, or point [datumc] datum_dirs in datumc.toml at your datums",
    )


def _too_many(root: Path, count: int) -> Diagnostic:
    return Diagnostic(
        TOO_LARGE,
        TOO_LARGE.severity,
        f"{count} datum files found; the limit is {MAX_DATUM_FILES}",
        display_path(root),
        hint="check datum_dirs: is it pointing at a directory that is too broad?",
    )
