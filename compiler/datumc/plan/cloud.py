"""Cloud credentials: `[ai_model.aws]`, `[ai_model.vertex]` and `[ai_model.azure]` ->
the litellm_params LiteLLM 1.106 reads (see validate/datum.py for the source lines).

An `*_env` field becomes an `os.environ/NAME` reference, so it enters the env inventory
(plan/env.py) like `api_key_env`. `credentials_file` is a secret on the host: it is never
copied into the build; every container target mounts it read-only at `container_path()`,
which is what `vertex_credentials` names.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Final

from datumc.validate.datum import AiModel
from datumc.validate.vocab import ENV_REF_PREFIX

# Where each target mounts credentials files: the project-relative path below this
# directory, so two files never meet at one path.
CREDENTIALS_DIR: Final = "/run/secrets/datumc"

# table -> field -> the litellm_params key it becomes.
CLOUD_PARAMS: Final = {
    "aws": {
        "region": "aws_region_name",
        "access_key_id_env": "aws_access_key_id",
        "secret_access_key_env": "aws_secret_access_key",
        "session_token_env": "aws_session_token",
        "role_name": "aws_role_name",
    },
    "vertex": {
        "project": "vertex_project",
        "location": "vertex_location",
        "credentials_env": "vertex_credentials",
        "credentials_file": "vertex_credentials",
    },
    "azure": {"api_version": "api_version"},
}
# What each env var is for, in .env.example and the Secret template.
PURPOSES: Final = {
    ("litellm_params", "aws_access_key_id"): "AWS access key id",
    ("litellm_params", "aws_secret_access_key"): "AWS secret access key",
    ("litellm_params", "aws_session_token"): "AWS session token",
    ("litellm_params", "vertex_credentials"): "Vertex AI service-account JSON",
}


def cloud_fields(am: AiModel) -> dict[str, tuple[str, str, Any]]:
    """litellm_params key -> (table, field, datum value) for every field set."""
    out: dict[str, tuple[str, str, Any]] = {}
    for table, fields in CLOUD_PARAMS.items():
        section = getattr(am, table)
        for field, key in fields.items():
            value = getattr(section, field)
            if value is not None:
                out[key] = (table, field, value)
    return out


def cloud_params(am: AiModel) -> dict[str, Any]:
    """The litellm_params the cloud tables set."""
    return {key: _param(field, value) for key, (_, field, value) in cloud_fields(am).items()}


def _param(field: str, value: Any) -> Any:
    if field.endswith("_env"):
        return f"{ENV_REF_PREFIX}{value}"  # model_list.env_ref, which imports this
    if field == "credentials_file":
        return container_path(value)
    return value


def cloud_origin(am: AiModel, key: str) -> tuple[str, str] | None:
    """(table, field) that set litellm_params `key`, when a cloud table did."""
    found = cloud_fields(am).get(key)
    return None if found is None else found[:2]


def container_path(relpath: str) -> str:
    """Where a project file is mounted in the container (`./a//b.json` -> `.../a/b.json`)."""
    return f"{CREDENTIALS_DIR}/{PurePosixPath(relpath)}"


def credentials_files(ams: list[AiModel]) -> list[str]:
    """The distinct project-relative credentials files, normalised and sorted."""
    return sorted({str(PurePosixPath(am.vertex.credentials_file)) for am in ams
                   if am.vertex.credentials_file is not None})
