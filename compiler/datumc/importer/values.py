"""YAML values -> values TOML can hold, with every loss and every secret reported.

TOML has no null, no binary and no sets, and its keys are strings. A value that
cannot be carried is left out (and named); a hardcoded secret in a mapping becomes
an `os.environ/NAME` reference, which LiteLLM resolves anywhere in its config except
inside plain lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from datumc.diagnostics import Severity
from datumc.importer.codes import LOSSY, SECRET
from datumc.importer.context import Context, Path, dotted
from datumc.importer.secrets import env_base
from datumc.plan.model_list import env_ref
from datumc.secrets.detect import secret_value, sensitive


class _Missing:
    """A value that was left out."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
_GENERIC = frozenset({"KEY", "API_KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PWD"})


def secret_base(path: Path) -> str:
    """Env var name for a secret found at `path`: its key, plus the parent key if generic."""
    keys = [str(p) for p in path if isinstance(p, str)]
    base = env_base(keys[-1]) if keys else ""
    if base in _GENERIC and len(keys) >= 2:
        base = f"{env_base(keys[-2])}_{base}".strip("_")
    return base or "SECRET"


def toml_value(ctx: Context, value: Any, path: Path) -> Any:
    """`value` as TOML can hold it, or MISSING (reported)."""
    if value is None:
        ctx.report(LOSSY, Severity.WARNING,
                   f"{dotted(path)} is null, which TOML cannot hold; left out", path,
                   hint="LiteLLM reads most settings with a default, so a missing key usually "
                   "means the same as null; check this one", value=True)
        return MISSING
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _string(ctx, value, path)
    if isinstance(value, dt.date):
        ctx.report(LOSSY, Severity.WARNING,
                   f"{dotted(path)}: YAML reads {value.isoformat()} as a date; the built config "
                   "will hold it as a quoted string", path,
                   hint="quote it in the source if a string is what you meant", value=True)
        return value
    if isinstance(value, dict):
        return _mapping(ctx, value, path)
    if isinstance(value, list):
        return _sequence(ctx, value, path)
    ctx.report(LOSSY, Severity.WARNING,
               f"{dotted(path)} is a YAML {type(value).__name__}, which TOML cannot hold; "
               "left out", path, value=True)
    return MISSING


def _string(ctx: Context, value: str, path: Path) -> Any:
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        ctx.report(LOSSY, Severity.WARNING,
                   f"{dotted(path)} holds an unpaired surrogate escape, which TOML cannot hold; "
                   "left out", path, value=True)
        return MISSING
    return value


def _mapping(ctx: Context, value: dict[Any, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for raw_key, item in value.items():
        key = _key(ctx, raw_key, path)
        if key in out:
            ctx.report(LOSSY, Severity.WARNING,
                       f"{dotted(path)}: key {raw_key!r} collides with '{key}' once written as "
                       "a string; left out", (*path, key))
            continue
        converted = table_item(ctx, key, item, path)
        if converted is not MISSING:
            out[key] = converted
    return out


def table_item(ctx: Context, key: str, value: Any, path: Path) -> Any:
    """The value of `key` in the mapping at `path`, as TOML can hold it; secrets become refs."""
    child = (*path, key)
    if sensitive(key, value):
        return env_ref(ctx.secret(child, value, secret_base(child), what=key))
    return toml_value(ctx, value, child)


def _key(ctx: Context, key: Any, path: Path) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        text = "true" if key else "false"
    else:
        text = "null" if key is None else str(key)
    kind = "a boolean" if isinstance(key, bool) else (
        "null" if key is None else "a number" if isinstance(key, int | float) else
        f"a {type(key).__name__}")
    ctx.report(LOSSY, Severity.WARNING,
               f"{dotted(path)}: YAML reads the key {text} as {kind}; TOML keys are strings, "
               "so the built config will have the string", (*path, text),
               hint="quote the key in the source if a string is what you meant")
    return text


def _sequence(ctx: Context, value: list[Any], path: Path) -> list[Any]:
    out: list[Any] = []
    for index, item in enumerate(value):
        child = (*path, index)
        if isinstance(item, str) and secret_value(item):
            ctx.report(SECRET, Severity.WARNING,
                       f"{dotted(child)} looks like a hardcoded secret inside a list, where "
                       "LiteLLM does not resolve os.environ/ references; left out", child,
                       hint="move the secret out of the config (an env var read by the "
                       "component that needs it)", value=True)
            continue
        converted = toml_value(ctx, item, child)
        if converted is not MISSING:
            out.append(converted)
    return out
