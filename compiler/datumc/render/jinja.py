"""The one Jinja environment. Every `{{ ... }}` must pass through an escaping filter.

`finalize` rejects any value that is not `Emitted`: a template that prints a raw
datum value fails when rendered (and in the tests) instead of emitting text
that could break YAML, shell or a unit file.

Each filter escapes for the interpreter that reads the place it writes to, not only
for the file's syntax: `compose*` for compose's `$` interpolation, `kube_args` and
`kube_env` for the kubelet's `$(VAR)` expansion, `unit`, `unit_arg`, `unit_image` and
`unit_word` for what systemd and quadlet do with each unit key, `sh_operand` for a word
podman reads as an operand, `sh_plain` for text inside double quotes. A value that
cannot be carried raises `CannotCarryError`, named after the file it was meant for.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2

from datumc.render import composetext, kubetext, unittext, yamltext
from datumc.render.errors import CannotCarryError, operand
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
        f"(use one of {', '.join(sorted(FILTERS))})"
    )


def _yaml(value: Any) -> Emitted:
    return Emitted(yamltext.flow(value))


def _yaml_block(value: dict[str, Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block(value, indent))


def _yaml_seq(value: list[Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block_seq(value, indent))


def _compose(value: Any) -> Emitted:
    return Emitted(yamltext.flow(composetext.escaped(value)))


def _compose_block(value: dict[str, Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block(composetext.escaped(value), indent))


def _compose_seq(value: list[Any], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block_seq(composetext.escaped(value), indent))


def _kube_args(value: list[str], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block_seq(kubetext.args(value), indent))


def _kube_env(value: list[dict[str, Any]], indent: int = 0) -> Emitted:
    return Emitted(yamltext.block_seq(kubetext.env(value), indent))


def _sh(value: Any) -> Emitted:
    return Emitted(shlex.quote(str(value)))


def _sh_operand(value: Any) -> Emitted:
    return Emitted(shlex.quote(operand(str(value))))


def _sh_plain(value: Any) -> Emitted:
    """Text the shell reads literally anywhere, inside double quotes too: no quoting
    (shlex's quotes would be literal characters there), so only shlex's safe set."""
    text = str(value)
    if not text or shlex.quote(text) != text:
        raise UnescapedValueError(f"{text!r} needs quoting; it cannot go inside double quotes")
    return Emitted(text)


def _unit_filter(emit: Callable[[str], str]) -> Callable[[Any], Emitted]:
    def emitted(value: Any) -> Emitted:
        try:
            return Emitted(emit(str(value)))
        except unittext.UnitValueError as exc:
            raise UnescapedValueError(str(exc)) from None

    return emitted


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


FILTERS: dict[str, Callable[..., Emitted]] = {
    "yaml": _yaml,
    "yaml_block": _yaml_block,
    "yaml_seq": _yaml_seq,
    "compose": _compose,
    "compose_block": _compose_block,
    "compose_seq": _compose_seq,
    "kube_args": _kube_args,
    "kube_env": _kube_env,
    "sh": _sh,
    "sh_operand": _sh_operand,
    "sh_plain": _sh_plain,
    "unit": _unit_filter(unittext.value),
    "unit_arg": _unit_filter(unittext.arg),
    "unit_image": _unit_filter(unittext.image),
    "unit_word": _unit_filter(unittext.word),
    "env_name": _env_name,
    "comment": _comment,
    "int": _int,
}


# How the templates are compiled (the bytecode cache is kept per set of options).
_OPTIONS: dict[str, Any] = {"autoescape": False, "keep_trailing_newline": True,
                            "trim_blocks": True, "lstrip_blocks": True}


@cache
def environment() -> jinja2.Environment:
    from datumc.render.bytecode import bytecode_cache

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        bytecode_cache=bytecode_cache(repr(sorted(_OPTIONS.items())) + " finalize"),
        **_OPTIONS,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, **context: Any) -> str:
    try:
        return environment().get_template(template).render(**context)
    except CannotCarryError as exc:
        raise CannotCarryError(f"{template.removesuffix('.j2')}: {exc}") from None
