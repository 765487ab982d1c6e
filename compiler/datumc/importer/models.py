"""model_list entries -> datum drafts: the inverse of litellm_config's deployment mapping.

litellm_params: model -> litellm_model; api_base / api_key -> api_base(_env) /
api_key_env; rpm, tpm, timeout, stream_timeout, max_retries, api_version,
litellm_credential_name (-> credential) -> fields;
input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
cache_creation_input_token_cost -> [ai_model.cost] (USD per million tokens); aws_* and
vertex_* -> [ai_model.aws] and [ai_model.vertex] (importer/cloud.py); everything else
-> [ai_model.parameters], in order. model_info: mode and true
supports_* flags -> capabilities; max_input_tokens -> context_window; access_groups;
base_model; everything else -> [ai_model.metadata]. A value that does not fit its field stays
where it was (parameters or metadata), so the built config means the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from datumc.diagnostics import Severity
from datumc.importer.cloud import CLOUD_FOR_PARAM, cloud_item
from datumc.importer.codes import GUESS, INVALID, LOSSY, PASSTHROUGH
from datumc.importer.context import Context, Path, dotted
from datumc.importer.fits import misfit
from datumc.importer.provider import hostname, infer_provider, model_prefix
from datumc.importer.secrets import env_base, env_ref_name, is_env_ref
from datumc.importer.values import MISSING, table_item, toml_value
from datumc.plan.model_list import COST_PARAMS, FIELD_PARAMS, PER_MTOK, per_token
from datumc.secrets.detect import secret_value
from datumc.validate.datum import AiModel, B00tHeader, Cost
from datumc.validate.vocab import CAPABILITY_FLAGS, CAPABILITY_MODES, Capability

FIELD_FOR_PARAM: Final = {param: name for name, param in FIELD_PARAMS.items()}
COST_FOR_PARAM: Final = {param: name for name, param in COST_PARAMS.items()}
CAPABILITY_FOR_FLAG: Final = {flag: cap for cap, flag in CAPABILITY_FLAGS.items()}
CAPABILITY_FOR_MODE: Final = {mode: cap for cap, mode in CAPABILITY_MODES.items()}
ENTRY_KEYS: Final = ("model_name", "litellm_params", "model_info")
_LOCAL_HOSTS: Final = frozenset({"localhost", "host.docker.internal", "host.containers.internal"})
_NEIGHBOURS: Final = 4  # floats either side of price * 1e6 tried when it does not divide back
_API_BASE_SUFFIXES: Final = ("_API_BASE", "_BASE_URL", "_API_URL", "_URL", "_BASE", "_HOST")


@dataclass
class Draft:
    """One deployment on its way to becoming a datum."""

    index: int
    public: str
    ai_model: dict[str, Any]
    line: int = 0
    # The included file the deployment comes from, and its index there ("": the config).
    file: str = ""
    file_index: int = 0
    name: str = ""
    group: bool = False
    aliases: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)


def convert_models(ctx: Context, model_list: Any) -> list[Draft]:
    drafts = []
    for index, entry in enumerate(model_list):
        draft = _entry(ctx, index, entry)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _invalid(ctx: Context, path: Path, message: str, hint: str = "", *,
             value: bool = False) -> None:
    ctx.report(INVALID, Severity.ERROR, message, path, hint, value=value)


def _entry(ctx: Context, index: int, entry: Any) -> Draft | None:
    path: Path = ("model_list", index)
    if not isinstance(entry, dict):
        _invalid(ctx, path, f"{dotted(path)} is not a mapping",
                 "each entry needs model_name and litellm_params")
        return None
    public = _model_name(ctx, path, entry)
    params = _params(ctx, path, entry)
    if public is None or params is None:
        return None
    model = params.get("model")
    if not isinstance(model, str) or not model:
        _invalid(ctx, (*path, "litellm_params"),
                 f"{dotted(path)}.litellm_params has no model (a non-empty string)",
                 'add e.g. model: "openai/gpt-4o" (provider prefix, then the model)')
        return None
    ai_model = _litellm_params(ctx, (*path, "litellm_params"), params, public)
    if "model_info" in entry:
        _model_info(ctx, (*path, "model_info"), entry["model_info"], ai_model)
    for key in entry:
        if key not in ENTRY_KEYS:
            ctx.report(LOSSY, Severity.WARNING,
                       f"{dotted(path)}.{key} is not part of a deployment datumc models; left out",
                       (*path, key), hint="LiteLLM reads model_name, litellm_params and "
                       "model_info; move it into one of them")
    doc, source = ctx.located(path)
    file, file_index = ("", index) if doc is ctx.doc else (doc.display, source[1])
    return Draft(index, public, ai_model, line=ctx.line(path), file=file,
                 file_index=int(file_index))


def _model_name(ctx: Context, path: Path, entry: dict[str, Any]) -> str | None:
    if "model_name" not in entry:
        _invalid(ctx, path, f"{dotted(path)} has no model_name",
                 "add the public name clients ask for, e.g. model_name: gpt-4o")
        return None
    name = entry["model_name"]
    problem = misfit(B00tHeader, "name", name)
    if problem is not None:
        shown = repr(name) if isinstance(name, str) else f"the {type(name).__name__} {name!r}"
        _invalid(ctx, (*path, "model_name"),
                 f"model_name {shown[:60]} cannot be a datum name: {problem.lower()}",
                 "use a string without leading/trailing spaces or control characters "
                 "(quote it if YAML reads it as a number)", value=True)
        return None
    assert isinstance(name, str)
    return name


def _params(ctx: Context, path: Path, entry: dict[str, Any]) -> dict[str, Any] | None:
    params = entry.get("litellm_params")
    if not isinstance(params, dict):
        if params is None:
            _invalid(ctx, path, f"{dotted(path)} has no litellm_params",
                     "add litellm_params with at least model (and api_key / api_base)")
        else:
            _invalid(ctx, (*path, "litellm_params"),
                     f"{dotted(path)}.litellm_params is not a mapping",
                     "litellm_params holds model, api_key, api_base, ...", value=True)
        return None
    return params


# -- litellm_params ------------------------------------------------------------------


def _litellm_params(ctx: Context, path: Path, params: dict[str, Any], public: str) -> (
    dict[str, Any]
):
    model: str = params["model"]
    api_base = params.get("api_base")
    provider, guess = infer_provider(model, api_base=api_base)
    if guess is not None:
        ctx.report(GUESS, Severity.INFO, f"provider set to '{provider}': {guess}",
                   (*path, "model"), hint="check [ai_model] provider in the datum")
    out: dict[str, Any] = {"provider": provider, "litellm_model": model}
    parameters: dict[str, Any] = {}
    cost: dict[str, Any] = {}
    for key, value in params.items():
        child = (*path, key)
        if key == "model":
            continue
        if key in COST_FOR_PARAM and (per_mtok := _per_mtok(value)) is not None:
            cost[COST_FOR_PARAM[key]] = per_mtok
            continue
        if key in CLOUD_FOR_PARAM and cloud_item(ctx, child, key, value, out):
            continue  # [ai_model.aws], [ai_model.vertex]: importer/cloud.py
        if key == "api_base":
            _api_base(ctx, child, value, out, public)
        elif key == "api_key":
            _api_key(ctx, child, value, out, _key_base(model, api_base, public))
        elif key in FIELD_FOR_PARAM:
            _field(ctx, child, FIELD_FOR_PARAM[key], value, out, parameters)
        else:
            converted = table_item(ctx, key, value, path)
            if converted is not MISSING:
                parameters[key] = converted
    if parameters:
        out["parameters"] = parameters
    if cost:
        out["cost"] = cost
    return out


def _per_mtok(value: Any) -> float | None:
    """A per-token price as USD per million tokens, when the build writes it back as the
    very same number; None keeps it in [ai_model.parameters] as it is.

    The decimal shift of the written number comes first (1.5e-07 -> 0.15), then the
    float product and its neighbours: one of them divides back exactly unless no float
    does (then the value stays a parameter)."""
    if not isinstance(value, float) or not math.isfinite(value):  # an int stays: 0, not 0.0
        return None
    candidates = [float(Decimal(repr(value)).scaleb(6))]
    product = value * PER_MTOK
    candidates.append(product)
    below = above = product
    for _ in range(_NEIGHBOURS):
        below, above = math.nextafter(below, -math.inf), math.nextafter(above, math.inf)
        candidates += [below, above]
    for per_mtok in candidates:
        if misfit(Cost, "input_per_mtok", per_mtok) is None and per_token(per_mtok) == value:
            return per_mtok
    return None


def _api_base(ctx: Context, path: Path, value: Any, out: dict[str, Any], public: str) -> None:
    name = env_ref_name(value)
    if name is not None:
        out["api_base_env"] = name
    elif value is None:
        toml_value(ctx, value, path)
    elif isinstance(value, str) and secret_value(value):
        out["api_base_env"] = ctx.secret(path, value, f"{env_base(public) or 'MODEL'}_API_BASE",
                                         what="api_base with credentials")
    elif isinstance(value, str) and misfit(AiModel, "api_base", value) is None:
        out["api_base"] = value
    else:
        _invalid(ctx, path, f"{dotted(path)} must be a URL string (at most 16 KiB)",
                 "write the endpoint URL, or os.environ/NAME")


def _api_key(ctx: Context, path: Path, value: Any, out: dict[str, Any], base: str) -> None:
    name = env_ref_name(value)
    if name is not None:
        out["api_key_env"] = name
    elif value is None:
        toml_value(ctx, value, path)
    else:
        what = "api_key reference (not a valid env var name)" if is_env_ref(value) else "api_key"
        out["api_key_env"] = ctx.secret(path, value, f"{base}_API_KEY", what=what)


def _key_base(model: str, api_base: Any, public: str) -> str:
    """Stem of the env var for a hardcoded api_key: the host, the env base, or the provider."""
    name = env_ref_name(api_base)
    if name is not None:
        for suffix in _API_BASE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
        return name
    if isinstance(api_base, str):
        host = hostname(api_base)
        if _local(host):
            return "LOCAL"
        label = env_base(host.split(".")[0])
        if label:
            return label
    prefix = None if api_base is not None or is_env_ref(model) else model_prefix(model)
    return env_base(prefix or public) or "MODEL"


def _local(host: str) -> bool:
    """A host that names no one in particular: loopback, an IP, the container host."""
    return host in _LOCAL_HOSTS or host.replace(".", "").isdigit() or ":" in host


def _field(ctx: Context, path: Path, name: str, value: Any, out: dict[str, Any],
           parameters: dict[str, Any]) -> None:
    if value is None:
        toml_value(ctx, value, path)
        return
    problem = misfit(AiModel, name, value)
    if problem is None:
        out[name] = value
        return
    converted = toml_value(ctx, value, path)
    if converted is MISSING:
        return
    parameters[str(path[-1])] = converted
    ctx.report(PASSTHROUGH, Severity.INFO,
               f"{dotted(path)} kept as-is in [ai_model.parameters]: it is not a valid "
               f"{name} ({problem})", path, value=True,
               hint=f"fix the value in the source so datumc can check it as [ai_model] {name}")


# -- model_info ----------------------------------------------------------------------


def _model_info(ctx: Context, path: Path, info: Any, out: dict[str, Any]) -> None:
    if info is None:
        toml_value(ctx, info, path)
        return
    if not isinstance(info, dict):
        _invalid(ctx, path, f"{dotted(path)} is not a mapping",
                 "model_info holds keys like mode, supports_vision, max_input_tokens",
                 value=True)
        return
    capabilities: set[Capability] = set()
    metadata: dict[str, Any] = {}
    for key, value in info.items():
        if not _structured(key, value, capabilities, out):
            converted = table_item(ctx, key, value, path)
            if converted is not MISSING:
                metadata[key] = converted
    if capabilities:
        out["capabilities"] = [str(c) for c in Capability if c in capabilities]
    if metadata:
        out["metadata"] = metadata


def _structured(key: str, value: Any, capabilities: set[Capability], out: dict[str, Any]) -> (
    bool
):
    """Map one model_info key onto a datum field; False leaves it for [ai_model.metadata]."""
    if key == "mode" and isinstance(value, str) and value in CAPABILITY_FOR_MODE:
        capabilities.add(CAPABILITY_FOR_MODE[value])
        return True
    if key in CAPABILITY_FOR_FLAG and value is True:
        capabilities.add(CAPABILITY_FOR_FLAG[key])
        return True
    if key == "max_input_tokens" and misfit(AiModel, "context_window", value) is None:
        out["context_window"] = value
        return True
    if key == "access_groups" and misfit(AiModel, "access_groups", value) is None:
        out["access_groups"] = value
        return True
    if key == "base_model" and misfit(AiModel, "base_model", value) is None:
        out["base_model"] = value
        return True
    return False
