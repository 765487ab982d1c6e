"""The one Jinja environment. Every `{{ ... }}` must pass through an escaping filter.

`finalize` rejects any value that is not `Emitted`: a template that prints a raw
datum value fails when rendered (and in the tests) instead of emitting text
that could break YAML, shell or a unit file.
"""

from __future__ import annotations

import shlex
from functools import cache
from typing import Any

import jinja2

from datumc.render import unittext, yamltext
from datumc.resources import templates_dir
from datumc.validate.vocab import is_env_name


class Emitted(str):
    """Text already escaped for the place a template puts it."""

    __slots__ = ()


class UnescapedValueError(jinja2.TemplateError):
    """A template printed a value without an escaping filter."""


def _finalize(value: Any) -> Emitted:
    if isinstance(value, Emitted):
        return value
    raise UnescapedValueError(
        f"template printed {type(value).__name__} without an escaping filter "
        "(use yaml, yaml_block, yaml_seq, sh, unit, unit_word, env_name, comment or int)"
    )


def _yaml(value: Any) -> Emitted:
    return Emitted(yamltext.flow(value))


def _yaml_block(value: dict[str, Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block(value, indent))


def _yaml_seq(value: list[Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block_seq(value, indent))


def _sh(value: Any) -> Emitted:
    return Emitted(shlex.quote(str(value)))


def _unit(value: Any) -> Emitted:
    try:
        return Emitted(unittext.value(str(value)))
    except unittext.UnitValueError as exc:
        raise UnescapedValueError(str(exc)) from None


def _unit_word(value: Any) -> Emitted:
    try:
        return Emitted(unittext.word(str(value)))
    except unittext.UnitValueError as exc:
        raise UnescapedValueError(str(exc)) from None


def _env_name(value: str) -> Emitted:
    if not isinstance(value, str) or not is_env_name(value):
        raise UnescapedValueError("refusing to emit an invalid environment variable name")
    return Emitted(value)


def _comment(value: Any) -> Emitted:
    return Emitted(yamltext.comment(str(value)))


def _int(value: Any) -> Emitted:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnescapedValueError(f"expected an integer, got {type(value).__name__}")
    return Emitted(str(value))


FILTERS = {
    "yaml": _yaml,
    "yaml_block": _yaml_block,
    "yaml_seq": _yaml_seq,
    "sh": _sh,
    "unit": _unit,
    "unit_word": _unit_word,
    "env_name": _env_name,
    "comment": _comment,
    "int": _int,
}


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
