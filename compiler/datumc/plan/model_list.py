"""model_list: one deployment per enabled datum, each value with its datum key."""

from __future__ import annotations

from typing import Any

from datumc.diagnostics import Code, Diagnostic, Severity
from datumc.load.positions import Key, KeyPath
from datumc.load.stack import Entry, Stack
from datumc.memo import IdentityMemo
from datumc.plan.cloud import cloud_origin, cloud_params
from datumc.plan.model import Origin, Origins
from datumc.plan.routing import ROUTING_PARAMS
from datumc.plan.sources import datum_origin
from datumc.validate.datum import AiModel
from datumc.validate.vocab import CAPABILITY_FLAGS, CAPABILITY_MODES, ENV_REF_PREFIX, Capability

OVERRIDE = Code("DC006", "generated-key-override", Severity.ERROR, """
[ai_model.parameters], [ai_model.metadata] or a pass-through section sets a key that
datumc derives from a dedicated field.

Why: two sources for one value is ambiguous; `parameters.api_key` would also put a
secret in the config.

Bad:
    [ai_model.parameters]
    api_key = "sk-..."

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"
""")

# litellm_params keys a datum's [ai_model.parameters] may never set.
RESERVED_PARAMS = ("model", "api_key", "api_base")
FIELD_PARAMS = {
    "credential": "litellm_credential_name",  # plan/credentials.py
    "api_version": "api_version",
    "rpm_limit": "rpm",
    "tpm_limit": "tpm",
    "timeout": "timeout",
    "stream_timeout": "stream_timeout",
    "max_retries": "max_retries",
    **ROUTING_PARAMS,  # plan/routing.py
}
# [ai_model.cost] field -> the litellm_params key LiteLLM reads the price from, in USD
# per token (the field is per million tokens).
COST_PARAMS = {
    "input_per_mtok": "input_cost_per_token",
    "output_per_mtok": "output_cost_per_token",
    "cache_read_per_mtok": "cache_read_input_token_cost",
    "cache_write_per_mtok": "cache_creation_input_token_cost",
}
PER_MTOK = 1e6
# litellm_params key -> the [ai_model] field it is planned from (the others come from
# [ai_model.parameters], key for key).
_PARAM_FIELDS = {"model": "litellm_model", "api_key": "api_key_env",
                 **{key: field for field, key in FIELD_PARAMS.items()}}
_COST_FIELDS = {key: field for field, key in COST_PARAMS.items()}
_INFO_FIELDS = {"max_input_tokens": "context_window", "access_groups": "access_groups",
                "base_model": "base_model"}


def per_token(per_mtok: float) -> float:
    """USD per million tokens -> USD per token, the unit LiteLLM reads."""
    return per_mtok / PER_MTOK


def env_ref(name: str) -> str:
    return f"{ENV_REF_PREFIX}{name}"


def plan_model_list(stack: Stack, origins: Origins) -> (
    tuple[list[dict[str, Any]], list[Diagnostic]]
):
    diags: list[Diagnostic] = []
    model_list = []
    for index, entry in enumerate(stack.enabled):
        at: KeyPath = ("model_list", index)
        deployment, found = _deployment(entry, at, origins)
        model_list.append(deployment)
        diags.extend(found)
    return model_list, diags


_Planned = tuple[dict[str, Any], tuple[Diagnostic, ...]]
# A deployment is a function of its datum alone: planned once while the same entry
# comes back (the language server re-plans every unchanged datum on each keystroke),
# and the same object each time, so what is worked out from it can be kept too. A
# planned deployment is never changed in place (plan_claude_code makes a new one).
_PLANNED: IdentityMemo[Entry, _Planned] = IdentityMemo()


def _deployment(entry: Entry, at: KeyPath, origins: Origins) -> tuple[dict[str, Any],
                                                                      list[Diagnostic]]:
    origins[at] = DeploymentOrigins(entry)
    out, diags = _PLANNED(entry, None, _plan_entry)
    return out, list(diags)


def _plan_entry(entry: Entry) -> _Planned:
    params, diags = _litellm_params(entry)
    info, found = _model_info(entry)
    out: dict[str, Any] = {"model_name": entry.datum.public_name, "litellm_params": params}
    if info:
        out["model_info"] = info
    return out, (*diags, *found)


class DeploymentOrigins:
    """Where each value of one planned deployment comes from in its datum, worked out
    only when a finding needs it (a planned config has thousands of values)."""

    __slots__ = ("entry",)

    def __init__(self, entry: Entry) -> None:
        self.entry = entry

    def __call__(self, rest: KeyPath) -> tuple[Origin, KeyPath]:
        entry, am = self.entry, self.entry.datum.ai_model
        head = rest[0] if rest else None
        key = rest[1] if len(rest) > 1 else None
        below: KeyPath = rest[2:]
        if head == "model_name":
            named_by = ("ai_model", "model_group") if am.model_group else ("b00t", "name")
            return datum_origin(entry, *named_by), ()
        if head == "litellm_params" and key is not None:
            if key == "api_base":
                field = "api_base" if am.api_base is not None else "api_base_env"
                return datum_origin(entry, "ai_model", field), ()
            if (cloud := cloud_origin(am, str(key))) is not None:  # plan/cloud.py
                return datum_origin(entry, "ai_model", *cloud), ()
            if key in _PARAM_FIELDS and key not in am.parameters:  # else a pass-through
                return datum_origin(entry, "ai_model", _PARAM_FIELDS[key]), ()
            if key in _COST_FIELDS and getattr(am.cost, _COST_FIELDS[key]) is not None:
                return datum_origin(entry, "ai_model", "cost", _COST_FIELDS[key]), ()
            return datum_origin(entry, "ai_model", "parameters", key, verbatim=True), below
        if head == "model_info" and key is not None:
            if key in _INFO_FIELDS:
                return datum_origin(entry, "ai_model", _INFO_FIELDS[key]), ()
            if key in am.metadata:
                return datum_origin(entry, "ai_model", "metadata", key, verbatim=True), below
            return datum_origin(entry, "ai_model", "capabilities"), ()
        table = {"litellm_params": ("ai_model",), "model_info": ("ai_model", "capabilities")}
        return datum_origin(entry, *table.get(str(head), ("b00t", "name"))), ()


def _litellm_params(entry: Entry) -> tuple[dict[str, Any], list[Diagnostic]]:
    am = entry.datum.ai_model
    params: dict[str, Any] = {"model": am.litellm_model}
    if am.api_base is not None:
        params["api_base"] = am.api_base
    elif am.api_base_env is not None:
        params["api_base"] = env_ref(am.api_base_env)
    if am.api_key_env is not None:
        params["api_key"] = env_ref(am.api_key_env)
    for field, key in FIELD_PARAMS.items():
        value = getattr(am, field)
        if value is not None:
            params[key] = value
    for field, key in COST_PARAMS.items():
        price = getattr(am.cost, field)
        if price is not None:
            params[key] = per_token(price)
    params.update(cloud_params(am))  # [ai_model.aws], .vertex, .azure: plan/cloud.py
    diags = []
    for key, value in am.parameters.items():
        if key in RESERVED_PARAMS or key in params:
            diags.append(_override(entry, ("ai_model", "parameters", key), key))
            continue
        params[key] = value
    return params, diags


def _override(entry: Entry, path: tuple[Key, ...], key: str) -> Diagnostic:
    field = {"model": "litellm_model", "api_key": "api_key_env", "api_base": "api_base"}.get(key)
    if field is None and key in _COST_FIELDS:
        field = f"cost.{_COST_FIELDS[key]}"
    if field is None and (cloud := cloud_origin(entry.datum.ai_model, key)) is not None:
        field = ".".join(cloud)
    if field is None:
        field = next((f for f, k in FIELD_PARAMS.items() if k == key), key)
    return entry.diag(
        OVERRIDE,
        OVERRIDE.severity,
        f"[ai_model.parameters] may not set '{key}'; it comes from [ai_model] {field}",
        *path,
        hint=f"remove it from [ai_model.parameters] and set [ai_model] {field} instead",
    )


def _model_info(entry: Entry) -> tuple[dict[str, Any], list[Diagnostic]]:
    info = _derived_info(entry.datum.ai_model)
    diags = []
    for key, value in entry.datum.ai_model.metadata.items():
        if key in info:
            diags.append(_metadata_override(entry, key))
            continue
        info[key] = value
    return info, diags


def _derived_info(am: AiModel) -> dict[str, Any]:
    info: dict[str, Any] = {}
    caps = set(am.capabilities)
    mode = next((m for c, m in CAPABILITY_MODES.items() if c in caps), None)
    if mode is not None:
        info["mode"] = mode
    for cap in Capability:
        flag = CAPABILITY_FLAGS.get(cap)
        if flag is not None and cap in caps:
            info[flag] = True
    if am.context_window is not None:
        info["max_input_tokens"] = am.context_window
    if am.access_groups:
        info["access_groups"] = list(am.access_groups)
    if am.base_model is not None:
        info["base_model"] = am.base_model
    return info


def _metadata_override(entry: Entry, key: str) -> Diagnostic:
    return entry.diag(
        OVERRIDE,
        OVERRIDE.severity,
        f"[ai_model.metadata] may not set '{key}'; datumc derives it",
        "ai_model", "metadata", key,
        hint="capabilities set mode and supports_*; context_window sets "
        "max_input_tokens; access_groups sets access_groups; base_model sets base_model",
    )
