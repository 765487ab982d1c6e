"""router_settings, litellm_settings, general_settings and other sections -> datumc.toml.

* router_settings: routing_strategy, num_retries, timeout, allowed_fails, cooldown_time
  -> [router] fields; redis_host/port/password as os.environ/ refs -> [router] redis;
  fallbacks and model_group_alias -> the datums (see links); the rest -> [router].
* litellm_settings: cache + cache_params -> [cache] when datumc's form says exactly the
  same; fallbacks -> the datums when router_settings has none (LiteLLM's Router uses
  them then); the rest -> [litellm_settings].
* litellm_settings callbacks, success_callback, failure_callback -> [observability];
  general_settings alerting = ["slack"] with alert_types, alerting_threshold and one
  alert_to_webhook_url variable -> [alerting]; guardrails -> [[guardrails]]
  (importer/integrations.py).
* general_settings: master_key -> [proxy] master_key_env; database_url -> [proxy]
  database_url_env when it is a reference or holds a password; the rest ->
  [general_settings].
* credential_list -> [credentials.NAME] tables (importer/credentials.py).
* any other top-level section -> [extra_sections], verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from datumc.data import vocab
from datumc.diagnostics import Severity
from datumc.importer.codes import GUESS, INVALID, LOSSY, PASSTHROUGH, SECRET, STRUCTURE, UNCHECKED
from datumc.importer.context import Context, Path, dotted
from datumc.importer.credentials import convert_credentials
from datumc.importer.fits import misfit
from datumc.importer.integrations import take_alerting, take_guardrails, take_observability
from datumc.importer.links import alias_pairs, apply_aliases, apply_fallbacks, fallback_chains
from datumc.importer.models import Draft
from datumc.importer.routing import take_retry
from datumc.importer.secrets import env_ref_name, mask
from datumc.importer.values import MISSING, table_item, toml_value
from datumc.plan.credentials import SECTION
from datumc.plan.model import OWN_SECTIONS
from datumc.plan.router import ENFORCE_LIMITS, ROUTER_FIELDS, ROUTER_OWN
from datumc.plan.routing import FALLBACK_KINDS
from datumc.secrets.detect import secret_value, sensitive
from datumc.validate.project import CacheSection, ProxySection, RouterSection
from datumc.validate.vocab import ENV_REF_PREFIX, is_env_name

REDIS_KEYS: Final = ("redis_host", "redis_port", "redis_password")
_ROUTER_DEFAULT_ENV: Final = {
    f"{key}_env": RouterSection.model_fields[f"{key}_env"].default for key in REDIS_KEYS
}
DEFAULT_MASTER_KEY_ENV: Final = str(ProxySection.model_fields["master_key_env"].default)
_ALIAS_HINTS: Final = {
    "model_alias_map": "LiteLLM reads aliases from router_settings.model_group_alias "
    "(or litellm_settings.model_alias_map)",
}


def section(ctx: Context, root: dict[str, Any], name: str) -> dict[str, Any]:
    """root[name] as a mapping; {} (reported) when it is null or not a mapping."""
    if name not in root:
        return {}
    value = root[name]
    if value is None:
        toml_value(ctx, value, (name,))
        return {}
    if not isinstance(value, dict):
        ctx.report(STRUCTURE, Severity.ERROR,
                   f"{name} is a {type(value).__name__}, not a mapping", (name,),
                   hint=f"{name} holds key: value settings", value=True)
        return {}
    return value


def convert_project(ctx: Context, root: dict[str, Any], drafts: Sequence[Draft]) -> (
    dict[str, Any]
):
    """The datumc.toml table; fallbacks and aliases are written onto `drafts`."""
    router_in = section(ctx, root, "router_settings")
    settings_in = section(ctx, root, "litellm_settings")
    moved = {kind: _plan_fallbacks(ctx, router_in, settings_in, drafts, kind)
             for kind in FALLBACK_KINDS}
    router, redis = _router(ctx, router_in, drafts, moved)
    cache, settings = _litellm_settings(ctx, settings_in, redis, router, moved)
    proxy, general = _general(ctx, section(ctx, root, "general_settings"))
    project: dict[str, Any] = {"datumc": {"datum_dirs": ["datums"]}, "proxy": proxy}
    credentials = convert_credentials(ctx, root)  # importer/credentials.py
    rest = root if credentials is None else {k: v for k, v in root.items() if k != SECTION}
    observability, alerting = take_observability(settings), take_alerting(general)
    guardrails = take_guardrails(rest)
    rest = {k: v for k, v in rest.items() if k != "guardrails"} if guardrails else rest
    for key, table in (("router", router), ("cache", cache), ("observability", observability),
                       ("alerting", alerting), ("litellm_settings", settings),
                       ("general_settings", general), ("credentials", credentials),
                       ("guardrails", guardrails),
                       ("extra_sections", _extra(ctx, rest))):
        if table:
            project[key] = table
    return project


# -- fallbacks ---------------------------------------------------------------------------


def _plan_fallbacks(ctx: Context, router_in: dict[str, Any], settings_in: dict[str, Any],
                    drafts: Sequence[Draft], kind: str) -> str | None:
    """Move the `kind` fallbacks LiteLLM's Router uses into the datums; which section they
    left (`kind`: fallbacks, context_window_fallbacks or content_policy_fallbacks)."""
    if router_in.get(kind):
        where = "router_settings"
        if kind in settings_in:
            ctx.report(UNCHECKED, Severity.WARNING,
                       f"litellm_settings.{kind} is shadowed by router_settings.{kind} "
                       "(LiteLLM's Router uses only those); kept verbatim",
                       ("litellm_settings", kind),
                       hint=f"merge the two lists into router_settings.{kind}")
    elif settings_in.get(kind):
        where = "litellm_settings"
    else:
        return None
    source = (router_in if where == "router_settings" else settings_in)[kind]
    chains, why = fallback_chains(source, {d.public for d in drafts})
    path = (where, kind)
    if chains is None:
        ctx.report(UNCHECKED, Severity.WARNING,
                   f"{where}.{kind} kept verbatim, not in the datums: {why}", path,
                   hint="fix the names (or use one {model_name: [model_names]} item per "
                   "model) and import again, so lint can check them")
        return None
    apply_fallbacks(drafts, chains, kind)
    if where == "litellm_settings":
        ctx.report(GUESS, Severity.INFO,
                   f"litellm_settings.{kind} moved into the datums; the built config has "
                   f"them in router_settings.{kind}, which LiteLLM's Router reads the same "
                   "way when router_settings has none", path)
    return where


# -- router_settings ---------------------------------------------------------------------


def _router(ctx: Context, router_in: dict[str, Any], drafts: Sequence[Draft],
            moved: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, str] | None]:
    out: dict[str, Any] = {}
    redis = _redis_env(ctx, router_in)
    for key, value in router_in.items():
        path: Path = ("router_settings", key)
        if (key in REDIS_KEYS and redis is not None) or (
            moved.get(key) == "router_settings"
        ) or (key == "model_group_alias" and _aliases(ctx, path, value, drafts)) or (
            take_retry(ctx, path, key, value, out, drafts)  # importer/routing.py
        ):
            continue
        if key in ROUTER_FIELDS:
            _router_field(ctx, path, key, value, out)
        elif key == "optional_pre_call_checks" and _limited(drafts):
            _pre_call_checks(ctx, out, value, path)
        elif key in ROUTER_OWN:
            ctx.report(LOSSY, Severity.WARNING,
                       f"router_settings.{key} is a datumc [router] key, not a LiteLLM one "
                       "(LiteLLM ignores it); left out", path)
        else:
            _keep(ctx, out, key, value, ("router_settings",))
    if redis is not None:
        out["redis"] = True
        out.update({k: v for k, v in redis.items() if _ROUTER_DEFAULT_ENV[k] != v})
    _enforced_limits(ctx, router_in, drafts)
    return out, redis


def _limited(drafts: Sequence[Draft]) -> bool:
    """Does a deployment set rpm_limit or tpm_limit (so the build enforces limits)?"""
    return any("rpm_limit" in d.ai_model or "tpm_limit" in d.ai_model for d in drafts)


def _pre_call_checks(ctx: Context, out: dict[str, Any], value: Any, path: Path) -> None:
    """The build appends enforce_model_rate_limits when datums set limits: a list ending
    with it is imported without it, so the build puts it back in the same place."""
    if isinstance(value, list) and value and value[-1] == ENFORCE_LIMITS:
        if len(value) > 1:
            _keep(ctx, out, "optional_pre_call_checks", value[:-1], path[:-1])
        return
    _keep(ctx, out, "optional_pre_call_checks", value, path[:-1])


def _enforced_limits(ctx: Context, router_in: dict[str, Any], drafts: Sequence[Draft]) -> None:
    """datumc enforces rpm/tpm; say so when the source only had them as routing weights."""
    if not _limited(drafts):
        return
    checks = router_in.get("optional_pre_call_checks")
    if checks == ENFORCE_LIMITS or (isinstance(checks, list) and ENFORCE_LIMITS in checks):
        return
    first = next(d for d in drafts if "rpm_limit" in d.ai_model or "tpm_limit" in d.ai_model)
    ctx.report(GUESS, Severity.INFO,
               f"rpm/tpm become enforced limits: the built config adds {ENFORCE_LIMITS} to "
               "router_settings.optional_pre_call_checks (without it LiteLLM uses them only "
               "as routing weights)", ("model_list", first.index, "litellm_params"))


def _router_field(ctx: Context, path: Path, key: str, value: Any, out: dict[str, Any]) -> None:
    if value is None:
        toml_value(ctx, value, path)
        return
    problem = misfit(RouterSection, key, value)
    if problem is not None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        ctx.report(INVALID, Severity.ERROR,
                   f"{dotted(path)} = {shown} cannot be [router] {key}: {problem.lower()}",
                   path, value=True,
                   hint="write numbers without quotes (timeout: 30); routing_strategy is a name")
        return
    out[key] = value


def _redis_env(ctx: Context, router_in: dict[str, Any]) -> dict[str, str] | None:
    """[router] redis_*_env names when all three Redis settings are os.environ/ refs."""
    present = [k for k in REDIS_KEYS if k in router_in]
    names = {f"{k}_env": env_ref_name(router_in.get(k)) for k in REDIS_KEYS}
    if len(present) == len(REDIS_KEYS) and all(names.values()):
        return {k: v for k, v in names.items() if v is not None}
    if present:
        ctx.report(PASSTHROUGH, Severity.INFO,
                   "Redis settings kept verbatim in [router]: datumc's [router] redis needs "
                   "redis_host, redis_port and redis_password, all as os.environ/ references",
                   ("router_settings", present[0]))
    return None


def _aliases(ctx: Context, path: Path, value: Any, drafts: Sequence[Draft]) -> bool:
    pairs, why = alias_pairs(value, {d.public for d in drafts})
    if pairs is None:
        ctx.report(UNCHECKED, Severity.WARNING,
                   f"router_settings.model_group_alias kept verbatim, not in the datums: {why}",
                   path, hint="point each alias at a model_name of model_list and import again")
        return False
    apply_aliases(drafts, pairs)
    return True


# -- litellm_settings -------------------------------------------------------------------


def _litellm_settings(ctx: Context, settings_in: dict[str, Any], redis: dict[str, str] | None,
                      router: dict[str, Any], moved: dict[str, str | None]) -> (
    tuple[dict[str, Any], dict[str, Any]]
):
    cache = _cache(ctx, settings_in, redis, router)
    out: dict[str, Any] = {}
    for key, value in settings_in.items():
        if (key in ("cache", "cache_params") and cache) or (
            moved.get(key) == "litellm_settings"
        ):
            continue
        _keep(ctx, out, key, value, ("litellm_settings",))
    return cache, out


def _cache(ctx: Context, settings_in: dict[str, Any], redis: dict[str, str] | None,
           router: dict[str, Any]) -> dict[str, Any]:
    """The [cache] table when LiteLLM's cache settings say exactly what it would emit."""
    if settings_in.get("cache") is not True:
        return {}
    params = settings_in.get("cache_params")
    table, why = _cache_table(params, redis)
    if table is None:
        ctx.report(PASSTHROUGH, Severity.INFO,
                   f"cache settings kept verbatim in [litellm_settings]: {why}",
                   ("litellm_settings", "cache"))
        return {}
    if table["type"] == "redis" and redis is None:
        assert isinstance(params, dict)
        for key in ("host", "port", "password"):
            field, name = f"redis_{key}_env", env_ref_name(params[key])
            if name != _ROUTER_DEFAULT_ENV[field]:
                router[field] = name
    return table


def _cache_table(params: Any, redis: dict[str, str] | None) -> (
    tuple[dict[str, Any] | None, str]
):
    if not isinstance(params, dict):
        return None, "cache: true without cache_params (LiteLLM then reads REDIS_* itself)"
    kind = params.get("type")
    extra = set(params) - {"type", "ttl", "host", "port", "password"}
    if kind not in ("local", "redis") or extra:
        return None, "datumc's [cache] covers type local or redis with ttl only"
    if "ttl" in params and misfit(CacheSection, "ttl", params["ttl"]) is not None:
        return None, "ttl is not a positive integer"
    table: dict[str, Any] = {"type": kind}
    if "ttl" in params:
        table["ttl"] = params["ttl"]
    if kind == "local":
        return (table, "") if set(params) <= {"type", "ttl"} else (
            None, "a local cache with host/port/password")
    names = [env_ref_name(params.get(k)) for k in ("host", "port", "password")]
    if not all(names):
        return None, "Redis host, port and password are not all os.environ/ references"
    if redis is not None and list(redis.values()) != names:
        return None, "the cache and router_settings use different Redis env vars"
    return table, ""


# -- general_settings --------------------------------------------------------------------


def _general(ctx: Context, general_in: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    proxy: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for key, value in general_in.items():
        path: Path = ("general_settings", key)
        if key == "master_key" and value is not None:
            proxy["master_key_env"] = _env_name(ctx, path, value, DEFAULT_MASTER_KEY_ENV)
        elif key == "database_url" and (env_ref_name(value) or _secret_url(value)):
            proxy["database_url_env"] = _env_name(ctx, path, value, "DATABASE_URL")
        else:
            _keep(ctx, out, key, value, ("general_settings",))
    if "master_key_env" not in proxy:
        proxy["master_key_env"] = DEFAULT_MASTER_KEY_ENV
        ctx.report(GUESS, Severity.INFO,
                   f"no master_key in general_settings: the built config reads it from "
                   f"os.environ/{DEFAULT_MASTER_KEY_ENV} (LiteLLM refuses to start without one)",
                   ("general_settings",) if general_in else ())
    return proxy, out


def _secret_url(value: Any) -> bool:
    return isinstance(value, str) and secret_value(value)


def _env_name(ctx: Context, path: Path, value: Any, base: str) -> str:
    """The env var behind a reference, or the one a hardcoded secret moves to."""
    name = env_ref_name(value)
    if name is not None:
        return name
    what = str(path[-1])
    if isinstance(value, str) and value.startswith(ENV_REF_PREFIX):
        what += " reference (not a valid env var name)"
    return ctx.secret(path, value, base, what=what)


# -- pass-through ----------------------------------------------------------------------------


def _keep(ctx: Context, out: dict[str, Any], key: Any, value: Any, at: Path) -> None:
    """Copy one setting verbatim into a pass-through table (secrets become references)."""
    if not isinstance(key, str):
        ctx.report(LOSSY, Severity.WARNING,
                   f"{dotted(at)}: the key {key!r} is not a string, which LiteLLM cannot read; "
                   "left out", at)
        return
    converted = table_item(ctx, key, value, at)
    if converted is not MISSING:
        out[key] = converted


def _extra(ctx: Context, root: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in root.items():
        if key in OWN_SECTIONS or (key == "include" and _merged(ctx)):
            continue
        if key == "environment_variables" and isinstance(value, dict):
            out[key] = _environment(ctx, value)
            continue
        if isinstance(key, str) and key not in vocab().config_sections:
            ctx.report(UNCHECKED, Severity.WARNING,
                       f"LiteLLM does not read a top-level '{key}'; kept verbatim in "
                       "[extra_sections]", (key,),
                       hint=_ALIAS_HINTS.get(key, "move it into the section it belongs to"))
        elif key == "include":
            ctx.report(UNCHECKED, Severity.WARNING,
                       "include: the included files are not imported; they must sit next to "
                       "the built config.yaml", (key,),
                       hint="import each included file too, or copy it next to the build")
        _keep(ctx, out, key, value, ())
    return out


def _merged(ctx: Context) -> bool:
    """The included files are merged into what is imported (load/includes.py)."""
    return ctx.config.includes is not None and ctx.config.includes.complete


def _environment(ctx: Context, variables: dict[Any, Any]) -> dict[str, Any]:
    """environment_variables: a hardcoded secret becomes a reference to its own variable."""
    out: dict[str, Any] = {}
    path: Path = ("environment_variables",)
    for key, value in variables.items():
        if isinstance(key, str) and is_env_name(key) and sensitive(key, value):
            ctx.report(SECRET, Severity.WARNING,
                       f"environment_variables.{key} holds a hardcoded secret ({mask(value)}); "
                       f"replaced by os.environ/{key}, the value is not copied", (*path, key),
                       hint=f"set {key} in the proxy's environment (.env) instead",
                       value=True)
            out[key] = f"{ENV_REF_PREFIX}{key}"
        else:
            _keep(ctx, out, key, value, path)
    return out
