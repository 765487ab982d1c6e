"""Validate parsed TOML against the pydantic models; every problem becomes a Diagnostic."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import Key, dotted
from datumc.load.toml_loader import TomlDoc
from datumc.secrets.detect import key_shape, looks_secret, mask, secret_like
from datumc.secrets.redact import shown
from datumc.validate.datum import AiModel, B00tHeader, Datum, EnvNameError
from datumc.validate.vocab import is_env_name

SCHEMA = Code("DC003", "schema", Severity.ERROR, """
A value has the wrong type or is out of range, or a required key is missing.

Why: LiteLLM silently drops a deployment whose rpm is "abc"; datumc refuses to
emit it instead, and says where.

Bad:
    rpm_limit = "60"           # a string
    size = "huge"              # not small | large

Good:
    rpm_limit = 60
    size = "large"
""")
UNKNOWN_KEY = Code("DC004", "unknown-key", Severity.WARNING, """
A key the schema does not know. It is ignored, and reported so a typo is never silent.

Why: `rpm_limt = 60` would otherwise leave the model without a rate limit and no
one would notice.

Bad:
    [ai_model]
    rpm_limt = 60

Good:
    [ai_model]
    rpm_limit = 60
""", configurable=True)
B00T_EXTRA = Code("DC008", "b00t-extra", Severity.INFO, """
A b00t-only key (variants, architecture, huggingface_id, usage) is accepted and passed over.

Why: b00t datums compile unchanged; these keys mean nothing to LiteLLM.

Example:
    [[ai_model.variants]]
    id = "q27b-q4km"
""", configurable=True)
INVALID_ENV_NAME = Code("DC104", "invalid-env-name", Severity.ERROR, "see the rule module")
SECRET_IN_ENV_NAME = Code("DC101", "secret-in-env-name", Severity.ERROR, "see the rule module")

M = TypeVar("M", bound=BaseModel)

# Keys b00t knows that LiteLLM has no use for: accepted, reported at info level.
B00T_EXTRAS = {
    ("ai_model", "variants"): "b00t serving variants",
    ("ai_model", "architecture"): "b00t architecture label",
    ("ai_model", "huggingface_id"): "b00t Hugging Face id",
    ("b00t", "usage"): "b00t usage recipes",
}

_TYPE_WORDS = {
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def validate_model(model: type[M], doc: TomlDoc, data: Any, *, at: tuple[Key, ...] = ()) -> (
    tuple[M | None, list[Diagnostic]]
):
    """Validate `data` (found at key path `at` in `doc`) as `model`."""
    diags = list(unknown_keys(model, doc, data, at))
    try:
        return model.model_validate(data), diags
    except ValidationError as exc:
        diags.extend(schema_diags(exc, doc, at))
        return None, diags


def validate_datum(doc: TomlDoc) -> tuple[Datum | None, list[Diagnostic]]:
    datum, diags = validate_model(Datum, doc, doc.data)
    diags.extend(_b00t_extras(doc))
    return datum, diags


def schema_diags(exc: ValidationError, doc: TomlDoc, at: tuple[Key, ...]) -> Iterator[Diagnostic]:
    for err in _one_per_union(exc.errors(include_url=False)):
        loc = tuple(part for part in err["loc"] if isinstance(part, str | int))
        path = (*at, *_data_path(loc))
        yield doc.diag(
            _code(err),
            Severity.ERROR,
            f"{dotted(path)}: {_message(err)}",
            path,
            hint=_hint(err, path),
            value=err["type"] != "missing",
        )
        if _code(err) == INVALID_ENV_NAME and isinstance(err.get("input"), str):
            found = _secret_in_name(doc, path, err["input"])
            if found is not None:
                yield found


_UNION_TAGS = frozenset({"int", "float", "str", "bool"})


def _one_per_union(errors: list[Any]) -> list[Any]:
    """A value that fits no member of a union (`int | float`) gets one error per member,
    each at the value's path plus the member's tag (`timeout.int`, `timeout.float`). Keep
    one, at the value's own path: the first that says more than "wrong type", else the
    widest type ("a number")."""
    def branch(err: Any) -> tuple[Any, ...] | None:
        loc = err["loc"]
        return tuple(loc[:-1]) if loc and loc[-1] in _UNION_TAGS else None

    groups: dict[tuple[Any, ...], list[Any]] = {}
    for err in errors:
        key = branch(err)
        if key is not None:
            groups.setdefault(key, []).append(err)
    kept: list[Any] = []
    for err in errors:
        key = branch(err)
        group = groups[key] if key is not None else [err]
        if len(group) == 1:
            kept.append(err)
        elif err is group[0]:
            best = min(group, key=lambda e: (e["type"] in _TYPE_WORDS, e["type"] != "float_type"))
            kept.append({**best, "loc": tuple(best["loc"][:-1])})
    return kept


def _code(err: Any) -> str:
    """Errors with a rule of their own carry its code (and `datumc explain` doc)."""
    if isinstance(err.get("ctx", {}).get("error"), EnvNameError):
        return INVALID_ENV_NAME
    return SCHEMA


def _secret_in_name(doc: TomlDoc, path: tuple[Key, ...], value: str) -> Diagnostic | None:
    """DC101: the invalid name is a pasted secret. Said once, masked, with "rotate it"."""
    if not secret_like(value):
        return None
    what = key_shape(value) or "a secret"
    return doc.diag(
        SECRET_IN_ENV_NAME,
        SECRET_IN_ENV_NAME.severity,
        f"{dotted(path)} holds what looks like {what} ('{mask(value)}'), not the name of "
        "an environment variable",
        path,
        hint=f'put the key in .env (e.g. OPENAI_API_KEY=...), write that NAME here '
        f'({path[-1]} = "OPENAI_API_KEY"), and rotate the key if this file was ever '
        "committed or shared",
        value=True,
    )


def unknown_keys(
    model: type[BaseModel], doc: TomlDoc, data: Any, at: tuple[Key, ...]
) -> Iterator[Diagnostic]:
    """Keys the model does not define: a warning with a did-you-mean, never dropped silently."""
    if not isinstance(data, dict) or _passes_through(model):
        return
    fields = _fields(model)
    for key, value in data.items():
        if key not in fields:
            path = (*at, key)
            if path not in B00T_EXTRAS:
                yield _unknown(doc, path, list(fields))
            continue
        sub = fields[key]
        if sub is not None and not _open(sub):
            yield from unknown_keys(sub, doc, value, (*at, key))


@cache
def _fields(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    """Field name -> its sub-model, if it is one. Computed once per model class: reading
    `model_fields` (a deprecation-checking descriptor in pydantic 2.11+) and inspecting
    annotations for every key of every datum was half the cost of this check."""
    return {name: _submodel(info.annotation) for name, info in model.model_fields.items()}


def _passes_through(model: type[BaseModel]) -> bool:
    """A section whose extra keys the build emits verbatim ([router]): none is unknown."""
    extra = model.model_config.get("json_schema_extra")
    return isinstance(extra, dict) and extra.get("additionalProperties") is True


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _open(model: type[BaseModel]) -> bool:
    """Sections whose extra keys pass through to LiteLLM (checked by lint rules instead)."""
    extra = model.model_config.get("json_schema_extra")
    return isinstance(extra, dict) and extra.get("additionalProperties") is True


def _unknown(doc: TomlDoc, path: tuple[Key, ...], known: list[str]) -> Diagnostic:
    key = str(path[-1])
    if looks_secret(key):  # a key pasted as a TOML key: name it masked
        key = mask(key)
    elif not key.isprintable() or len(key) > 64:  # a quoted key may hold a newline
        key = repr(key[:64])[1:-1]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    section = dotted(path[:-1]) or "top level"
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
    return doc.diag(
        UNKNOWN_KEY,
        UNKNOWN_KEY.severity,
        f"unknown key '{key}' in [{section}] is ignored",
        path,
        hint=hint,
    )


def _b00t_extras(doc: TomlDoc) -> Iterator[Diagnostic]:
    for path, what in B00T_EXTRAS.items():
        section = doc.data.get(path[0])
        if isinstance(section, dict) and path[1] in section:
            yield doc.diag(
                B00T_EXTRA,
                B00T_EXTRA.severity,
                f"{dotted(path)}: {what} accepted and passed over (LiteLLM has no use for it)",
                path,
            )


def _data_path(loc: tuple[str | int, ...]) -> tuple[Key, ...]:
    """Drop pydantic's validator-step names (e.g. 'function-after[...]') from a loc."""
    return tuple(p for p in loc if isinstance(p, int) or "[" not in p)


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required key is missing"
    if kind in _TYPE_WORDS:
        got = type(err.get("input")).__name__
        return f"must be {_TYPE_WORDS[kind]}, not {_toml_type(got)}"
    if kind in ("enum", "literal_error"):
        expected = err.get("ctx", {}).get("expected", "")
        return f"{_short(err.get('input'))} is not one of {expected}"
    if kind == "value_error":
        text = str(err["msg"]).removeprefix("Value error, ")
        if _code(err) == INVALID_ENV_NAME and isinstance(err.get("input"), str):
            return f"{shown(err['input'])} {text}"
        return text
    return str(err["msg"]).lower()


def _toml_type(py: str) -> str:
    return {
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "a boolean",
        "list": "an array",
        "dict": "a table",
    }.get(py, py)


def _short(value: Any) -> str:
    if isinstance(value, str):
        return shown(value)  # a key pasted into the wrong field is masked, not echoed
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _env_name_hint(value: object) -> str:
    """`${VLLM_API_BASE}`, `os.environ/X`, `"X"`, ` X ` -> write the bare name."""
    if not isinstance(value, str) or secret_like(value):
        return ""
    bare = value.strip().strip("'\"`").strip()
    bare = bare.removeprefix("os.environ/").removeprefix("${").removeprefix("$").rstrip("}")
    if is_env_name(bare):
        return f'write the bare name: "{bare}" (datumc adds os.environ/ itself)'
    return "use letters, digits and _, not starting with a digit (e.g. VLLM_API_KEY)"


def _hint(err: Any, path: tuple[Key, ...]) -> str:
    if _code(err) == INVALID_ENV_NAME:
        return _env_name_hint(err.get("input"))
    kind = err["type"]
    if kind == "missing":
        return f"add `{path[-1]} = ...` to [{dotted(path[:-1])}]" if path[:-1] else ""
    if kind in ("int_type", "float_type") and isinstance(err.get("input"), str):
        return "remove the quotes: numbers are written bare, e.g. rpm_limit = 60"
    if kind == "bool_type":
        return "write true or false without quotes"
    if kind in ("enum", "literal_error"):
        return "use one of the listed values"
    return ""


__all__ = [
    "B00T_EXTRA",
    "SCHEMA",
    "UNKNOWN_KEY",
    "AiModel",
    "B00tHeader",
    "schema_diags",
    "unknown_keys",
    "validate_datum",
    "validate_model",
]
