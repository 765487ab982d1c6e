"""The datum schema: one `*.ai_model.toml` / `*.model.toml` file describes one model."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from datumc.secrets.redact import shown
from datumc.validate.formats import OUTSIDE_PROJECT, project_path_problem
from datumc.validate.limits import MAX_LIST_ITEMS, MAX_NAME_CHARS, MAX_NESTING, MAX_STRING_CHARS
from datumc.validate.vocab import (
    CAPABILITY_ALIASES,
    SIZE_ALIASES,
    Capability,
    Size,
    is_env_name,
)

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators (YAML and
# Python end a line at U+0085, U+2028 and U+2029). One regex scan instead of a Python
# loop over every character: this runs on every name of every datum.
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def no_control_chars(value: str) -> str:
    """A single line: no control characters, no surrounding whitespace."""
    if _CONTROL_CHAR.search(value) is not None:
        raise ValueError("must not contain control characters (newline, tab, NUL, ...)")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    return value


class EnvNameError(ValueError):
    """A field that holds an env var NAME got something else (reported as DC104)."""


def _env_name(value: str) -> str:
    # The value is never echoed: a key pasted here by mistake must not reach a log.
    if not is_env_name(value):
        raise EnvNameError(
            "is not a valid environment variable name (letters, digits and _, "
            "not starting with a digit); it must be the NAME of a variable, not its value"
        )
    return value


def _size(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return SIZE_ALIASES.get(value) or Size(value)
    except ValueError:
        raise ValueError(
            f"{shown(value)} is not a size; use small or large (aliases: sm0l, ch0nky)"
        ) from None


def _capability(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return CAPABILITY_ALIASES.get(value) or Capability(value)
    except ValueError:
        known = ", ".join([*Capability, *CAPABILITY_ALIASES])
        raise ValueError(f"{shown(value)} is not a capability; use one of: {known}") from None


def _dedupe(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _too_big(value: Any, where: str = "", level: int = 0) -> str | None:
    """What makes a free-form table value too big: nesting, a long string, a long array."""
    at = f"{where} " if where else ""
    if level > MAX_NESTING:
        return f"{at}nests deeper than {MAX_NESTING} levels"
    if isinstance(value, str):
        too_long = len(value) > MAX_STRING_CHARS
        return f"{at}holds a string over {MAX_STRING_CHARS:,} characters" if too_long else None
    if isinstance(value, dict):
        if len(value) > MAX_LIST_ITEMS:
            return f"{at}holds a table with more than {MAX_LIST_ITEMS:,} keys"
        children = [(f"{where}.{_label(k)}" if where else _label(k), v) for k, v in value.items()]
        children += [(f"key {_label(k)}", k) for k in value]
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            return f"{at}holds an array with more than {MAX_LIST_ITEMS:,} items"
        children = [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    for child, item in children:
        problem = _too_big(item, child, level + 1)
        if problem is not None:
            return problem
    return None


def _label(key: Any) -> str:
    """A key as a diagnostic can show it: bare when simple, else quoted and cut short."""
    text = str(key)
    if text and len(text) <= 64 and all(ch.isalnum() or ch in "_-" for ch in text):
        return text
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _fits(value: Any, level: int = 0) -> bool:
    """Whether _too_big finds nothing, without naming every place on the way (a build
    checks every table of every datum; only a failing one needs the names)."""
    if level > MAX_NESTING:
        return False
    if isinstance(value, str):
        return len(value) <= MAX_STRING_CHARS
    if isinstance(value, dict):
        return len(value) <= MAX_LIST_ITEMS and all(
            _fits(k, level + 1) and _fits(v, level + 1) for k, v in value.items())
    if isinstance(value, list):
        return len(value) <= MAX_LIST_ITEMS and all(_fits(v, level + 1) for v in value)
    return True


def _bounded(value: dict[str, Any]) -> dict[str, Any]:
    if _fits(value):
        return value
    problem = _too_big(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_CHARS),
    AfterValidator(no_control_chars),
]
Text = Annotated[str, Field(max_length=MAX_STRING_CHARS)]
EnvVarName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_NAME_CHARS,
        json_schema_extra={"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    ),
    AfterValidator(_env_name),
]
SizeField = Annotated[
    Size,
    BeforeValidator(_size),
    WithJsonSchema({"type": "string", "enum": [*Size, *SIZE_ALIASES]}),
]
CapabilityField = Annotated[
    Capability,
    BeforeValidator(_capability),
    WithJsonSchema({"type": "string", "enum": [*Capability, *CAPABILITY_ALIASES]}),
]
Table = Annotated[dict[str, Any], AfterValidator(_bounded)]
PositiveInt = Annotated[int, Field(ge=1)]
Seconds = Annotated[int | float, Field(gt=0)]
PerMtok = Annotated[int | float, Field(ge=0, allow_inf_nan=False)]


def _project_file(value: str) -> str:
    """A file the project names (relative, inside it), which podman's `-v SRC:DST:ro` and
    quadlet's Volume= can carry: no ':' or '\\'."""
    problem = project_path_problem(value)
    if problem is not None:
        raise ValueError(f"{problem}; a secret file must stay inside the project"
                         if problem == OUTSIDE_PROJECT else problem)
    if ":" in value or "\\" in value:
        raise ValueError("must not contain ':' or '\\' (podman's -v and quadlet's Volume= "
                         "split on ':'); rename the file or use forward slashes")
    return no_control_chars(value)


CredentialsFile = Annotated[str, Field(min_length=1, max_length=4096),
                            AfterValidator(_project_file)]


def _names(description: str) -> Any:
    return Field(default_factory=list, max_length=MAX_LIST_ITEMS, description=description)


_SECTION = ConfigDict(
    extra="allow",
    strict=True, allow_inf_nan=False,
    frozen=True,
    json_schema_extra={"additionalProperties": False},
)


class B00tHeader(BaseModel):
    """The `[b00t]` header every b00t datum carries."""

    model_config = _SECTION

    name: Name = Field(description="Public LiteLLM model_name clients ask for. Unique.")
    type: Literal["ai_model", "model"] = Field(
        description='"ai_model", or "model" (b00t\'s newer name for the same thing).'
    )
    hint: Text = Field(default="", description="One-line human description.")
    aliases: list[Name] = _names("Extra public names -> router_settings.model_group_alias.")
    env: Table = Field(
        default_factory=dict,
        description="b00t environment for tooling around the model. Not emitted; linted "
        "for secrets.",
    )
    usage: list[Table] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="b00t usage recipes. Accepted and passed over.",
    )


# LiteLLM 1.106 applies a deployment's own prices from litellm_params: Deployment.__init__
# mirrors these keys onto model_info (litellm/types/router.py:729, 754-757), the router
# registers them in litellm.model_cost under the deployment id (router.py:10382-10394,
# 10458-10464), and the logging object turns custom pricing on only when one of them is
# in litellm_params (litellm_core_utils/litellm_logging.py:326, 990-992), which makes
# the cost calculator price by that id (cost_calculator.py:857-863).
_PRICE_SOURCE = "-> litellm_params.{key} = value / 1e6 (USD per token; LiteLLM 1.106 " \
    "litellm/types/router.py:754, router.py:10382, litellm_core_utils/litellm_logging.py:990)."


def _price(what: str, key: str) -> Any:
    return Field(default=None, description=f"USD per million {what} tokens "
                 + _PRICE_SOURCE.format(key=key))


class Cost(BaseModel):
    """The `[ai_model.cost]` table: this deployment's prices, USD per million tokens."""

    model_config = _SECTION

    input_per_mtok: PerMtok | None = _price("input (prompt)", "input_cost_per_token")
    output_per_mtok: PerMtok | None = _price("output (completion)", "output_cost_per_token")
    cache_read_per_mtok: PerMtok | None = _price("cache-read input",
                                                 "cache_read_input_token_cost")
    cache_write_per_mtok: PerMtok | None = _price("cache-write (cache creation) input",
                                                  "cache_creation_input_token_cost")


# [ai_model.retry] and [router] retry_policy key -> LiteLLM 1.106's RetryPolicy field
# (litellm/types/router.py:132-148), which Router(retry_policy=, model_group_retry_policy=)
# reads (router.py:953-954, 1333-1345; router_utils/get_retry_from_policy.py:19-67).
RETRY_KEYS: Final = {
    "bad_request": "BadRequestErrorRetries",
    "authentication": "AuthenticationErrorRetries",
    "timeout": "TimeoutErrorRetries",
    "rate_limit": "RateLimitErrorRetries",
    "content_policy_violation": "ContentPolicyViolationErrorRetries",
    "internal_server_error": "InternalServerErrorRetries",
    "service_unavailable": "ServiceUnavailableErrorRetries",
    "not_found": "NotFoundErrorRetries",
    "default": "DefaultRetries",
}
Retries = Annotated[int, Field(ge=0, le=100)]


def _retries(what: str, key: str) -> Any:
    return Field(default=None, description=f"Retries after {what} -> {RETRY_KEYS[key]}.")


class RetryPolicy(BaseModel):
    """Retries per kind of error: `[ai_model.retry]` (its model group) or `[router]
    retry_policy` (every group without its own)."""

    model_config = _SECTION

    bad_request: Retries | None = _retries("a 400 Bad Request", "bad_request")
    authentication: Retries | None = _retries("a 401 authentication error", "authentication")
    timeout: Retries | None = _retries("a timeout", "timeout")
    rate_limit: Retries | None = _retries("a 429 rate limit", "rate_limit")
    content_policy_violation: Retries | None = _retries("a content policy violation",
                                                        "content_policy_violation")
    internal_server_error: Retries | None = _retries("a 500 internal server error",
                                                     "internal_server_error")
    service_unavailable: Retries | None = _retries("a 503 service unavailable",
                                                   "service_unavailable")
    not_found: Retries | None = _retries("a 404 answer", "not_found")
    default: Retries | None = _retries("any other error", "default")

    def litellm(self, *, extra: bool = False) -> dict[str, Any]:
        """The policy under LiteLLM's names, unset kinds left out; `extra`: other keys
        too, verbatim ([router] passes them through as router_settings does)."""
        out: dict[str, Any] = {}
        for key, name in RETRY_KEYS.items():  # fields read directly: no model_dump per call
            value = getattr(self, key)
            if value is not None:
                out[name] = value
        if extra:
            out.update({k: v for k, v in (self.model_extra or {}).items() if k not in out})
        return out


def _snake_retry_keys(value: Any) -> Any:
    """LiteLLM's RetryPolicy names (RateLimitErrorRetries) -> datumc's (rate_limit)."""
    if not isinstance(value, dict):
        return value
    names = {litellm: ours for ours, litellm in RETRY_KEYS.items()}
    return {names.get(k, k) if isinstance(k, str) else k: v for k, v in value.items()}


# [router] retry_policy takes datumc's names or LiteLLM's, as router_settings has them.
AnyNamedRetryPolicy = Annotated[
    RetryPolicy,
    BeforeValidator(_snake_retry_keys),
    WithJsonSchema({
        "type": "object",
        "description": "Retries per kind of error; keys as in [ai_model.retry] or LiteLLM's "
        "RetryPolicy names.",
        "propertyNames": {"enum": [*RETRY_KEYS, *RETRY_KEYS.values()]},
        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100},
    }),
]


# Cloud credentials: LiteLLM 1.106 reads these litellm_params per deployment
# (litellm/types/router.py:343, 358-360, 369-375): aws_* for bedrock and sagemaker
# (llms/bedrock/base_aws_llm.py:245-257), vertex_* for vertex_ai (main.py:3714-3726,
# llms/vertex_ai/vertex_llm_base.py:125-146: a file path or the JSON itself), api_version
# for azure (llms/azure/common_utils.py:519-525). The router resolves os.environ/NAME in
# every litellm_params value (router.py:9916).
def _env_field(what: str, key: str) -> Any:
    return Field(default=None, description=f"NAME of the env var holding the {what} -> "
                 f"litellm_params.{key}: os.environ/NAME (never the value).")


class Aws(BaseModel):
    """The `[ai_model.aws]` table: Bedrock / SageMaker credentials, env var names only."""

    model_config = _SECTION

    region: Name | None = Field(default=None, description="AWS region, e.g. us-east-1 -> "
                                "litellm_params.aws_region_name.")
    access_key_id_env: EnvVarName | None = _env_field("access key id", "aws_access_key_id")
    secret_access_key_env: EnvVarName | None = _env_field("secret access key",
                                                          "aws_secret_access_key")
    session_token_env: EnvVarName | None = _env_field("session token", "aws_session_token")
    role_name: Name | None = Field(default=None, description="IAM role ARN to assume -> "
                                   "litellm_params.aws_role_name.")


class Vertex(BaseModel):
    """The `[ai_model.vertex]` table: Vertex AI project, location and credentials."""

    model_config = _SECTION

    project: Name | None = Field(default=None, description="Google Cloud project id -> "
                                 "litellm_params.vertex_project.")
    location: Name | None = Field(default=None, description="Vertex AI location, e.g. "
                                  "us-central1 -> litellm_params.vertex_location.")
    credentials_env: EnvVarName | None = _env_field(
        "service-account JSON (or its path)", "vertex_credentials")
    credentials_file: CredentialsFile | None = Field(
        default=None, description="A service-account JSON on the host, relative to the "
        "project. Never copied into the build: each target mounts it read-only and "
        "litellm_params.vertex_credentials names its path inside the container.")

    @model_validator(mode="after")
    def _one_credentials(self) -> Vertex:
        if self.credentials_env is not None and self.credentials_file is not None:
            raise ValueError("set credentials_env or credentials_file, not both")
        return self


class Azure(BaseModel):
    """The `[ai_model.azure]` table: Azure OpenAI settings."""

    model_config = _SECTION

    api_version: Text | None = Field(default=None, description="Azure API version, e.g. "
                                     "2024-10-21 -> litellm_params.api_version (sent as "
                                     "the api-version query parameter).")


class AiModel(BaseModel):
    """The `[ai_model]` table: how LiteLLM reaches the model."""

    model_config = _SECTION

    provider: Name = Field(description="b00t provider, e.g. openai, anthropic, openrouter, "
                           "ollama, openai_compatible.")
    litellm_model: Text = Field(
        min_length=1, description='LiteLLM model string with provider prefix, e.g. "openai/gpt-4o".'
    )
    size: SizeField | None = Field(default=None, description="small | large (sm0l, ch0nky).")
    capabilities: Annotated[list[CapabilityField], AfterValidator(_dedupe)] = Field(
        default_factory=list,
        max_length=64,
        description="chat, embeddings, rerank, code, vision, tools, json_mode, web_search, "
        "reasoning, batch (aliases: tool_use, multimodal, thinking).",
    )
    api_base: Text | None = Field(default=None, description="Endpoint URL.")
    api_base_env: EnvVarName | None = Field(
        default=None, description="Env var holding the endpoint URL -> os.environ/NAME."
    )
    api_key_env: EnvVarName | None = Field(
        default=None, description="NAME of the env var holding the API key (never the key)."
    )
    credential: Name | None = Field(
        default=None, description="A datumc.toml [credentials.NAME] whose key, endpoint and "
        "other values this deployment uses -> litellm_params.litellm_credential_name. A "
        "value comes from the datum or its credential, not both.",
    )
    api_version: Text | None = Field(default=None, description="API version (Azure).")
    rpm_limit: PositiveInt | None = Field(default=None, description="-> litellm_params.rpm")
    tpm_limit: PositiveInt | None = Field(default=None, description="-> litellm_params.tpm")
    rpd_limit: PositiveInt | None = Field(
        default=None, description="Requests per day the provider allows. LiteLLM does not "
        "enforce it: with the prometheus callback, datumc writes alerting rules that fire "
        "as the last 24 h of requests near it ([quotas] in datumc.toml).",
    )
    timeout: Seconds | None = Field(default=None, description="Request timeout, seconds.")
    stream_timeout: Seconds | None = Field(default=None, description="Stream timeout, seconds.")
    max_retries: Annotated[int, Field(ge=0)] | None = Field(default=None)
    context_window: PositiveInt | None = Field(
        default=None, description="-> model_info.max_input_tokens"
    )
    base_model: Name | None = Field(
        default=None,
        description="A model in LiteLLM's price map to price this deployment as -> "
        "model_info.base_model (LiteLLM 1.106 litellm/types/router.py:248, "
        "cost_calculator.py:849, 867-868).",
    )
    cost: Cost = Field(
        default_factory=Cost,
        description="[ai_model.cost]: prices in USD per million tokens -> litellm_params "
        "input_cost_per_token, output_cost_per_token, cache_read_input_token_cost, "
        "cache_creation_input_token_cost (each value / 1e6).",
    )
    aws: Aws = Field(default_factory=Aws, description="[ai_model.aws]: region, role and "
                     "credential env var names -> litellm_params aws_*.")
    vertex: Vertex = Field(default_factory=Vertex, description="[ai_model.vertex]: project, "
                           "location, credentials -> litellm_params vertex_*.")
    azure: Azure = Field(default_factory=Azure, description="[ai_model.azure]: api_version "
                         "-> litellm_params.api_version.")
    enabled: bool = Field(default=True, description="false: not emitted (reported as info).")
    access_groups: list[Name] = _names("-> model_info.access_groups")
    fallbacks: list[Name] = _names("Ordered fallback chain -> router_settings.fallbacks.")
    context_window_fallbacks: list[Name] = _names(
        "Ordered models to try when the prompt is too long for this one -> "
        "router_settings.context_window_fallbacks.")
    content_policy_fallbacks: list[Name] = _names(
        "Ordered models to try when this one refuses on content policy -> "
        "router_settings.content_policy_fallbacks.")
    tags: list[Name] | None = Field(
        default=None, max_length=MAX_LIST_ITEMS,
        description="-> litellm_params.tags: with [router] enable_tag_filtering, a request "
        "carrying tags goes only to deployments with one of them (\"default\": untagged "
        "requests).")
    weight: PositiveInt | None = Field(
        default=None, description="-> litellm_params.weight: this deployment's share of its "
        "group's traffic under the simple-shuffle routing strategy.")
    order: PositiveInt | None = Field(
        default=None, description="-> litellm_params.order: deployment priority in its group; "
        "1 is tried first, higher orders only when the lower ones fail.")
    max_parallel_requests: PositiveInt | None = Field(
        default=None, description="-> litellm_params.max_parallel_requests: concurrent "
        "requests this deployment takes.")
    retry: RetryPolicy = Field(
        default_factory=RetryPolicy,
        description="[ai_model.retry]: retries per kind of error for this model group -> "
        "router_settings.model_group_retry_policy.")
    model_group: Name | None = Field(
        default=None,
        description="Datums sharing a group are load-balanced deployments of one model_name.",
    )
    aliases: list[Name] = _names("b00t: extra names, merged with [b00t].aliases.")
    parameters: Table = Field(
        default_factory=dict,
        description="Merged into litellm_params (max_tokens, temperature, ...). May not set "
        "model, api_key or api_base.",
    )
    metadata: Table = Field(default_factory=dict, description="Merged into model_info.")
    architecture: Text | None = Field(default=None, description="b00t. Passed over.")
    huggingface_id: Text | None = Field(default=None, description="b00t. Passed over.")
    variants: list[Table] | None = Field(default=None, description="b00t. Passed over.")

    @model_validator(mode="after")
    def _one_api_base(self) -> AiModel:
        if self.api_base is not None and self.api_base_env is not None:
            raise ValueError("set api_base or api_base_env, not both")
        return self


class Datum(BaseModel):
    """One model datum file."""

    model_config = ConfigDict(
        extra="allow",
        strict=True, allow_inf_nan=False,
        frozen=True,
        title="datumc ai_model datum",
        json_schema_extra={"additionalProperties": False},
    )

    b00t: B00tHeader
    ai_model: AiModel

    @property
    def name(self) -> str:
        return self.b00t.name

    @property
    def public_name(self) -> str:
        """The model_name this datum is served under."""
        return self.ai_model.model_group or self.b00t.name

    @property
    def aliases(self) -> list[str]:
        return list(dict.fromkeys([*self.b00t.aliases, *self.ai_model.aliases]))
