"""The codes the stages emit (loading, validation, planning, writing), gathered for the
registry. Each is declared beside its emitter, with its doc: this list only names them."""

from __future__ import annotations

from datumc.diagnostics import Code
from datumc.lint.rule import Rule, Scope
from datumc.load import YAML_SYNTAX
from datumc.load.discover import NO_DATUMS, SYMLINK_OUTSIDE
from datumc.load.includes import INCLUDE_CODES
from datumc.load.source import UNREADABLE
from datumc.load.stack import DISABLED, DUPLICATE_NAME
from datumc.load.toml_loader import TOML_SYNTAX
from datumc.plan.model import NOT_LITELLM
from datumc.plan.model_list import OVERRIDE
from datumc.secrets import SECRET_IN_OUTPUT
from datumc.validate.check import B00T_EXTRA, SCHEMA, UNKNOWN_KEY
from datumc.validate.limits import TOO_LARGE
from datumc.write import HAND_EDITED, UNSAFE_DIR, WRITE_FAILED

STAGE_CODES: tuple[Code, ...] = (
    TOML_SYNTAX, UNREADABLE, SCHEMA, UNKNOWN_KEY, DUPLICATE_NAME, OVERRIDE, DISABLED,
    B00T_EXTRA, YAML_SYNTAX, SYMLINK_OUTSIDE, NO_DATUMS, TOO_LARGE, NOT_LITELLM,
    HAND_EDITED, UNSAFE_DIR, WRITE_FAILED, SECRET_IN_OUTPUT, *INCLUDE_CODES,
)


def as_rule(code: Code) -> Rule:
    return Rule(code, code.name, code.severity, Scope.CORE, code.doc, None, code.configurable)


CORE_RULES = [as_rule(code) for code in STAGE_CODES]
