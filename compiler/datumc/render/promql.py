"""Text for Prometheus: PromQL string literals and label matchers, and alert-rule text.

* A PromQL string in double quotes reads Go escapes: `\\` and `"` are escaped; datum
  names carry no control characters (validate/datum.py), so nothing else needs it.
* A `=~` matcher is an RE2 regex, anchored at both ends by Prometheus: every RE2
  metacharacter is escaped with a backslash (RE2 refuses `\\` before a letter, digit or
  space, so only these are).
* Alerting rules expand their labels and annotations as Go templates
  (rules/alerting.go): a literal `{{` is written as the action `{{ "{{" }}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

_RE2_SPECIAL: Final = frozenset("\\.+*?()|[]{}^$")
_OPEN: Final = "{{"
_OPEN_ACTION: Final = '{{ "{{" }}'


def string(value: str) -> str:
    """`value` as a double-quoted PromQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def regex_literal(value: str) -> str:
    """An RE2 regex that matches exactly `value`."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in value)


def matcher(label: str, values: Sequence[str]) -> str:
    """`label` equal to one of `values`: `=` for one value, an escaped `=~` alternation
    for several."""
    if len(values) == 1:
        return f"{label}={string(values[0])}"
    return f"{label}=~{string('|'.join(regex_literal(v) for v in values))}"


def template_text(value: str) -> str:
    """`value` as literal text of a Go template. Text followed by an action must not end
    in `{` (that action's `{{` would open one character early): end it otherwise."""
    return value.replace(_OPEN, _OPEN_ACTION)
