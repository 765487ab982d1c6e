"""The text of the files `datumc init` writes: datums, datumc.toml and the justfile.

Datums are laid out as the bundled ones are (inline arrays, one key a line), from the
catalogue's values; every value is written as a TOML literal of its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from datumc.load.stack import PROJECT_FILE
from datumc.resources import project_justfile
from datumc.scaffold.catalogue import Model, Provider
from datumc.validate.project import ALL_TARGETS, DEFAULT_IMAGE
from datumc.write.output import Output

DATUM_DIR: Final = "datums"
JUSTFILE: Final = "justfile"
Value = str | int | bool | tuple[str, ...]


def toml_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    escaped = "".join(_char(c) for c in value)
    return f'"{escaped}"'


def _char(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    if c.isprintable():
        return c
    return f"\\u{ord(c):04x}"


def _table(name: str, items: Iterable[tuple[str, Value | None]]) -> str:
    lines = [f"[{name}]"]
    lines += [f"{key} = {toml_value(v)}" for key, v in items if v is not None and v != ()]
    return "\n".join(lines) + "\n"


def datum_path(model: Model) -> str:
    return f"{DATUM_DIR}/{model.file}.ai_model.toml"


def datum_text(provider: Provider, model: Model) -> str:
    header = (f"# {provider.title}: written by `datumc init`; edit freely. `datumc lint` checks "
              "it,\n# `datumc build` compiles it.\n")
    b00t = _table("b00t", [("name", model.name), ("type", "ai_model"), ("hint", model.hint),
                           ("aliases", model.aliases)])
    ai_model = _table("ai_model", [
        ("provider", provider.provider), ("size", model.size),
        ("capabilities", model.capabilities), ("litellm_model", model.litellm_model),
        ("api_base_env", provider.base_env), ("api_key_env", provider.key_env),
        ("rpm_limit", model.rpm_limit), ("timeout", model.timeout),
        ("context_window", model.context_window), ("access_groups", _groups(provider)),
        ("fallbacks", model.fallbacks),
    ])
    parts = [header + b00t, ai_model]
    if model.max_tokens is not None:
        parts.append(_table("ai_model.parameters", [("max_tokens", model.max_tokens)]))
    return "\n".join(parts)


def _groups(provider: Provider) -> tuple[str, ...]:
    return ("default", "local") if provider.base_env else ("default",)


def project_text() -> str:
    """datumc.toml: the settings most people change, at their defaults."""
    return "\n".join([
        "# datumc project settings, written by `datumc init`. Every key is optional; these are",
        "# the ones most often changed. `datumc build` compiles datums/ into build/ with them.",
        "",
        _table("datumc", [("datum_dirs", (DATUM_DIR,)), ("out_dir", "build"),
                          ("targets", ALL_TARGETS)]),
        "# master_key_env names the variable holding the key clients send as a Bearer token.",
        _table("proxy", [("port", 4000), ("master_key_env", "LITELLM_MASTER_KEY"),
                         ("image", DEFAULT_IMAGE)]),
        _table("router", [("routing_strategy", "simple-shuffle"), ("num_retries", 1),
                          ("allowed_fails", 2), ("cooldown_time", 30)]),
        "# drop_params: a request parameter a provider does not take is dropped, not an error.",
        _table("litellm_settings", [("drop_params", True)]),
    ]).rstrip("\n") + "\n"


def justfile_bytes() -> bytes:
    """The recipes datumc ships (`just config`, `just init`, `just up`, ...)."""
    return project_justfile().read_bytes()


def project_outputs(providers: Sequence[Provider]) -> list[Output]:
    """datumc.toml and one datum per model of each provider."""
    outputs = [Output(PROJECT_FILE, project_text().encode())]
    for provider in providers:
        outputs += [Output(datum_path(m), datum_text(provider, m).encode())
                    for m in provider.models]
    return outputs
