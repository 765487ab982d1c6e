"""An environment variable name that is not a valid name.

Why: a name must be letters, digits and `_`, not starting with a digit. Anything
else cannot be set in a shell, a compose file or a Kubernetes Secret, so the
variable LiteLLM asks for never exists and resolves to None: the first request
fails with "Missing credentials". This code is reported

- in datums and datumc.toml, for `api_key_env`, `api_base_env`, `master_key_env`
  and the other `*_env` fields (the datum is rejected);
- in LiteLLM YAML, for `os.environ/NAME` refs and `environment_variables` keys;
- in .env files, for keys that are not valid names.

It cannot be disabled: an invalid name always breaks the deployment.

Bad:
    [ai_model]
    api_key_env = "openai-key"

    # config.yaml
    api_key: os.environ/OPENAI-KEY

    # .env
    OPENAI-KEY=...

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"

    api_key: os.environ/OPENAI_API_KEY

    OPENAI_API_KEY=...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.envref import Flaw, ref_problems
from datumc.lint.rule import Scope
from datumc.lint.rules.broken_env_ref import litellm_strings
from datumc.lint.rules.secret_in_env_name import secret_ref
from datumc.lint.walk import dotted, strings
from datumc.load.env_loader import EnvDoc
from datumc.load.stack import Stack
from datumc.secrets.detect import key_shape, mask
from datumc.validate.vocab import is_env_name

if TYPE_CHECKING:
    from datumc.load.yaml_loader import YamlDoc

CODE = "DC104"
NAME = "invalid-env-name"
SEVERITY = Severity.ERROR
SCOPE = Scope.DATUMS
CONFIGURABLE = False

_HINT = "use letters, digits and _, not starting with a digit (e.g. OPENAI_API_KEY)"


def check(stack: Stack) -> Iterator[Diagnostic]:
    """`*_env` fields are checked by the schema (same code); here: os.environ/ refs."""
    for doc in stack.docs:
        for path, value, in_list in litellm_strings(doc):
            for problem in ref_problems(value, in_list=in_list):
                if problem.flaw is Flaw.BAD_NAME and secret_ref(value) is None:
                    yield doc.diag(CODE, SEVERITY, f"{dotted(path)}: {problem.message}", path,
                                   hint=problem.hint, value=True)


def check_yaml(doc: YamlDoc) -> Iterator[Diagnostic]:
    for path, value, in_list in strings(doc.data):
        for problem in ref_problems(value, in_list=in_list):
            if problem.flaw is Flaw.BAD_NAME and secret_ref(value) is None:
                yield doc.diag(CODE, SEVERITY, f"{dotted(path)}: {problem.message}", path,
                               hint=problem.hint, value=True)
    env = doc.data.get("environment_variables") if isinstance(doc.data, dict) else None
    if isinstance(env, dict):
        for key in env:
            if not is_env_name(str(key)):
                yield doc.diag(
                    CODE, SEVERITY,
                    f"environment_variables: {_shown(str(key))} is not a valid env var name",
                    ("environment_variables", str(key)), hint=_HINT,
                )


def check_env(doc: EnvDoc, needed: list[str] | None) -> Iterator[Diagnostic]:
    for entry in doc.entries:
        if not is_env_name(entry.key):
            yield Diagnostic(
                CODE, SEVERITY, f"{_shown(entry.key)} is not a valid env var name",
                doc.display, entry.line, entry.column, _HINT,
            )


def _shown(name: str) -> str:
    return f"'{mask(name)}'" if key_shape(name) else f"'{name[:60]}'"


EXTRA_CHECKS = {Scope.YAML: check_yaml, Scope.ENV: check_env}
