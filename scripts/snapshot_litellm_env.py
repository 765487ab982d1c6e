"""Snapshot the environment variables LiteLLM reads implicitly for what a proxy config enables.

    LITELLM_LOCAL_MODEL_COST_MAP=True python scripts/snapshot_litellm_env.py

Writes `compiler/datumc/data/litellm_env.json`, so datumc can list in `.env.example` variables
a config needs but never names with `os.environ/NAME`. Callbacks and alerting: an AST walk of the
code each callback string dispatches to. Providers: `litellm.validate_environment` as an oracle.
OVERRIDES: cited verdicts for what the code can't show (each citation is checked on every run).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import os
import socket
import sys
import textwrap
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from unittest import mock

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.litellm_core_utils.custom_logger_registry import CustomLoggerRegistry
from litellm.proxy._types import AllCallbacks

OUT = Path(__file__).resolve().parent.parent / "compiler" / "datumc" / "data" / "litellm_env.json"
SITE = Path(litellm.__file__).resolve().parent.parent
READERS = {"getenv", "get_secret", "get_secret_str", "get_secret_bool"}
ENVIRON = {"os.environ", "environ", "env"}
RANK = {"unknown": 0, "optional": 1, "required": 2}
# Where callback implementations live; whatever else a dispatcher branch names is plumbing.
IMPL_ROOTS = ("litellm/integrations/", "litellm/proxy/hooks/", "litellm/proxy/guardrails/",
              "litellm_enterprise/enterprise_callbacks/")
BASE_FILES = {f"litellm/integrations/{f}.py" for f in (  # base classes, not the integration
    "custom_logger", "custom_guardrail", "custom_batch_logger", "custom_prompt_management",
    "prompt_management_base", "SlackAlerting/slack_alerting")}
# arize, logfire, langtrace, ... hand OpenTelemetry a config they build: its OTEL_* fallbacks
# belong to "otel" alone.
SHARED_FILES = {"litellm/integrations/opentelemetry.py": "otel",
                "litellm/integrations/opentelemetry_utils/gen_ai_semconv.py": "otel"}
EXTRA_FILES = {  # called by a branch but not importable here (sentry_sdk is not installed)
    "sentry": SITE / "litellm/litellm_core_utils/sentry_scrubbing.py"}
DISPATCHERS = (  # (module, function, variable compared with the callback string)
    ("litellm.litellm_core_utils.litellm_logging", "_init_custom_logger_compatible_class",
     "logging_integration"),
    ("litellm.litellm_core_utils.litellm_logging", "set_callbacks", "callback"),
    ("litellm.proxy.common_utils.callback_utils", "initialize_callbacks_on_proxy", "callback"))
# Read all over for unrelated reasons (links in messages, pod metadata, licensing).
NOISE = {"PROXY_BASE_URL", "HOSTNAME", "POD_NAME", "LITELLM_LOG", "LITELLM_LICENSE"}
SLACK = "litellm.integrations.SlackAlerting."
ALERTING: dict[str, str | list[str]] = {  # alerting value -> functions reading its env
    "slack": [SLACK + "slack_alerting:SlackAlerting.send_alert"],
    "ms_teams": [SLACK + "ms_teams:get_ms_teams_webhook_url"],
    "webhook": [SLACK + "slack_alerting:SlackAlerting.send_webhook_alert"],
    "email": ["litellm.proxy.utils:send_email", "litellm.proxy.utils:_get_email_logger_class"],
    "sentry": "sentry",  # proxy/utils.py:3213 alerting_handler uses the sentry callback's SDK
    "pagerduty": "pagerduty"}  # proxy_server.py:7402 inits known callback names listed there
L, CB, AL, PR, PX = "litellm/", "callbacks", "alerting", "providers", "proxy"
IN, EM = L + "integrations/", "litellm_enterprise/enterprise_callbacks/send_emails/"
REDIS = "litellm_settings.cache: true and cache_params without host/url (any Redis client)"
# (section, entry, ENV) -> (verdict, "file:line" naming ENV that proves it, condition or "").
OVERRIDES: dict[tuple[str, str, str], tuple[str, str, str]] = {
    # no fallback; the pair is the basic-auth credential of every ingestion request
    (CB, "langfuse", "LANGFUSE_PUBLIC_KEY"): ("required", IN + "langfuse/langfuse.py:249", ""),
    (CB, "langfuse", "LANGFUSE_SECRET_KEY"): ("required", IN + "langfuse/langfuse.py:248", ""),
    # only logs that the variable is no longer supported
    (CB, "langfuse", "UPSTREAM_LANGFUSE_SECRET_KEY"): ("drop", IN + "langfuse/langfuse.py:263", ""),
    # queued runs without an API key are skipped, never sent
    (CB, "langsmith", "LANGSMITH_API_KEY"): ("required", IN + "langsmith.py:454", ""),
    # sent as the auth header, no fallback
    (CB, "athina", "ATHINA_API_KEY"): ("required", IN + "athina.py:11", ""),
    (CB, "helicone", "HELICONE_API_KEY"): ("required", IN + "helicone.py:38", ""),
    (CB, "literalai", "LITERAL_API_KEY"): ("required", IN + "literal_ai.py:31", ""),
    (CB, "promptlayer", "PROMPTLAYER_API_KEY"): ("required", IN + "prompt_layer.py:16", ""),
    (CB, "greenscale", "GREENSCALE_API_KEY"): ("required", IN + "greenscale.py:13", ""),
    (CB, "agentops", "AGENTOPS_API_KEY"): ("required", IN + "agentops/agentops.py:25", ""),
    (CB, "resend_email", "RESEND_API_KEY"): ("required", EM + "resend_email.py:40", ""),
    # the log URL, no default
    (CB, "greenscale", "GREENSCALE_ENDPOINT"): ("required", IN + "greenscale.py:18", ""),
    # without a key prompt management silently falls back to the plain prompt (line 163)
    (CB, "humanloop", "HUMANLOOP_API_KEY"): ("required", IN + "humanloop.py:158", ""),
    # send_email raises "SENDGRID_API_KEY is not set" (line 50)
    (CB, "sendgrid_email", "SENDGRID_API_KEY"): ("required", EM + "sendgrid_email.py:35", ""),
    # "CloudZero configuration missing. Please set CLOUDZERO_API_KEY and CLOUDZERO_CONNECTION_ID"
    (CB, "cloudzero", "CLOUDZERO_API_KEY"): ("required", IN + "cloudzero/cloudzero.py:121", ""),
    (CB, "cloudzero", "CLOUDZERO_CONNECTION_ID"): ("required", IN + "cloudzero/cloudzero.py:121",
                                                   ""),
    # "GCS_BUCKET_NAME is not set in the environment, but GCS Bucket is being used ..."
    (CB, "gcs_bucket", "GCS_BUCKET_NAME"): ("required", IN + "gcs_bucket/gcs_bucket_base.py:164",
                                            ""),
    # health check: "ARIZE_SPACE_ID or ARIZE_SPACE_KEY ... not set", "ARIZE_API_KEY ... not set"
    (CB, "arize", "ARIZE_SPACE_ID"): ("required", IN + "arize/arize.py:271", "or ARIZE_SPACE_KEY"),
    (CB, "arize", "ARIZE_API_KEY"): ("required", IN + "arize/arize.py:277", ""),
    # raises only for the hosted Phoenix endpoint
    (CB, "arize_phoenix", "PHOENIX_API_KEY"): ("optional", IN + "arize/arize_phoenix.py:436",
                                               "required for Phoenix Cloud"),
    # the flush is skipped without a project; auth is an API key or username + password
    (CB, "galileo", "GALILEO_PROJECT_ID"): ("required", IN + "galileo.py:784", ""),
    (CB, "galileo", "GALILEO_API_KEY"): ("required", IN + "galileo.py:154",
                                         "or GALILEO_USERNAME + GALILEO_PASSWORD"),
    # "requires NEW_RELIC_LICENSE_KEY and NEW_RELIC_APP_NAME ... Integration will be disabled."
    (CB, "newrelic", "NEW_RELIC_LICENSE_KEY"): ("required", IN + "newrelic/newrelic.py:104", ""),
    (CB, "newrelic", "NEW_RELIC_APP_NAME"): ("required", IN + "newrelic/newrelic.py:105", ""),
    # raises without a key, but agent mode (LITELLM_DD_AGENT_HOST) needs none
    (CB, "datadog", "DD_API_KEY"): ("required", IN + "datadog/datadog.py:254",
                                    "unless LITELLM_DD_AGENT_HOST (agent mode)"),
    (CB, "datadog_llm_observability", "DD_API_KEY"): (
        "required", IN + "datadog/datadog_llm_obs.py:467", "unless LITELLM_DD_AGENT_HOST"),
    # sentry_sdk.init(dsn=None) sends nothing
    (CB, "sentry", "SENTRY_DSN"): ("required", str(EXTRA_FILES["sentry"].relative_to(SITE))
                                   + ":139", ""),
    # read as "OPIK_" + key.upper() (opik/utils.py:55); all have defaults or are cloud-only
    (CB, "opik", "OPIK_API_KEY"): ("optional", IN + "opik/opik.py:75", ""),
    (CB, "opik", "OPIK_WORKSPACE"): ("optional", IN + "opik/opik.py:78", ""),
    (CB, "opik", "OPIK_URL_OVERRIDE"): ("optional", IN + "opik/opik.py:69", ""),
    (CB, "opik", "OPIK_PROJECT_NAME"): ("optional", IN + "opik/opik.py:60", ""),
    # "MS Teams alerting is enabled but MS_TEAMS_WEBHOOK_URL is not set. Dropping alert"
    (AL, "ms_teams", "MS_TEAMS_WEBHOOK_URL"): (
        "required", IN + "SlackAlerting/slack_alerting.py:1587", ""),
    # raises without it unless general_settings.alert_to_webhook_url covers the alert type
    (AL, "slack", "SLACK_WEBHOOK_URL"): ("required", IN + "SlackAlerting/slack_alerting.py:1553",
                                         "or ALERTING_WEBHOOK_URL or alert_to_webhook_url"),
    # _get_email_logger_class (proxy/utils.py:368): SendGrid > Resend > SMTP
    (AL, "email", "SMTP_HOST"): ("required", L + "proxy/utils.py:388", "unless SendGrid/Resend"),
    (AL, "email", "SMTP_SENDER_EMAIL"): ("required", L + "proxy/utils.py:7195",
                                         "unless SendGrid/Resend"),
    # api_version falls back to litellm.AZURE_DEFAULT_API_VERSION
    (PR, "azure", "AZURE_API_VERSION"): ("optional", L + "main.py:1377", ""),
    # the key chain is AZURE_OPENAI_API_KEY or AZURE_API_KEY, else Entra ID token providers
    (PR, "azure", "AZURE_API_KEY"): ("required", L + "main.py:1385",
                                     "or AZURE_OPENAI_API_KEY or Entra ID (AZURE_AD_TOKEN, "
                                     "AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_SECRET)"),
    # api_base falls back to http://localhost:11434
    (PR, "ollama", "OLLAMA_API_BASE"): ("optional", L + "main.py:4486", ""),
    (PR, "ollama_chat", "OLLAMA_API_BASE"): ("optional", L + "main.py:4486", ""),
    # project falls back to the credentials' (vertex_llm_base.py:210), region to us-central1
    (PR, "vertex_ai", "VERTEXAI_PROJECT"): ("optional", L + "main.py:3717", ""),
    (PR, "vertex_ai", "VERTEXAI_LOCATION"): ("optional", L + "main.py:3723", ""),
    # startup refuses an unset master key (proxy_server.py:1445, master_key_boot_check.py:204)
    (PX, "", "LITELLM_MASTER_KEY"): ("required", L + "proxy/proxy_server.py:1399",
                                     "unless general_settings.master_key is set"),
    # get_salt_key falls back to the master key
    (PX, "", "LITELLM_SALT_KEY"): ("optional", L + "proxy/common_utils/encrypt_decrypt_utils.py:35",
                                   "with DATABASE_URL: encrypts stored credentials"),
    (PX, "", "DATABASE_URL"): ("optional", L + "proxy/proxy_server.py:1463",
                               "for virtual keys, spend tracking, the UI, STORE_MODEL_IN_DB"),
    (PX, "", "STORE_MODEL_IN_DB"): ("optional", L + "proxy/proxy_server.py:10999", ""),
    (PX, "", "UI_USERNAME"): ("optional", L + "proxy/auth/login_utils.py:134", ""),  # "admin"
    (PX, "", "UI_PASSWORD"): ("optional", L + "proxy/auth/login_utils.py:135", ""),  # master key
    # cache: true with no cache_params reads these; every RedisCache fills unset kwargs from
    # REDIS_<KWARG> (_redis.py:274 _redis_kwargs_from_environment)
    (PX, "", "REDIS_HOST"): ("optional", L + "proxy/proxy_server.py:6534", REDIS),
    (PX, "", "REDIS_PORT"): ("optional", L + "proxy/proxy_server.py:6535", REDIS),
    (PX, "", "REDIS_PASSWORD"): ("optional", L + "proxy/proxy_server.py:6545", REDIS),
    (PX, "", "REDIS_URL"): ("optional", L + "_redis.py:484", REDIS),
}
NOTE = ("Environment variables LiteLLM reads implicitly (never named in the config) for what a "
        "config enables. required: the integration fails without it; optional: read with a "
        "default; conditional: when it applies or what replaces it; alternatives (providers): "
        "names validate_environment accepts instead. From scripts/snapshot_litellm_env.py.")


def rel(path: str | Path) -> str:
    resolved = Path(path).resolve()
    return resolved.relative_to(SITE).as_posix() if resolved.is_relative_to(SITE) else ""


# --- environment reads in an AST -----------------------------------------------------------


def _env_arg(node: ast.AST) -> ast.expr | None:
    """The expression naming the variable, if `node` reads the environment."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        on_environ = isinstance(func, ast.Attribute) and ast.unparse(func.value) in ENVIRON
        return node.args[0] if name in READERS or (on_environ and name in {"get", "pop"}) else None
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return node.slice if ast.unparse(node.value) in ENVIRON else None
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
        return node.left if ast.unparse(node.comparators[0]) in ENVIRON else None
    return None


def _ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[ast.AST]:
    while node in parents:
        node = parents[node]
        yield node


def _raises(guard: ast.If, func: ast.AST) -> bool:
    """The `if` raises, or appends to a list (`missing_keys`) that another `if` raises on."""
    body = [n for stmt in guard.body for n in ast.walk(stmt)]
    lists = {ast.unparse(n.func.value) for n in body if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "append"}
    return any(isinstance(n, ast.Raise) for n in body) or any(
        isinstance(n, ast.If) and any(x in ast.unparse(n.test) for x in lists) and _raises(n, func)
        for n in ast.walk(func) if n is not guard and lists)


def _required(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """`if getenv("X") is None: raise`, or `x = [a or] getenv("X")` then `if not x: raise`."""
    chain = list(_ancestors(node, parents))
    func = next((a for a in chain if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef)),
                chain[-1] if chain else node)
    owner = next((a for a in chain if not isinstance(a, ast.BoolOp | ast.IfExp)), None)
    target = getattr(owner, "targets", [getattr(owner, "target", None)])[0]
    names = [ast.unparse(node)] + ([ast.unparse(target)] if target is not None else [])
    return any(any(f"{x} is None" in ast.unparse(n.test) or f"not {x}" in ast.unparse(n.test)
                   for x in names) and _raises(n, func)
               for n in ast.walk(func) if isinstance(n, ast.If))


def _hint(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    parent = parents.get(node)
    if isinstance(node, ast.Subscript):  # os.environ["X"], unless under `if ... "X" ...:`
        return "optional" if any(isinstance(a, ast.If) and ast.unparse(node.slice) in
                                 ast.unparse(a.test) for a in _ancestors(node, parents)) \
            else "required"
    if isinstance(node, ast.Compare):  # `if "X" not in os.environ: raise`
        raises = isinstance(parent, ast.If) and any(isinstance(s, ast.Raise) for s in parent.body)
        return "required" if isinstance(node.ops[0], ast.NotIn) and raises else "optional"
    assert isinstance(node, ast.Call)
    default = node.args[1:] or [k.value for k in node.keywords if "default" in (k.arg or "")]
    if any(not (isinstance(d, ast.Constant) and d.value is None) for d in default):
        return "optional"
    if isinstance(parent, ast.BoolOp):  # `getenv("X") or "default"`, or an alternative read
        first_env = next(v for v in parent.values if _env_arg(v) is not None)
        if _env_arg(parent.values[-1]) is None or first_env is not node:
            return "optional"
    return "required" if _required(node, parents) else "unknown"


def env_reads(tree: ast.AST, scope: Any) -> dict[str, str]:
    """{ENV: "required"|"optional"|"unknown"} for the environment reads under `tree`."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        arg = _env_arg(node)
        if isinstance(arg, ast.Constant | ast.Name):
            name = arg.value if isinstance(arg, ast.Constant) else scope.get(arg.id)
            if isinstance(name, str) and name.isupper() and name.isidentifier():
                _merge(found, {} if name in NOISE else {name: _hint(node, parents)})
    return found


def _merge(into: dict[str, str], new: dict[str, str]) -> None:
    for key, hint in new.items():
        into[key] = max(into.get(key, "unknown"), hint, key=RANK.__getitem__)


def _scope(tree: ast.Module) -> dict[str, object]:
    """A file's top-level constants (FOO_ENV = "FOO") and the names it imports."""
    scope: dict[str, object] = {}
    for node in tree.body:
        target = getattr(node, "targets", [getattr(node, "target", None)])[0]
        if isinstance(target, ast.Name) and isinstance(getattr(node, "value", None), ast.Constant):
            scope[target.id] = node.value.value  # type: ignore[attr-defined]
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            scope.update(_import_names(node))
    return scope


def _import_names(node: ast.ImportFrom) -> dict[str, object]:
    try:
        module = importlib.import_module(node.module or "")
    except ImportError:  # an SDK it needs is missing: read the module's constants statically
        path = SITE.joinpath(*(node.module or "").split(".")).with_suffix(".py")
        return _scope(_parse(path)) if path.is_file() else {}
    return {a.asname or a.name: getattr(module, a.name, None) for a in node.names}


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def file_reads(path: Path) -> dict[str, str]:
    tree = _parse(path)
    return env_reads(tree, _scope(tree))


def function_reads(spec: str) -> tuple[dict[str, str], str]:
    """Reads in one function named "module:Qual.name", and its file."""
    module_name, qualname = spec.split(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    return env_reads(tree, vars(importlib.import_module(module_name))), rel(inspect.getfile(obj))


# --- callbacks: the code each callback string runs ---------------------------------------------


def _impl_file(obj: object) -> Path | None:
    try:
        path = Path(inspect.getsourcefile(obj) or "")  # type: ignore[arg-type]
    except TypeError:
        return None
    name = rel(path)
    return path.resolve() if name.startswith(IMPL_ROOTS) and name not in BASE_FILES else None


def _package_closure(path: Path) -> list[Path]:
    """`path` and the modules of its own integration package it imports, transitively."""
    seen: list[Path] = []
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        package = current.parent
        if package.name in {"integrations", "hooks", "guardrails"}:
            continue  # single-file integrations stand alone
        for node in ast.walk(_parse(current)):
            if isinstance(node, ast.ImportFrom):
                base = package.parents[node.level - 2] if node.level > 1 else (
                    package if node.level else SITE)
                target = base.joinpath(*(node.module or "").split("."))
                todo += [t for t in [target.with_suffix(".py"),
                                     *(target / f"{a.name}.py" for a in node.names)]
                         if t.is_file() and t.parent == package]
    return seen


def implementation_files(objs: Iterable[object], callback: str) -> list[Path]:
    """Files of the classes/functions a callback uses and of their bases, primary first."""
    files: list[Path] = []
    for obj in objs:
        for path in filter(None, map(_impl_file, inspect.getmro(obj) if inspect.isclass(obj)
                                     else (obj,))):
            if SHARED_FILES.get(rel(path), callback) == callback:
                files += [f for f in _package_closure(path) if f not in files]
    return files + ([EXTRA_FILES[callback]] if callback in EXTRA_FILES else [])


def _branches(func: ast.AST, var: str) -> Iterator[tuple[str, ast.Module]]:
    """(callback string, body) for every `if var == "name":` in a dispatcher."""
    for node in (n for n in ast.walk(func) if isinstance(n, ast.If)):
        for test in ast.walk(node.test):
            if (isinstance(test, ast.Compare) and ast.unparse(test.left) == var
                    and isinstance(test.ops[0], ast.Eq)
                    and isinstance(test.comparators[0], ast.Constant)):
                yield str(test.comparators[0].value), ast.Module(body=node.body, type_ignores=[])


def callbacks() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {
        name: {"reads": {}, "objs": [cls], "dispatcher": ""}
        for name, cls in CustomLoggerRegistry.CALLBACK_CLASS_STR_TO_CLASS_TYPE.items()
        if name in litellm._known_custom_logger_compatible_callbacks}
    for module_name, func_name, var in DISPATCHERS:
        module = importlib.import_module(module_name)
        tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(module, func_name))))
        for name, body in _branches(tree, var):
            entry = found.setdefault(name, {"reads": {}, "objs": [], "dispatcher": ""})
            entry["dispatcher"] = entry["dispatcher"] or module.__file__
            scope = dict(vars(module))
            for node in (n for n in ast.walk(body) if isinstance(n, ast.ImportFrom)):
                scope.update(_import_names(node))
            _merge(entry["reads"], env_reads(body, scope))
            used = sorted({n.id for n in ast.walk(body) if isinstance(n, ast.Name)})
            entry["objs"] += [scope[n] for n in used if inspect.isclass(scope.get(n))
                              or inspect.isfunction(scope.get(n))]
    ui = {c.litellm_callback_name: c.litellm_callback_params for c in dict(AllCallbacks()).values()}
    out = {}
    for name, entry in sorted(found.items()):
        files = implementation_files(entry["objs"], name)
        for path in files:
            _merge(entry["reads"], file_reads(path))
        _merge(entry["reads"], dict.fromkeys(ui.get(name) or (), "optional"))  # UI form fields
        if entry["reads"] or files:  # else: a branch whose code is not installed
            out[name] = {"reads": entry["reads"], "source": rel(files[0] if files else
                                                                entry["dispatcher"])}
    return out


# --- alerting, providers --------------------------------------------------------------------


def alerting(finished_callbacks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, specs in ALERTING.items():
        if isinstance(specs, str):
            out[name] = finished_callbacks[specs]
            continue
        reads: dict[str, str] = {}
        for spec in specs:
            _merge(reads, function_reads(spec)[0])
        out[name] = _finish(AL, name, {"reads": reads, "source": function_reads(specs[0])[1]})
    return out


def _missing(provider: str, env: dict[str, str]) -> list[str]:
    os.environ.clear()
    os.environ.update(env)
    with mock.patch.object(litellm.utils, "get_llm_provider",
                           lambda model, **_: (model, provider, None, None)):
        return list(litellm.validate_environment(model=f"{provider}/x")["missing_keys"])


def _provider_optional(provider: str, keys: list[str], others: list[str]) -> dict[str, str]:
    """Names with the prefix of `keys` read in main.py and llms/<provider>/ (bases, versions,
    regions), except a longer provider's (AZURE_AI_* belongs to azure_ai)."""
    prefixes = tuple({k.split("_")[0] + "_" for k in keys})
    foreign = tuple(o.upper().replace("-", "_") + "_" for o in others if len(o) > len(provider))
    files = [SITE / "litellm/main.py", *sorted((SITE / "litellm/llms" / provider).rglob("*.py"))]
    names = {n for f in files for n in file_reads(f)}
    return {n: "optional" for n in names if n.startswith(prefixes) and not n.startswith(foreign)}


def providers() -> dict[str, dict[str, Any]]:
    """validate_environment per provider, with an empty environment, then with each name it
    checks set (which ones replace a missing key)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(litellm.validate_environment)))
    candidates = sorted(env_reads(tree, {}))
    names = sorted({getattr(p, "value", str(p)) for p in litellm.provider_list})
    out = {}
    with mock.patch.dict(os.environ, clear=True):
        for provider in names:
            missing = _missing(provider, {})
            alone = [k for k in missing if not _missing(provider, {k: "x"})]
            own = [k for k in alone if k.startswith(provider.upper() + "_")]
            required = (own or alone)[:1] or missing
            alternatives = {key: [c for c in candidates if c not in required and not _missing(
                provider, {**dict.fromkeys(set(required) - {key}, "x"), c: "x"})]
                for key in required}
            if required:
                out[provider] = {"reads": {**_provider_optional(provider, required, names),
                                           **dict.fromkeys(required, "required")},
                                 "alternatives": {k: v for k, v in alternatives.items() if v}}
    return out


# --- assembling ------------------------------------------------------------------------------


def _check_override(key: tuple[str, str, str], cite: str, data: dict[str, Any]) -> None:
    section, entry, env = key
    path, line = cite.rsplit(":", 1)
    text = (SITE / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    if env not in text and env.split("_", 1)[1].lower() not in text.lower():
        sys.exit(f"override {key} cites {cite}, which does not name it: {text.strip()}")
    if section != PX and entry not in data[section]:
        sys.exit(f"override {key}: LiteLLM {version('litellm')} has no {section} entry {entry}")


def _finish(section: str, name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Apply the overrides; reads still unknown are optional."""
    reads, conditional = dict(entry["reads"]), {}
    for (sec, entry_name, env), (verdict, _, condition) in OVERRIDES.items():
        if (sec, entry_name) == (section, name):
            reads[env] = verdict
            conditional.update({env: condition} if condition else {})
    out = {k: v for k, v in entry.items() if k != "reads" and v != {}}
    out["required"] = sorted(k for k, v in reads.items() if v == "required")
    out["optional"] = sorted(k for k, v in reads.items() if v in {"optional", "unknown"})
    return {**out, **({"conditional": conditional} if conditional else {})}


def build() -> dict[str, Any]:
    offline = OSError("snapshot_litellm_env runs offline")
    with mock.patch.object(socket.socket, "connect", side_effect=offline), \
            mock.patch.object(socket, "getaddrinfo", side_effect=offline):
        found = {n: _finish(CB, n, e) for n, e in callbacks().items()}
        data = {"litellm_version": version("litellm"), "note": NOTE, "callbacks": found,
                "alerting": alerting(found),
                "providers": {n: _finish(PR, n, e) for n, e in providers().items()},
                "proxy": _finish(PX, "", {"reads": {}})}
    for key, (_, cite, _) in OVERRIDES.items():
        _check_override(key, cite, data)
    return data


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main() -> None:
    data = build()
    OUT.write_text(render(data), encoding="utf-8")
    print(f"callbacks={len(data['callbacks'])} alerting={len(data['alerting'])} "
          f"providers={len(data['providers'])} -> {OUT}")


if __name__ == "__main__":
    main()
