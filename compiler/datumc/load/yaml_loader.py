"""YAML documents (hand-written LiteLLM configs) with key positions from PyYAML node marks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.load import YAML_SYNTAX
from datumc.load.positions import Key, KeyPath, PositionMap
from datumc.load.source import Source, read_source
from datumc.validate.limits import MAX_PARSE_DEPTH, TOO_LARGE

MAX_EXPANDED_NODES = 1_000_000

if TYPE_CHECKING:
    import yaml


MAX_INT_BITS = 13_300  # 2**13300 has 4,004 digits: past this, Python refuses to print it
# What PyYAML's SafeConstructor raises, unmarked, for a scalar it cannot convert: a bad
# `!!int`/`!!float` (ValueError, IndexError for ""), a `!!bool` that is no bool
# (KeyError), a `!!timestamp` that does not match (AttributeError) or a date that does
# not exist, `2024-13-45` (ValueError). `!!binary` and the collection tags raise a
# marked ConstructorError themselves.
_SCALAR_ERRORS = (ValueError, LookupError, AttributeError, TypeError, ArithmeticError)


def _loader() -> Any:
    """libyaml's loader when PyYAML has it. PyYAML is imported here, not at the top:
    linting datums (the pre-commit path) never loads it, though it names DC009."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _marked_loader() -> Any:
    """The loader, with every value it cannot construct turned into an error at the
    value's line and column (PyYAML raises those unmarked, from deep inside)."""

    class Loader(_loader()):  # type: ignore[misc]
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                data = super().construct_object(node, deep)
            except _SCALAR_ERRORS as exc:
                raise _BadValueError(_bad_value(node, exc), node.start_mark) from None
            if isinstance(data, int) and data.bit_length() > MAX_INT_BITS:
                raise _BadValueError(_bad_value(node, None), node.start_mark)
            return data

    return Loader


def _bad_value(node: Any, exc: BaseException | None) -> str:
    kind = str(node.tag).rsplit(":", 1)[-1]
    value = node.value if isinstance(node.value, str) else f"<{_kind(node)}>"
    shown = repr(value[:40] + ("..." if len(value) > 40 else ""))
    text = str(exc) if isinstance(exc, ValueError) else ""
    if exc is None or "digits" in text:
        return f"invalid YAML value: {shown} is an integer of more than 4,000 digits"
    why = "" if not text or text.startswith(("invalid literal", "could not")) else f" ({text})"
    return f"invalid YAML value: {shown} is not a valid {kind}{why}"


@dataclass(slots=True)
class YamlDoc:
    source: Source
    data: Any
    positions: PositionMap
    duplicate_keys: list[KeyPath] = field(default_factory=list)

    @property
    def display(self) -> str:
        return self.source.display

    def diag(
        self,
        code: str,
        severity: Severity,
        message: str,
        path: tuple[Key, ...],
        hint: str = "",
        *,
        value: bool = False,
    ) -> Diagnostic:
        line, col = self.positions.find(path, value=value)
        return Diagnostic(code, severity, message, self.display, line, col, hint)


def parse_yaml(source: Source) -> YamlDoc | Diagnostic:
    import yaml

    deep = _too_deep(source)
    if deep is not None:
        return deep
    loader = _marked_loader()(source.text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(source, None, PositionMap(source.text))
        positions = PositionMap(source.text)
        duplicates: list[KeyPath] = []
        try:
            if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
                return _too_large(source, cyclic=False)
        except _CycleError:
            return _too_large(source, cyclic=True)
        _walk(node, (), positions, duplicates, set())
        data = loader.construct_document(node)
    except _BadValueError as exc:
        return _marked(source, exc.problem, exc.mark, _BAD_VALUE_HINT)
    except yaml.MarkedYAMLError as exc:
        return _syntax_error(source, exc)
    except yaml.YAMLError as exc:
        return Diagnostic(YAML_SYNTAX, YAML_SYNTAX.severity, f"YAML error: {exc}", source.display)
    except RecursionError:
        return _too_large(source, cyclic=False)
    finally:
        loader.dispose()
    return YamlDoc(source, data, positions, duplicates)


def _too_deep(source: Source) -> Diagnostic | None:
    """Refuse deep nesting from the event stream, before the recursive composer runs.

    libyaml's parser keeps its own stack, but PyYAML composes nodes recursively in C:
    100,000 nested `[` crash the process with a segfault instead of a RecursionError.
    Some libyaml builds (PyYAML 6.0.4's wheels) stop at their own nesting limit while
    scanning ahead, before an event reaches us; the pure-Python parser, which has no
    such limit, then counts again, so the finding is the same on every PyYAML version.
    """
    import yaml

    try:
        return _depth_problem(source, _loader())
    except yaml.YAMLError:
        if _loader() is yaml.SafeLoader:
            return None  # the composer reports it, with its position
    try:
        return _depth_problem(source, yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _depth_problem(source: Source, loader: Any) -> Diagnostic | None:
    import yaml

    depth = 0
    for event in yaml.parse(source.text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_PARSE_DEPTH:
                return _nests_too_deep(source, event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _nests_too_deep(source: Source, mark: Any) -> Diagnostic:
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Diagnostic(
        TOO_LARGE, TOO_LARGE.severity,
        f"YAML nests deeper than {MAX_PARSE_DEPTH} levels",
        source.display, line, col,
        hint="a LiteLLM config needs a few levels; check that this is the file you meant",
    )


def load_yaml(path: Path, *, limit: int, display: str | None = None) -> YamlDoc | Diagnostic:
    source = read_source(path, limit=limit, display=display)
    if isinstance(source, Diagnostic):
        return source
    return parse_yaml(source)


def _kind(node: yaml.Node) -> str:
    """'scalar', 'sequence' or 'mapping' (PyYAML's node `id`; no import of PyYAML)."""
    return str(getattr(node, "id", ""))


def _key_value(node: yaml.Node) -> Key:
    if _kind(node) == "scalar":
        value = node.value
        return value if isinstance(value, str) else str(value)
    return f"<{node.tag}>"


def _walk(
    node: yaml.Node,
    path: KeyPath,
    positions: PositionMap,
    duplicates: list[KeyPath],
    seen: set[int],
) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    kind = _kind(node)
    if kind == "mapping":
        keys: set[Key] = set()
        for key_node, value_node in node.value:
            key = _key_value(key_node)
            child = (*path, key)
            if key in keys:
                duplicates.append(child)
                positions.offsets[child] = key_node.start_mark.index
            keys.add(key)
            positions.add(child, key_node.start_mark.index)
            positions.add_value(child, value_node.start_mark.index)
            _walk(value_node, child, positions, duplicates, seen)
    elif kind == "sequence":
        for index, item in enumerate(node.value):
            child = (*path, index)
            positions.add(child, item.start_mark.index)
            _walk(item, child, positions, duplicates, seen)


class _CycleError(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes the document has once aliases are expanded (a 'billion laughs' guard).

    Raises `_CycleError` when the document refers to itself (an alias inside its anchor).
    """
    known = memo.get(id(node))
    if known is not None:
        if known < 0:  # still being expanded: the document refers to itself
            raise _CycleError
        return known
    memo[id(node)] = -1
    total = 1
    kind = _kind(node)
    if kind == "mapping":
        for key_node, value_node in node.value:
            total += _expanded_size(key_node, memo) + _expanded_size(value_node, memo)
            if total > MAX_EXPANDED_NODES:
                return total
    elif kind == "sequence":
        for item in node.value:
            total += _expanded_size(item, memo)
            if total > MAX_EXPANDED_NODES:
                return total
    memo[id(node)] = total
    return total


_BAD_VALUE_HINT = ("write a valid value, or quote it to keep it as a string: YAML reads a plain "
                   "2024-13-45 as a date, 0x1f as a number")


class _BadValueError(Exception):
    """A value PyYAML's constructor cannot build, with where it is."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark


def _syntax_error(source: Source, exc: yaml.MarkedYAMLError) -> Diagnostic:
    what = " ".join(p for p in (exc.context, exc.problem) if p)
    return _marked(source, f"YAML syntax error: {what or 'cannot parse'}",
                   exc.problem_mark or exc.context_mark,
                   "check indentation (spaces, not tabs) and quoting on this line")


def _marked(source: Source, message: str, mark: Any, hint: str) -> Diagnostic:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return Diagnostic(
        YAML_SYNTAX,
        YAML_SYNTAX.severity,
        message,
        source.display,
        line,
        col,
        hint=hint,
    )


def _too_large(source: Source, *, cyclic: bool) -> Diagnostic:
    what = (
        "YAML refers to itself (an alias inside its own anchor)" if cyclic
        else f"YAML expands to more than {MAX_EXPANDED_NODES:,} nodes once aliases are resolved"
    )
    return Diagnostic(
        TOO_LARGE,
        TOO_LARGE.severity,
        what,
        source.display,
        hint="this looks like an alias bomb or a generated file; check its anchors (&) and "
        "aliases (*)",
    )
