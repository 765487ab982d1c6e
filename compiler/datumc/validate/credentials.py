"""`[credentials.NAME]` in datumc.toml: one key, endpoint or cloud login shared by datums.

Each table becomes an item of the LiteLLM config's top-level `credential_list`; a datum
names it with `[ai_model] credential` (-> litellm_params.litellm_credential_name).
LiteLLM 1.106 reads the list as CredentialItem (credential_name, credential_values,
credential_info: litellm/models/credentials.py:18-30; proxy/proxy_server.py:6309-6320,
7270-7271) after resolving every os.environ/ reference in the config, list items
included (proxy_server.py:5976-5998, 6283). A request to a deployment that names one
gets each credential value its litellm_params do not set (litellm/utils.py:701-721).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from datumc.validate.datum import EnvVarName, Text

if TYPE_CHECKING:  # validate.project imports this module
    from datumc.validate.project import Project

# Field -> (credential_values key, True when the field names an env var). The order is
# the order the build writes credential_values in.
CREDENTIAL_FIELDS: Final = {
    "api_key_env": ("api_key", True),
    "api_base": ("api_base", False),
    "api_base_env": ("api_base", True),
    "api_version": ("api_version", False),
    "aws_access_key_id_env": ("aws_access_key_id", True),
    "aws_secret_access_key_env": ("aws_secret_access_key", True),
    "aws_session_token_env": ("aws_session_token", True),
    "aws_region_name": ("aws_region_name", False),
    "vertex_project": ("vertex_project", False),
    "vertex_location": ("vertex_location", False),
    "vertex_credentials_env": ("vertex_credentials", True),
}
DESCRIPTION_KEY: Final = "description"  # credential_info.description (LiteLLM's UI shows it)


def _env(key: str, what: str) -> Any:
    return Field(default=None, description=f"NAME of the env var holding {what} -> "
                 f"credential_values.{key}: os.environ/NAME.")


def _literal(key: str, what: str) -> Any:
    return Field(default=None, description=f"{what} -> credential_values.{key}.")


class Credential(BaseModel):
    """One `[credentials.NAME]` table: values LiteLLM adds to each deployment naming it."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    description: Text | None = Field(
        default=None, description="What the credential is for -> credential_info.description."
    )
    api_key_env: EnvVarName | None = _env("api_key", "the API key")
    api_base: Text | None = _literal("api_base", "Endpoint URL")
    api_base_env: EnvVarName | None = _env("api_base", "the endpoint URL")
    api_version: Text | None = _literal("api_version", "API version (Azure)")
    aws_access_key_id_env: EnvVarName | None = _env("aws_access_key_id", "the AWS access key id")
    aws_secret_access_key_env: EnvVarName | None = _env("aws_secret_access_key",
                                                        "the AWS secret access key")
    aws_session_token_env: EnvVarName | None = _env("aws_session_token", "an AWS session token")
    aws_region_name: Text | None = _literal("aws_region_name", "AWS region (Bedrock)")
    vertex_project: Text | None = _literal("vertex_project", "Google Cloud project (Vertex AI)")
    vertex_location: Text | None = _literal("vertex_location", "Vertex AI region")
    vertex_credentials_env: EnvVarName | None = _env(
        "vertex_credentials", "the service-account JSON (or its path)")

    @model_validator(mode="after")
    def _sets_something(self) -> Credential:
        if self.api_base is not None and self.api_base_env is not None:
            raise ValueError("set api_base or api_base_env, not both")
        if not self.given():
            raise ValueError("sets no value: give api_key_env, api_base (or api_base_env), "
                             "api_version, or an aws_*/vertex_* field")
        return self

    def given(self) -> dict[str, tuple[str, str, bool]]:
        """Field -> (credential_values key, value, is_env) for each field set."""
        out = {}
        for name, (key, is_env) in CREDENTIAL_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                out[name] = (key, value, is_env)
        return out

    def sets(self, key: str) -> bool:
        """Does the credential give credential_values[key]?"""
        return any(k == key for k, _, _ in self.given().values())


CREDENTIALS_DESCRIPTION: Final = (
    "Shared credentials: [credentials.NAME] -> the config's credential_list; a datum uses "
    "one with [ai_model] credential = \"NAME\" (-> litellm_params.litellm_credential_name)."
)


def credential_sets(project: Project, name: str | None, key: str) -> bool:
    """Does the project's credential `name` give credential_values[key]?"""
    credential = project.credentials.get(name) if name is not None else None
    return credential is not None and credential.sets(key)
