"""Import: cloud litellm_params -> `[ai_model.aws]` and `[ai_model.vertex]`.

aws_region_name, aws_role_name, vertex_project, vertex_location -> their field when the
value fits it (an `os.environ/` reference stays a parameter, as written);
aws_access_key_id, aws_secret_access_key, aws_session_token and a vertex_credentials
reference -> the `*_env` field, a hardcoded value replaced by an env var as `api_key` is.
A literal vertex_credentials (a path on the proxy's machine, or the JSON itself) stays a
parameter: a datum's credentials_file is a file of the project, mounted elsewhere.
`api_version` stays `[ai_model] api_version`, which builds the same config.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from datumc.importer.context import Context, Path
from datumc.importer.fits import misfit
from datumc.importer.secrets import env_ref_name, is_env_ref
from datumc.importer.values import secret_base
from datumc.plan.cloud import CLOUD_PARAMS
from datumc.secrets.detect import sensitive
from datumc.validate.datum import Aws, Vertex

_MODELS: Final[dict[str, type[BaseModel]]] = {"aws": Aws, "vertex": Vertex}
# litellm_params key -> (table, field) it is imported into.
CLOUD_FOR_PARAM: Final = {
    key: (table, field)
    for table, fields in CLOUD_PARAMS.items() if table in _MODELS
    for field, key in fields.items() if field != "credentials_file"
}


def cloud_item(ctx: Context, path: Path, key: str, value: Any, out: dict[str, Any]) -> bool:
    """Put litellm_params `key` into its table of `out` when it fits; False leaves it to
    [ai_model.parameters]."""
    table, field = CLOUD_FOR_PARAM[key]
    if field.endswith("_env"):
        name = _env_name(ctx, path, key, value)
    elif is_env_ref(value) or not isinstance(value, str) or sensitive(key, value):
        return False
    else:
        name = value
    if name is None or misfit(_MODELS[table], field, name) is not None:
        return False
    out.setdefault(table, {})[field] = name
    return True


def _env_name(ctx: Context, path: Path, key: str, value: Any) -> str | None:
    name = env_ref_name(value)
    if name is not None:
        return name
    if key == "vertex_credentials" or not isinstance(value, str) or not value.strip():
        return None
    return ctx.secret(path, value, secret_base(path), what=key)
