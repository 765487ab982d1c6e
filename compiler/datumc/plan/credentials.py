"""credential_list: planned from datumc.toml [credentials.NAME], read from any config.

The build writes one CredentialItem per table, in the shape LiteLLM 1.106 loads
(litellm/models/credentials.py:18-30, proxy/proxy_server.py:6309-6320):

    credential_list:
      - credential_name: shared
        credential_values: {api_key: os.environ/SHARED_KEY, api_base: os.environ/SHARED_BASE}
        credential_info: {description: ...}     # required by CredentialItem; {} when unset

Env names become os.environ/ references, which the proxy resolves in list items too
(proxy_server.py:5976-5998). The readers below serve lint, the env inventory and
import alike, on a planned or a hand-written config.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from datumc.load.positions import KeyPath
from datumc.load.stack import Stack
from datumc.plan.model import ConfigModel, Deployment, Origin, Origins
from datumc.plan.model_list import env_ref
from datumc.plan.sources import project_origin
from datumc.validate.credentials import DESCRIPTION_KEY, Credential

SECTION: Final = "credential_list"
NAME_KEY: Final = "credential_name"
VALUES_KEY: Final = "credential_values"
INFO_KEY: Final = "credential_info"
PARAM: Final = "litellm_credential_name"  # the litellm_params key naming a credential


def plan_credentials(stack: Stack, data: dict[str, Any], origins: Origins) -> None:
    """credential_list from [credentials.NAME], in the order the file gives them."""
    items = []
    for index, (name, credential) in enumerate(stack.project.credentials.items()):
        items.append(_item(name, credential))
        origins[(SECTION, index)] = _CredentialOrigins(stack, name, credential)
    if items:
        data[SECTION] = items


def _item(name: str, credential: Credential) -> dict[str, Any]:
    values = {key: env_ref(value) if is_env else value
              for key, value, is_env in credential.given().values()}
    info = {} if credential.description is None else {DESCRIPTION_KEY: credential.description}
    return {NAME_KEY: name, VALUES_KEY: values, INFO_KEY: info}


class _CredentialOrigins:
    """Where each value of one planned credential comes from in datumc.toml."""

    __slots__ = ("credential", "name", "stack")

    def __init__(self, stack: Stack, name: str, credential: Credential) -> None:
        self.stack, self.name, self.credential = stack, name, credential

    def __call__(self, rest: KeyPath) -> tuple[Origin, KeyPath]:
        table = ("credentials", self.name)
        head = rest[0] if rest else None
        key = rest[1] if len(rest) > 1 else None
        if head == VALUES_KEY and key is not None:
            field = next((f for f, (k, _, _) in self.credential.given().items() if k == key),
                         None)
            if field is not None:
                return project_origin(self.stack, *table, field, verbatim=False), ()
        if head == INFO_KEY and self.credential.description is not None:
            return project_origin(self.stack, *table, DESCRIPTION_KEY, verbatim=False), ()
        return project_origin(self.stack, *table, verbatim=False), ()


# -- reading credential_list (planned or hand-written) -----------------------------------


def credential_items(config: ConfigModel) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(index, name, values) of each credential_list item with a string name."""
    items = config.data.get(SECTION)
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get(NAME_KEY), str):
            values = item.get(VALUES_KEY)
            yield index, item[NAME_KEY], values if isinstance(values, dict) else {}


def credentials_by_name(config: ConfigModel) -> dict[str, dict[str, Any]]:
    """Name -> credential_values; the first of two same-named wins, as in LiteLLM's
    CredentialAccessor.find_credential (litellm_core_utils/credential_accessor.py:11-16)."""
    out: dict[str, dict[str, Any]] = {}
    for _, name, values in credential_items(config):
        out.setdefault(name, values)
    return out


def effective_params(config: ConfigModel, deployment: Deployment) -> dict[str, Any]:
    """litellm_params as a request sees them: each value of the named credential that
    the deployment does not set itself is added (litellm/utils.py:719-721)."""
    params = deployment.params
    name = params.get(PARAM)
    values = credentials_by_name(config).get(name) if isinstance(name, str) else None
    if not values:
        return params
    return {**{k: v for k, v in values.items() if isinstance(k, str)}, **params}


def credential_user(config: ConfigModel, path: KeyPath) -> str | None:
    """How the env inventory names the user of a variable under credential_list."""
    if len(path) > 2 and path[0] == SECTION and isinstance(path[1], int):
        items = config.data.get(SECTION)
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        if isinstance(item, dict):
            return f"credential {item.get(NAME_KEY)}"
    return None
