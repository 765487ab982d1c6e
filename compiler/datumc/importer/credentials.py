"""credential_list -> [credentials.NAME] tables of datumc.toml.

Each item becomes one table: env references (`os.environ/NAME`) in credential_values
become `*_env` fields, a hardcoded secret becomes a reference to a new env var (as a
deployment's api_key does), and credential_info.description the table's description.
When an item does not fit the tables as they are (a value key datumc has no field for,
other credential_info keys, a name used twice, ...), the whole list stays verbatim in
[extra_sections] (secrets still become references), so the build writes back the same.
"""

from __future__ import annotations

from typing import Any, Final

from datumc.diagnostics import Severity
from datumc.importer.codes import PASSTHROUGH
from datumc.importer.context import Context, Path
from datumc.importer.fits import misfit
from datumc.importer.secrets import env_base, env_ref_name, is_env_ref
from datumc.plan.credentials import INFO_KEY, NAME_KEY, SECTION, VALUES_KEY
from datumc.secrets.detect import secret_value
from datumc.validate.credentials import CREDENTIAL_FIELDS, DESCRIPTION_KEY, Credential
from datumc.validate.datum import AiModel

# credential_values key -> (the field for a literal, the field for an env var NAME).
_FIELDS: Final = {
    key: (next((f for f, (k, e) in CREDENTIAL_FIELDS.items() if k == key and not e), None),
          next((f for f, (k, e) in CREDENTIAL_FIELDS.items() if k == key and e), None))
    for key, _ in CREDENTIAL_FIELDS.values()
}


def convert_credentials(ctx: Context, root: dict[str, Any]) -> dict[str, Any] | None:
    """The [credentials] tables, or None when credential_list is absent or stays verbatim
    in [extra_sections] (reported)."""
    if SECTION not in root:
        return None
    items = root[SECTION]
    reason = _misfit(items)
    if reason is not None:
        ctx.report(PASSTHROUGH, Severity.INFO,
                   f"credential_list kept verbatim in [extra_sections]: {reason}", (SECTION,),
                   hint="[credentials.NAME] tables hold api_key, api_base, api_version and "
                   "the aws_*/vertex_* values; see docs/credentials.md")
        return None
    return {item[NAME_KEY]: _table(ctx, (SECTION, index), item)
            for index, item in enumerate(items)}


def _misfit(items: Any) -> str | None:
    """Why credential_list cannot become [credentials] tables unchanged, or None."""
    if not isinstance(items, list) or not items:
        return "it is not a list of credentials"
    names: set[Any] = set()
    for index, item in enumerate(items):
        problem = _item_misfit(item, names)
        if problem is not None:
            return f"item {index}: {problem}"
    return None


def _item_misfit(item: Any, names: set[Any]) -> str | None:
    if not isinstance(item, dict) or set(item) != {NAME_KEY, VALUES_KEY, INFO_KEY}:
        return f"an item must have exactly {NAME_KEY}, {VALUES_KEY} and {INFO_KEY}"
    name, values, info = item[NAME_KEY], item[VALUES_KEY], item[INFO_KEY]
    if not isinstance(name, str) or misfit(AiModel, "credential", name) is not None:
        return f"{NAME_KEY} is not a name datumc can hold"
    if name in names:
        return f"the name '{name}' is used twice"
    names.add(name)
    if not isinstance(info, dict) or set(info) - {DESCRIPTION_KEY}:
        return f"{INFO_KEY} holds keys other than {DESCRIPTION_KEY}"
    if DESCRIPTION_KEY in info and misfit(Credential, DESCRIPTION_KEY, info[DESCRIPTION_KEY]):
        return f"{INFO_KEY}.{DESCRIPTION_KEY} is not a string"
    if not isinstance(values, dict) or not values:
        return f"{VALUES_KEY} is not a mapping with values"
    return next((f"{VALUES_KEY}.{key} has no [credentials] field"
                 for key, value in values.items() if not _value_fits(key, value)), None)


def _value_fits(key: Any, value: Any) -> bool:
    literal, env = _FIELDS.get(key, (None, None)) if isinstance(key, str) else (None, None)
    if env is not None and (env_ref_name(value) is not None or _secret(literal, value)):
        return True
    return literal is not None and misfit(Credential, literal, value) is None


def _secret(literal: str | None, value: Any) -> bool:
    """A hardcoded value that moves to an env var: any string under a secret key (no
    literal field), or an api_base that holds a password."""
    if not isinstance(value, str) or is_env_ref(value):
        return False
    return literal is None or secret_value(value)


def _table(ctx: Context, at: Path, item: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    description = item[INFO_KEY].get(DESCRIPTION_KEY)
    if description is not None:
        table[DESCRIPTION_KEY] = description
    base = env_base(item[NAME_KEY]) or "CREDENTIAL"
    for key, value in item[VALUES_KEY].items():
        literal, env = _FIELDS[key]
        path = (*at, VALUES_KEY, key)
        name = env_ref_name(value)
        if env is not None and name is not None:
            table[env] = name
        elif env is not None and _secret(literal, value):
            table[env] = ctx.secret(path, value, f"{base}_{env_base(key)}", what=key)
        elif literal is not None:
            table[literal] = value
    return table
