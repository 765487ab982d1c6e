"""An environment variable name that is not a valid name.

Why: a name must be letters, digits and `_`, not starting with a digit. Anything
else cannot be set in a shell, a compose file or a Kubernetes Secret, so the
variable LiteLLM asks for never exists and resolves to None: the first request
fails with "Missing credentials". This code is reported

- in datums and datumc.toml, for `api_key_env`, `api_base_env`, `master_key_env`
  and the other `*_env` fields (the datum is rejected);
- in the LiteLLM config, hand-written or planned from datums, for `os.environ/NAME`
  refs and `environment_variables` keys;
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

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from datumc.diagnostics import Diagnostic
from datumc.lint.rule import Scope
from datumc.lint.rules.common import Flaw, ref_problems, secret_ref
from datumc.plan.model import ConfigModel
from datumc.secrets.detect import key_shape, mask
from datumc.validate.check import INVALID_ENV_NAME
from datumc.validate.vocab import is_env_name

if TYPE_CHECKING:
    from datumc.load.env_loader import EnvDoc

CODE = INVALID_ENV_NAME  # declared where validation emits it for `*_env` fields
NAME = "invalid-env-name"
SEVERITY = INVALID_ENV_NAME.severity
SCOPE = Scope.CONFIG
CONFIGURABLE = False

_HINT = "use letters, digits and _, not starting with a digit (e.g. OPENAI_API_KEY)"


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    """os.environ/ refs and environment_variables keys (`*_env` fields: in validation)."""
    for path, value, in_list in config.refs():
        for problem in ref_problems(value, in_list=in_list):
            if problem.flaw is Flaw.BAD_NAME and secret_ref(value) is None:
                yield config.diag(CODE, SEVERITY, f"{config.where(path)}: {problem.message}",
                                  path, hint=problem.hint, value=True)
    for key in config.section("environment_variables"):
        if not is_env_name(str(key)):
            path = ("environment_variables", str(key))
            yield config.diag(
                CODE, SEVERITY,
                f"{config.where(path)}: {_shown(str(key))} is not a valid env var name",
                path, hint=_HINT,
            )


def check_env(doc: EnvDoc, needed: Mapping[str, str] | None) -> Iterator[Diagnostic]:
    for entry in doc.entries:
        if not is_env_name(entry.key):
            yield Diagnostic(
                CODE, SEVERITY, f"{_shown(entry.key)} is not a valid env var name",
                doc.display, entry.line, entry.column, _HINT,
            )


def _shown(name: str) -> str:
    return f"'{mask(name)}'" if key_shape(name) else f"'{name[:60]}'"


EXTRA_CHECKS = {Scope.ENV: check_env}
