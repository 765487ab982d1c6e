"""The project as the editor sees it: files on disk, with open buffers' unsaved text
substituted for theirs, analysed by the same pipeline as `datumc lint`.

Parsed and validated datums are kept between analyses, keyed by their text (open
buffers) or their size and mtime (files on disk), so a change to one buffer re-reads
one datum; the project-wide rules and the planned config are then re-run on the set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from datumc.diagnostics import Diagnostic, sort_diagnostics
from datumc.lint.policy import apply_policy
from datumc.lint.registry import env_checks
from datumc.load.discover import discover, is_datum_file
from datumc.load.env_loader import is_env_file, parse_env
from datumc.load.source import Source, display_path, read_source, source_from_text
from datumc.load.stack import PROJECT_FILE, LoadedDatum, Stack, load_stack, read_datum
from datumc.load.toml_loader import TomlDoc, parse_toml
from datumc.memo import recent
from datumc.pipeline import Compilation, analyse_stack
from datumc.validate.limits import MAX_DATUM_BYTES, MAX_ENV_BYTES, MAX_YAML_BYTES
from datumc.validate.project import LintSection

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
class Workspace:
    """Open buffers over the project at `root`; `analyse()` re-checks it."""

    root: Path
    buffers: dict[Path, str] = field(default_factory=dict)
    _datums: dict[Path, tuple[object, LoadedDatum]] = field(default_factory=dict)
    _result: Compilation | None = None
    _displays: dict[str, Path] = field(default_factory=dict)
    _found: tuple[tuple[Path, ...], tuple[Path, ...], tuple[Diagnostic, ...]] | None = None
    _found_stamps: tuple[int | None, ...] = ()

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
        """`datumc lint`'s loading sequence (load_stack) over these files, open datums
        outside the datum directories included, then its rules."""
        extra = [p for p in sorted(self.buffers) if file_kind(p) == "datum"]
        stack, diags = load_stack(self.root, extra_paths=extra, files=self)
        if stack is None:
            return Compilation(None, sort_diagnostics(diags))
        return analyse_stack(stack, diags)

    # -- ProjectFiles: the disk, with open buffers in place and unchanged work kept --

    def exists(self, path: Path) -> bool:
        return path in self.buffers or path.exists()

    def toml(self, path: Path, *, limit: int) -> TomlDoc | Diagnostic:
        shown = display_path(path)
        self._displays[shown] = path
        if path in self.buffers:
            source = source_from_text(path, self.buffers[path], limit=limit, display=shown)
        else:
            source = read_source(path, limit=limit, display=shown)
        return source if isinstance(source, Diagnostic) else parse_toml(source)

    def discover(self, dirs: list[Path], root: Path) -> tuple[list[Path], list[Diagnostic]]:
        """The datum files under `dirs`, read again only when one of the directories
        read last time (or a datum directory itself) has changed."""
        if self._found is not None:
            walked, kept, problems = self._found
            if _stamps(walked) == self._found_stamps:
                return list(kept), list(problems)
        seen: list[Path] = list(dirs)
        paths, diags = discover(dirs, root=root, walked=seen)
        stamps = _stamps(seen)
        # A directory changed within the clock's resolution of now may change again
        # without a new stamp: such an answer is not kept.
        self._found = None if recent(stamps) else (tuple(seen), tuple(paths), tuple(diags))
        self._found_stamps = stamps
        return paths, diags

    def datum(self, path: Path) -> LoadedDatum:
        """The datum read and validated, again only when its text (a buffer) or its size
        and time (a file) changed."""
        key = self._key(path)
        cached = self._datums.get(path)
        if cached is not None and key is not None and cached[0] == key:
            return cached[1]
        loaded = read_datum(self.toml(path, limit=MAX_DATUM_BYTES))
        if key is not None:
            self._datums[path] = (key, loaded)
        return loaded

    def _key(self, path: Path) -> object | None:
        """What identifies this version of the file; None when it cannot be trusted
        (written within the clock's resolution of now)."""
        if path in self.buffers:
            return ("buffer", self.buffers[path])
        try:
            st = path.stat()
        except OSError:
            return ("missing",)
        if recent((st.st_mtime_ns, st.st_ctime_ns)):
            return None
        return ("disk", st.st_size, st.st_mtime_ns, st.st_ino)

    # -- files outside the datum set -------------------------------------------------

    def _lint_settings(self) -> LintSection:
        stack = self.stack()
        return stack.project.lint if stack is not None else LintSection()

    def _lint_yaml(self, path: Path) -> list[Diagnostic]:
        from datumc.lint.run import lint_yaml
        from datumc.load.yaml_loader import YamlDoc, parse_yaml
        from datumc.plan.model import skipped_as_not_litellm

        source = self._source(path, MAX_YAML_BYTES)
        if isinstance(source, Diagnostic):
            return [source]
        doc = parse_yaml(source)
        if not isinstance(doc, YamlDoc):
            return [doc]
        skipped = skipped_as_not_litellm(doc)
        if skipped is not None:
            return [skipped]
        texts = {doc.display: source.text}
        # This file's findings: those in the files it includes belong to those files.
        found = [d for d in lint_yaml(doc, texts) if d.path == doc.display]
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
            return source_from_text(path, self.buffers[path], limit=limit, display=shown)
        return read_source(path, limit=limit, display=shown)


def _stamps(dirs: Iterable[Path]) -> tuple[int | None, ...]:
    """Each directory's modification time (None when it is gone): adding, removing or
    renaming a file in a directory changes it."""
    out: list[int | None] = []
    for directory in dirs:
        try:
            out.append(directory.stat().st_mtime_ns)
        except OSError:
            out.append(None)
    return tuple(out)

