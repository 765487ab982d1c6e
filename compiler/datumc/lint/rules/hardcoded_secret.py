"""A secret written into the parts of a datum that never reach LiteLLM (`[b00t.env]`,
`[[b00t.usage]]`, a hint, anywhere in a datum that failed validation), or a key pasted
into a table of datumc.toml that is not LiteLLM config (`[proxy]`, `[kubernetes]`).

Why: datums are meant to be committed and shared; a key in one is a leaked key,
even where datumc never copies it into a generated file. A key in a value that
does reach LiteLLM (`[ai_model.parameters]`, `metadata`, ...) is reported as
DC206, the rule for every value of the LiteLLM config. The rule recognises the common key
shapes (`sk-`, `sk-ant-`, `sk-proj-`, `gsk_`, `AIza`, `hf_`, `xai-`, long random
tokens) in any value, and any literal under a secret-sounding name (`api_key`,
`*_API_KEY`, `*_TOKEN`, `password`) in `[ai_model.parameters]`,
`[ai_model.metadata]` and `[b00t.env]`. Stand-in keys for local servers that ignore
them (`local`, `not-needed`, `dummy`, `EMPTY`, `local-vllm`) are not secrets, and
`${VAR}` in `[b00t.env]` is b00t's own reference syntax. Values are shown masked.

Bad:
    [b00t.env]
    OPENAI_API_KEY = "sk-proj-Xg3...9f2a"

    [ai_model.parameters]
    api_key = "gsk_4f...a9"

Good:
    [b00t.env]
    OPENAI_API_KEY = "${OPENAI_API_KEY}"     # b00t takes it from the environment

    [ai_model]
    api_key_env = "GROQ_API_KEY"            # datumc emits os.environ/GROQ_API_KEY
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import SHELL_REF, secret_ref, strings
from datumc.load.positions import KeyPath, dotted
from datumc.load.stack import Stack
from datumc.load.toml_loader import TomlDoc
from datumc.memo import IdentityMemo
from datumc.plan.model_list import RESERVED_PARAMS
from datumc.secrets.detect import describe, is_dummy, is_placeholder, is_secret_name, key_shape
from datumc.validate.vocab import ENV_REF_PREFIX

CODE = "DC102"
NAME = "hardcoded-secret"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS

# Tables whose secret-named keys must never hold a literal.
_NAMED_SECRET_TABLES = (("ai_model", "parameters"), ("ai_model", "metadata"), ("b00t", "env"))
# [ai_model] keys b00t keeps for itself; they never reach LiteLLM.
_B00T_ONLY = frozenset({"variants", "architecture", "huggingface_id"})


# A document's findings depend on it alone: the language server asks again about the
# same unchanged documents on every re-check.
_FOUND: IdentityMemo[TomlDoc, tuple[Diagnostic, ...]] = IdentityMemo()


def check(stack: Stack) -> Iterator[Diagnostic]:
    for entry in stack.entries:
        yield from _FOUND(entry.doc, True, _planned_findings)
    for doc in stack.rejected:
        yield from _FOUND(doc, False, _rejected_findings)
    if stack.project_doc is not None:
        yield from _check_project(stack.project_doc)


# datumc.toml tables that become the LiteLLM config, where DC206 reads them.
_PLANNED_TABLES = frozenset({"litellm_settings", "general_settings", "router", "extra_sections"})


def _check_project(doc: TomlDoc) -> Iterator[Diagnostic]:
    """A key pasted anywhere else in datumc.toml ([proxy], [kubernetes], a profile...)."""
    for path, value, _ in strings(doc.data):
        tables = [p for p in path if isinstance(p, str)]
        if _PLANNED_TABLES & set(tables[:1] + tables[2:3]) or key_shape(value) is None:
            continue
        if _env_name_field(path) or secret_ref(value):
            continue
        yield doc.diag(CODE, SEVERITY, f"{dotted(path)}: hardcoded secret, {describe(value)}",
                       path, hint="datumc.toml holds names, never values: put the key in .env "
                       "and name its variable; rotate it if this file was ever shared",
                       value=True)


def _planned_findings(doc: TomlDoc) -> tuple[Diagnostic, ...]:
    return tuple(_check_doc(doc, planned=True))


def _rejected_findings(doc: TomlDoc) -> tuple[Diagnostic, ...]:
    return tuple(_check_doc(doc, planned=False))


def _check_doc(doc: TomlDoc, *, planned: bool) -> Iterator[Diagnostic]:
    """`planned`: the datum compiled, so its LiteLLM values are checked as config (DC206)."""
    for path, value, _ in _scanned(doc.data, planned=planned):
        if _env_name_field(path) or secret_ref(value) or not is_secret_value(path, value):
            continue
        yield doc.diag(
            CODE, SEVERITY,
            f"{dotted(path)}: hardcoded secret, {describe(value)}",
            path,
            hint=_hint(path),
            value=True,
        )


def _scanned(data: dict[str, Any], *, planned: bool) -> Iterator[tuple[KeyPath, str, bool]]:
    """The strings to scan: all of them, or (for a planned datum) those that never reach
    the config, where DC206 reads the rest: b00t's tables and extras, and the
    `[ai_model.parameters]` keys datumc refuses (DC006)."""
    if not planned:
        yield from strings(data)
        return
    for key, value in data.items():
        if key != "ai_model":
            yield from strings(value, (key,))
        elif isinstance(value, dict):
            for sub in _B00T_ONLY & value.keys():
                yield from strings(value[sub], ("ai_model", sub))
            params = value.get("parameters")
            if isinstance(params, dict):
                for name in set(RESERVED_PARAMS) & params.keys():
                    yield from strings(params[name], ("ai_model", "parameters", name))
def is_secret_value(path: KeyPath, value: str) -> bool:
    """A key shape anywhere, or a real-looking literal under a secret name in a table
    whose values are secrets by name."""
    if key_shape(value) is not None:
        return True
    if not path or not isinstance(path[-1], str) or not is_secret_name(path[-1]):
        return False
    if not any(path[: len(t)] == t for t in _NAMED_SECRET_TABLES):
        return False
    return not (_is_reference(value) or is_dummy(value) or is_placeholder(value))


def _is_reference(value: str) -> bool:
    stripped = value.strip()
    if stripped.startswith(ENV_REF_PREFIX):
        return True
    match = SHELL_REF.fullmatch(stripped)
    return match is not None


def _env_name_field(path: KeyPath) -> bool:
    """`*_env` fields hold variable names; DC101 covers a secret pasted there."""
    return bool(path) and isinstance(path[-1], str) and path[-1].endswith("_env")


def _hint(path: KeyPath) -> str:
    rotate = "; rotate the key if this file was ever committed or shared"
    if path[:2] == ("b00t", "env"):
        name = path[-1]
        return f'write {name} = "${{{name}}}" so b00t takes it from the environment' + rotate
    return ("keep keys out of datums: set it in .env and name the variable with "
            '[ai_model] api_key_env = "NAME"' + rotate)
