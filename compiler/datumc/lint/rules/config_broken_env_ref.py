"""An `os.environ/` ref LiteLLM will not resolve, or shell syntax it never expands.

Why: LiteLLM resolves a value only when the whole string starts with
`os.environ/`, and only in mappings. These stay literal text, and the request
fails later with "invalid API key" or a DNS error:

- quote characters *inside* the value: `api_key: "'os.environ/KEY'"`
- whitespace around it: `api_key: " os.environ/KEY"`
- text around it: `Authorization: Bearer os.environ/KEY`
- shell syntax: `${KEY}` or `$KEY` (LiteLLM runs no shell)
- a ref as a list item: `- os.environ/KEY`

If you render the file with `envsubst` before starting the proxy, lint the
rendered file instead, or disable DC207 for the template.

Bad:
    api_base: ${VLLM_API_BASE}
    api_key: "'os.environ/VLLM_API_KEY'"

Good:
    api_base: os.environ/VLLM_API_BASE
    api_key: "os.environ/VLLM_API_KEY"      # YAML quotes around the whole value are fine
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envref import Flaw, ref_problems
from datumc.lint.rule import Scope
from datumc.lint.walk import dotted, strings

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC207"
NAME = "config-broken-env-ref"
SEVERITY = Severity.ERROR
SCOPE = Scope.YAML


def check(doc: YamlDoc) -> Iterator[Diagnostic]:
    for path, value, in_list in strings(doc.data):
        for problem in ref_problems(value, in_list=in_list):
            if problem.flaw is not Flaw.BAD_NAME:
                yield doc.diag(CODE, SEVERITY, f"{dotted(path)}: {problem.message}", path,
                               hint=problem.hint, value=True)
