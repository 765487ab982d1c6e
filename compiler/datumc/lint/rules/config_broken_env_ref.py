"""An `os.environ/` ref LiteLLM will not resolve, or shell syntax it never expands.

Why: LiteLLM resolves a value only when the whole string starts with
`os.environ/`, and only in mappings. These stay literal text, and the request
fails later with "invalid API key" or a DNS error:

- quote characters *inside* the value: `api_key: "'os.environ/KEY'"`
- whitespace around it: `api_key: " os.environ/KEY"`
- text around it: `Authorization: Bearer os.environ/KEY`
- shell syntax: `${KEY}` or `$KEY` (LiteLLM runs no shell)
- a ref as a list item: `- os.environ/KEY`

Checked in hand-written configs and in every value datums and datumc.toml pass to
LiteLLM (`[ai_model]` fields, `parameters`, `metadata`, pass-through tables), at the
line that holds it. Formerly also DC103 (the datum form of this rule).

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

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import Flaw, ref_problems
from datumc.plan.model import ConfigModel

CODE = "DC207"
NAME = "config-broken-env-ref"
SEVERITY = Severity.ERROR
SCOPE = Scope.CONFIG
REPLACES = ("DC103",)


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    for path, value, in_list in config.refs():
        for problem in ref_problems(value, in_list=in_list):
            if problem.flaw is not Flaw.BAD_NAME:
                yield config.diag(CODE, SEVERITY, f"{config.where(path)}: {problem.message}",
                                  path, hint=problem.hint, value=True)
