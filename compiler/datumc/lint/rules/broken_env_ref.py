"""An env var reference LiteLLM will not resolve: stray quotes, whitespace, `${VAR}`.

Why: LiteLLM resolves a value only when the whole string starts with `os.environ/`.
It never runs a shell, so `${VAR}` and `$VAR` reach the provider as literal text.
Quote characters *inside* the value, or a space before or after it, make it a
literal string too. Either way the request fails much later with an unhelpful
"invalid API key" or a DNS error. This rule reads the values datumc passes to
LiteLLM (`[ai_model]`, its `parameters` and `metadata`); `[b00t]` tables such as
`[b00t.env]` and `[[b00t.usage]]` belong to b00t's own tooling and are skipped.

Bad:
    [ai_model]
    api_base = "${VLLM_API_BASE}"
    [ai_model.parameters]
    extra_headers = { "X-Org" = "'os.environ/ORG_ID'" }

Good:
    [ai_model]
    api_base_env = "VLLM_API_BASE"
    [ai_model.parameters]
    extra_headers = { "X-Org" = "os.environ/ORG_ID" }
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envref import Flaw, ref_problems
from datumc.lint.rule import Scope
from datumc.lint.walk import dotted, strings
from datumc.load.stack import Stack
from datumc.load.toml_loader import TomlDoc

CODE = "DC103"
NAME = "broken-env-ref"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS

# [ai_model] keys b00t keeps for itself; datumc passes them over.
B00T_ONLY = frozenset({"variants", "architecture", "huggingface_id"})


def check(stack: Stack) -> Iterator[Diagnostic]:
    for doc in stack.docs:
        yield from _check_doc(doc)


def litellm_strings(doc: TomlDoc) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Strings under [ai_model] that reach LiteLLM."""
    table = doc.data.get("ai_model")
    if not isinstance(table, dict):
        return
    for key, value in table.items():
        if key not in B00T_ONLY:
            yield from strings(value, ("ai_model", key))


def _check_doc(doc: TomlDoc) -> Iterator[Diagnostic]:
    for path, value, in_list in litellm_strings(doc):
        for problem in ref_problems(value, in_list=in_list):
            if problem.flaw is Flaw.BAD_NAME:
                continue  # DC104
            yield doc.diag(CODE, SEVERITY, f"{dotted(path)}: {problem.message}", path,
                           hint=problem.hint, value=True)
