"""Helpers the rules share. Rules import from here and never from each other."""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from datumc.diagnostics import Diagnostic, Severity
from datumc.load.positions import Key, KeyPath
from datumc.plan.model import ConfigModel, walk_strings
from datumc.secrets.detect import key_shape, mask, secret_like
from datumc.validate.vocab import ENV_REF_PREFIX, is_env_name

# -- names -----------------------------------------------------------------------------


def did_you_mean(key: str, known: Iterable[str], *, cutoff: float = 0.75) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def unknown_keys(
    config: ConfigModel, at: tuple[Key, ...], values: dict[str, Any], known: frozenset[str],
    *, code: str, severity: Severity, consequence: str,
) -> Iterator[Diagnostic]:
    """One finding per key of `values` (found at `at`) that is not in `known`."""
    for key in values:
        name = str(key)
        if name in known:
            continue
        path = (*at, name)
        yield config.diag(
            code, severity,
            f"{config.where(path, parent=True)}: unknown key '{name}'; {consequence}",
            path, hint=did_you_mean(name, known) or "check the spelling against the "
            "LiteLLM docs",
        )


# -- walking data ----------------------------------------------------------------------


def strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str, bool]]:
    """(path, value, in_list) for every string in `data` (a datum's tables)."""
    return walk_strings(data, path)


def last_key(path: KeyPath) -> str:
    return path[-1] if path and isinstance(path[-1], str) else ""


# -- env var references (LiteLLM resolves a value only when it is one whole os.environ/NAME;
# it never expands shell syntax; a ref that is a list item is not resolved) -----------

SHELL_REF: Final = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_QUOTES: Final = "'\"`"


class Flaw(StrEnum):
    QUOTES = "quotes"
    WHITESPACE = "whitespace"
    EMBEDDED = "embedded"
    SHELL = "shell"
    IN_LIST = "in-list"
    BAD_NAME = "bad-name"


@dataclass(frozen=True, slots=True)
class RefProblem:
    flaw: Flaw
    message: str
    hint: str


# The string rules below are pure functions of a value, asked about every string of a
# config (12,000 in a 1,000-datum project) by several rules, on every re-check in the
# language server: their answers are kept, bounded, so unchanged values cost a lookup.
STRING_CACHE = 1 << 16


@functools.lru_cache(maxsize=STRING_CACHE)
def ref_problems(value: str, *, in_list: bool = False) -> tuple[RefProblem, ...]:
    """Everything that stops LiteLLM from resolving the env reference(s) in `value`."""
    if ENV_REF_PREFIX not in value and "$" not in value:
        return ()
    out: list[RefProblem] = []
    if ENV_REF_PREFIX in value:
        problem = _environ_problem(value, in_list=in_list)
        if problem is not None:
            out.append(problem)
    shell = SHELL_REF.search(value)
    if shell is not None:
        name = shell.group(1) or shell.group(2)
        out.append(RefProblem(
            Flaw.SHELL,
            f"'{shell.group(0)}' is shell syntax; LiteLLM never expands it, so the value "
            "stays literal",
            f"write the whole value as os.environ/{name}",
        ))
    return tuple(out)


def ref_name(value: str) -> str | None:
    """The variable a clean `os.environ/NAME` value refers to."""
    if value.startswith(ENV_REF_PREFIX):
        return value[len(ENV_REF_PREFIX):]
    return None


def _environ_problem(value: str, *, in_list: bool) -> RefProblem | None:
    stripped = value.strip()
    core = stripped.strip(_QUOTES).strip()
    name = core[len(ENV_REF_PREFIX):] if core.startswith(ENV_REF_PREFIX) else ""
    fix = "write exactly os.environ/" + (name.strip() if is_env_name(name.strip()) else "NAME")
    if stripped and (stripped[0] in _QUOTES or stripped[-1] in _QUOTES):
        return RefProblem(
            Flaw.QUOTES,
            "quote characters inside the value: LiteLLM looks for a value starting with "
            "os.environ/ and this one starts with a quote, so it stays a literal string",
            fix + " (YAML quotes around the whole value are fine; quotes inside it are not)",
        )
    if value != stripped:
        return RefProblem(
            Flaw.WHITESPACE,
            "leading or trailing whitespace around an os.environ/ ref: LiteLLM does not "
            "strip it, so the ref is never resolved",
            fix,
        )
    if not stripped.startswith(ENV_REF_PREFIX):
        return RefProblem(
            Flaw.EMBEDDED,
            "os.environ/ in the middle of a value: LiteLLM resolves only values that are "
            "one whole ref",
            "make the whole value the ref, e.g. put the full header value in one variable",
        )
    if name != name.strip() or any(c.isspace() for c in name):
        return RefProblem(Flaw.WHITESPACE, "whitespace inside an os.environ/ ref", fix)
    if in_list:
        return RefProblem(
            Flaw.IN_LIST,
            "os.environ/ ref as a list item: LiteLLM resolves refs in mappings only, so "
            "this stays a literal string",
            "move the value to a mapping key, or set it without a ref",
        )
    if not is_env_name(name):
        shown = f"'{mask(name)}'" if key_shape(name) else f"'{name[:60]}'"
        return RefProblem(
            Flaw.BAD_NAME,
            f"{shown} after os.environ/ is not a valid env var name",
            "use letters, digits and _, not starting with a digit",
        )
    return None


@functools.lru_cache(maxsize=STRING_CACHE)
def secret_ref(value: str) -> str | None:
    """`os.environ/<a pasted key>`: the masked key, else None."""
    name = ref_name(value.strip())
    if name is None or is_env_name(name) or not secret_like(name):
        return None
    return f"{key_shape(name) or 'a secret'} ('{mask(name)}')"


def is_loopback(host: str, *, wildcard: bool = False) -> bool:
    """This machine's loopback: `localhost`, `*.localhost`, 127.0.0.0/8, ::1 (and, with
    `wildcard`, the unspecified 0.0.0.0 and ::). `host` as urlsplit gives it."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or (wildcard and address.is_unspecified)
