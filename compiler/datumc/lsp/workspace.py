"""The project as the editor sees it: files on disk, with open buffers' unsaved text
substituted for theirs, analysed by the same pipeline as `datumc lint`.

Parsed and validated datums are kept between analyses, keyed by their text (open
buffers) or their size and mtime (files on disk), so a change to one buffer re-reads
one datum; the project-wide rules and the planned config are then re-run on the set.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from datumc.diagnostics import Diagnostic, sort_diagnostics
from datumc.lint.policy import apply_policy
from datumc.lint.registry import env_checks
from datumc.load.discover import discover, is_datum_file
from datumc.load.env_loader import is_env_file, parse_env
from datumc.load.profiles import datum_sets
from datumc.load.source import Source, display_path, read_source
from datumc.load.stack import PROJECT_FILE, Entry, Stack, check_profiles, set_checks
from datumc.load.toml_loader import TomlDoc, parse_toml
from datumc.pipeline import Compilation, analyse_stack
from datumc.validate.check import validate_datum, validate_model
from datumc.validate.limits import MAX_DATUM_BYTES, MAX_ENV_BYTES, MAX_PROJECT_BYTES, MAX_YAML_BYTES
from datumc.validate.project import LintSection, Project

YAML_SUFFIXES = (".yaml", ".yml")


def file_kind(path: Path) -> str | None:
    """'datum', 'project', 'yaml' or 'env' for a file the server checks, else None."""
    if path.name == PROJECT_FILE:
        return "project"
    if is_datum_file(path):
        return "datum"
    if path.suffix in YAML_SUFFIXES:
        return "yaml"
    if is_env_file(path):
        return "env"
    return None


@dataclass(slots=True)
class _Loaded:
    """One datum file read and validated: its key (text or stat) and what came of it."""

    key: object
    doc: TomlDoc | None
    entry: Entry | None
    diags: list[Diagnostic]


@dataclass(slots=True)
class Workspace:
    """Open buffers over the project at `root`; `analyse()` re-checks it."""

    root: Path
    buffers: dict[Path, str] = field(default_factory=dict)
    _datums: dict[Path, _Loaded] = field(default_factory=dict)
    _result: Compilation | None = None
    _displays: dict[str, Path] = field(default_factory=dict)

    # -- buffers ---------------------------------------------------------------------

    def open(self, path: Path, text: str) -> None:
        self.buffers[path] = text
        self._result = None

    def change(self, path: Path, text: str) -> None:
        self.buffers[path] = text
        self._result = None

    def close(self, path: Path) -> None:
        self.buffers.pop(path, None)
        self._result = None

    def refresh(self) -> None:
        """Files changed on disk (a save, a checkout): re-check them on the next query."""
        self._result = None

    def text(self, path: Path) -> str | None:
        """The buffer's text, else the file's on disk; None when unreadable."""
        if path in self.buffers:
            return self.buffers[path]
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    # -- the project -----------------------------------------------------------------

    def result(self) -> Compilation:
        """The project analysed as `datumc lint` would, with unsaved text in place."""
        if self._result is None:
            self._result = self._analyse()
        return self._result

    def stack(self) -> Stack | None:
        return self.result().stack

    def path_of(self, display: str) -> Path:
        """The file a diagnostic's path names."""
        found = self._displays.get(display)
        return found if found is not None else Path(display).absolute()

    def diagnostics(self, path: Path) -> list[Diagnostic]:
        """What `datumc lint PATH` reports for this file, unsaved text included."""
        kind = file_kind(path)
        if kind == "yaml":
            return self._lint_yaml(path)
        if kind == "env":
            return self._lint_env(path)
        shown = display_path(path)
        self._displays.setdefault(shown, path)
        wanted = {shown}
        return [d for d in self.result().diagnostics if d.path in wanted]

    def _analyse(self) -> Compilation:
        project, project_doc, diags = self._project()
        if project is None:
            return Compilation(None, sort_diagnostics(diags))
        dirs = [self.root / d for d in project.datumc.datum_dirs]
        paths, found = discover(dirs, root=self.root)
        diags.extend(found)
        known = set(paths)
        paths.extend(p for p in sorted(self.buffers) if file_kind(p) == "datum"
                     and p not in known)
        entries: list[Entry] = []
        rejected: list[TomlDoc] = []
        for path in paths:
            loaded = self._datum(path)
            diags.extend(loaded.diags)
            if loaded.entry is not None:
                entries.append(loaded.entry)
            elif loaded.doc is not None:
                rejected.append(loaded.doc)
        raw = project_doc.data if project_doc is not None else {}
        files = Stack(self.root, project, project_doc, tuple(entries), None, raw,
                      tuple(rejected))
        sets, found = datum_sets(files)
        diags.extend(found)
        stack = replace(files, entries=sets.get(None, files.entries), datum_sets=sets)
        diags.extend(set_checks(stack))
        return analyse_stack(stack, diags)

    def _project(self) -> tuple[Project | None, TomlDoc | None, list[Diagnostic]]:
        path = self.root / PROJECT_FILE
        if path not in self.buffers and not path.is_file():
            return Project(), None, []
        doc = self._toml(path, MAX_PROJECT_BYTES)
        if isinstance(doc, Diagnostic):
            return None, None, [doc]
        project, diags = validate_model(Project, doc, doc.data)
        if project is None:
            return None, doc, diags
        diags.extend(check_profiles(doc, project))
        return project, doc, diags

    def _toml(self, path: Path, limit: int) -> TomlDoc | Diagnostic:
        shown = display_path(path)
        self._displays[shown] = path
        if path in self.buffers:
            return parse_toml(Source(path, shown, self.buffers[path]))
        source = read_source(path, limit=limit, display=shown)
        return source if isinstance(source, Diagnostic) else parse_toml(source)

    def _datum(self, path: Path) -> _Loaded:
        key = self._key(path)
        cached = self._datums.get(path)
        if cached is not None and cached.key == key:
            return cached
        doc = self._toml(path, MAX_DATUM_BYTES)
        if isinstance(doc, Diagnostic):
            loaded = _Loaded(key, None, None, [doc])
        else:
            datum, diags = validate_datum(doc)
            loaded = _Loaded(key, doc, Entry(doc, datum) if datum is not None else None, diags)
        self._datums[path] = loaded
        return loaded

    def _key(self, path: Path) -> object:
        if path in self.buffers:
            return ("buffer", self.buffers[path])
        try:
            st = path.stat()
        except OSError:
            return ("missing",)
        return ("disk", st.st_size, st.st_mtime_ns)

    # -- files outside the datum set -------------------------------------------------

    def _lint_settings(self) -> LintSection:
        stack = self.stack()
        return stack.project.lint if stack is not None else LintSection()

    def _lint_yaml(self, path: Path) -> list[Diagnostic]:
        from datumc.lint.run import lint_yaml
        from datumc.load.yaml_loader import YamlDoc, parse_yaml
        from datumc.plan.model import NOT_LITELLM, is_litellm_config

        source = self._source(path, MAX_YAML_BYTES)
        if isinstance(source, Diagnostic):
            return [source]
        doc = parse_yaml(source)
        if not isinstance(doc, YamlDoc):
            return [doc]
        if not is_litellm_config(doc.data):
            return [Diagnostic(
                NOT_LITELLM, NOT_LITELLM.severity,
                "not a LiteLLM config (no model_list, litellm_settings, router_settings, "
                "general_settings or include); skipped",
                doc.display, hint="LiteLLM rules run on LiteLLM proxy configs only",
            )]
        found = lint_yaml(doc)
        texts = {doc.display: source.text}
        return sort_diagnostics(apply_policy(found, texts=texts, lint=self._lint_settings()))

    def _lint_env(self, path: Path) -> list[Diagnostic]:
        from datumc.secrets.redact import is_secret_env, remember

        source = self._source(path, MAX_ENV_BYTES)
        if isinstance(source, Diagnostic):
            return [source]
        doc = parse_env(source)
        remember(e.value for e in doc.entries if is_secret_env(e.key, e.value))
        needed = self._needed()
        found: list[Diagnostic] = []
        for check in env_checks():
            found.extend(check(doc, needed))
        texts = {doc.display: source.text}
        return sort_diagnostics(apply_policy(found, texts=texts, lint=self._lint_settings()))

    def _needed(self) -> dict[str, str] | None:
        result = self.result()
        if result.stack is None or not result.stack.enabled or result.config is None:
            return None
        return {v.name: v.describe(limit=3) for v in result.config.env}

    def _source(self, path: Path, limit: int) -> Source | Diagnostic:
        shown = display_path(path)
        self._displays[shown] = path
        if path in self.buffers:
            return Source(path, shown, self.buffers[path])
        return read_source(path, limit=limit, display=shown)
