"""The env inventory: every variable the proxy reads, from the planned config model.

One list feeds `.env.example`, the Kubernetes Secret template, compose, `doctor`,
`serve` and the `.env` checks. It holds every `os.environ/NAME` in the config (where
LiteLLM resolves it: mapping values), and the variables LiteLLM reads implicitly for
what the config turns on: callbacks (langfuse, datadog, otel, ...), alerting, and the
provider key of a deployment that gives none. The implicit names come from LiteLLM's
source (`data/litellm_env.json`, see scripts/snapshot_litellm_env.py). Names only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from datumc.data import env_facts, routed_provider
from datumc.load.positions import KeyPath, dotted
from datumc.plan.cloud import PURPOSES as CLOUD_PURPOSES
from datumc.plan.credentials import credential_user, effective_params
from datumc.plan.guardrails import guardrail_env, guardrail_user
from datumc.plan.integrations import alerting_facts
from datumc.plan.model import ConfigModel, Deployment
from datumc.validate.vocab import ENV_REF_PREFIX, is_env_name

MASTER_KEY = "LITELLM_MASTER_KEY"
# The bundled compose postgres reads its password from the env file under this name.
POSTGRES_PASSWORD = "POSTGRES_PASSWORD"
CALLBACK_KEYS = ("callbacks", "success_callback", "failure_callback", "service_callback")
# Env var -> the litellm_params key that makes LiteLLM skip reading it.
_PARAM_FOR_ENV = {
    "VERTEXAI_PROJECT": "vertex_project", "VERTEX_PROJECT": "vertex_project",
    "VERTEXAI_LOCATION": "vertex_location", "VERTEX_LOCATION": "vertex_location",
    "GOOGLE_APPLICATION_CREDENTIALS": "vertex_credentials",
}
_PURPOSES = {
    ("litellm_params", "api_key"): "API key",
    ("litellm_params", "api_base"): "API base URL",
    ("general_settings", "master_key"): "master key clients send as a Bearer token",
    ("general_settings", "database_url"): "Postgres URL for keys, spend and the UI",
    ("router_settings", "redis_host"): "Redis host",
    ("router_settings", "redis_port"): "Redis port",
    ("router_settings", "redis_password"): "Redis password",
    ("cache_params", "host"): "Redis host",
    ("cache_params", "port"): "Redis port",
    ("cache_params", "password"): "Redis password",
    **CLOUD_PURPOSES,  # plan/cloud.py
}


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable the deployment reads. Names only; never a value."""

    name: str
    purpose: str
    users: tuple[str, ...] = ()
    required: bool = True

    def describe(self, limit: int = 5) -> str:
        if not self.users:
            return self.purpose
        shown = ", ".join(self.users[:limit])
        more = len(self.users) - limit
        return f"{self.purpose} for {shown}" + (f" and {more} more" if more > 0 else "")


class _Inventory:
    """Insertion-ordered users per name: `user in list` was quadratic in datums."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, dict[str, None], bool]] = {}

    def need(self, name: str, purpose: str, user: str | None = None, *,
             required: bool = True) -> None:
        known = self.found.get(name)
        if known is None:
            known = self.found[name] = (purpose, {}, required)
        elif required and not known[2]:
            known = self.found[name] = (known[0], known[1], True)
        if user is not None:
            known[1].setdefault(user)

    def result(self) -> tuple[EnvVar, ...]:
        items = [EnvVar(n, p, tuple(u), r) for n, (p, u, r) in self.found.items()]
        rest = sorted(items[1:], key=lambda v: (not v.required, v.name))
        return (*items[:1], *rest)


def env_inventory(config: ConfigModel, *, master_key_env: str = MASTER_KEY,
                  postgres: bool = False) -> tuple[EnvVar, ...]:
    """Every variable the proxy needs for `config`; the master key first."""
    inv = _Inventory()
    inv.need(_master_key(config, master_key_env), _PURPOSES[("general_settings", "master_key")])
    for path, name in env_refs(config):
        inv.need(name, _purpose(path), _user(config, path))
    _callbacks(config, inv)
    _alerting(config, inv)
    _redis_cache(config, inv)
    _provider_keys(config, inv)
    if postgres:
        inv.need(POSTGRES_PASSWORD, "password of the postgres service compose.yaml runs "
                 "(the Postgres URL must use it)")
    return inv.result()


def env_refs(config: ConfigModel) -> Iterator[tuple[KeyPath, str]]:
    """(path, NAME) for every `os.environ/NAME` LiteLLM resolves: mapping values only
    (read from the config's one walk of its strings)."""
    for path, value, in_list in config.refs():
        if not in_list and value.startswith(ENV_REF_PREFIX):
            name = value[len(ENV_REF_PREFIX):]
            if is_env_name(name):
                yield path, name


def _master_key(config: ConfigModel, default: str) -> str:
    value = config.section("general_settings").get("master_key")
    if isinstance(value, str) and value.startswith(ENV_REF_PREFIX):
        name = value[len(ENV_REF_PREFIX):]
        if is_env_name(name):
            return name
    return default


def _purpose(path: KeyPath) -> str:
    tail = tuple(str(p) for p in path[-2:])
    if tail[:1] == ("credential_values",):  # a credential's value serves as a param's
        tail = ("litellm_params", *tail[1:])
    known = _PURPOSES.get((tail[0], tail[1]) if len(tail) == 2 else ("", ""))
    if known is not None:
        return known
    if "alert_to_webhook_url" in path:
        return "Slack webhook URL for alerts"
    in_deployment = len(path) > 2 and path[0] in ("model_list", "credential_list")
    return dotted(path[2:] if in_deployment else path)


def _user(config: ConfigModel, path: KeyPath) -> str | None:
    if len(path) > 2 and path[0] == "model_list" and isinstance(path[1], int):
        items = config.data.get("model_list")
        if isinstance(items, list) and path[1] < len(items) and isinstance(items[path[1]], dict):
            return config.label(Deployment(path[1], items[path[1]]))
    return credential_user(config, path) or guardrail_user(config, path)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _callbacks(config: ConfigModel, inv: _Inventory) -> None:
    settings = config.section("litellm_settings")
    facts = env_facts()["callbacks"]
    for key in CALLBACK_KEYS:
        for name in _names(settings.get(key)):
            _integration(inv, facts.get(name), f"{name} callback")


def _alerting(config: ConfigModel, inv: _Inventory) -> None:
    facts = env_facts()["alerting"]
    general = config.section("general_settings")
    for name in _names(general.get("alerting")):
        _integration(inv, alerting_facts(name, facts.get(name), general), f"{name} alerting")
    for name, purpose in guardrail_env(config):
        inv.need(name, purpose, required=False)


def _integration(inv: _Inventory, facts: Any, purpose: str) -> None:
    if not isinstance(facts, dict):
        return
    for name in facts.get("required", ()):
        inv.need(name, purpose)
    for name in facts.get("optional", ()):
        inv.need(name, f"{purpose} (optional)", required=False)


def _redis_cache(config: ConfigModel, inv: _Inventory) -> None:
    """`cache: true` with no Redis address: LiteLLM reads REDIS_HOST and REDIS_PORT (and
    REDIS_PASSWORD, REDIS_URL when set) from the environment (proxy_server, _redis.py)."""
    settings = config.section("litellm_settings")
    if settings.get("cache") is not True:
        return
    params = settings.get("cache_params")
    params = params if isinstance(params, dict) else {}
    if params.get("type", "redis") != "redis" or any(
            k in params for k in ("host", "url", "redis_url", "startup_nodes")):
        return
    for name in ("REDIS_HOST", "REDIS_PORT"):
        inv.need(name, "Redis for the response cache (cache: true names no host)")
    inv.need("REDIS_PASSWORD", "Redis for the response cache (optional)", required=False)


def _provider_keys(config: ConfigModel, inv: _Inventory) -> None:
    """Deployments that give no credential: LiteLLM reads the provider's variable."""
    facts = env_facts()["providers"]
    for dep in config.deployments():
        provider = _provider(dep.params)
        entry = facts.get(provider) if provider else None
        if not isinstance(entry, dict):
            continue
        for name in entry.get("required", ()):
            if not _given(name, effective_params(config, dep)):
                inv.need(name, f"{provider} credential LiteLLM reads when a deployment "
                         "sets none", config.label(dep))


def _provider(params: dict[str, Any]) -> str | None:
    custom = params.get("custom_llm_provider")
    if isinstance(custom, str):
        return custom
    model = params.get("model")
    return routed_provider(model) if isinstance(model, str) else None


def _given(env_name: str, params: dict[str, Any]) -> bool:
    """Does the deployment set the param that replaces `env_name`?"""
    lowered = env_name.lower()
    explicit = _PARAM_FOR_ENV.get(env_name)
    if explicit is not None:
        return explicit in params
    return any(lowered == p or lowered.endswith("_" + p) for p in params if isinstance(p, str))
