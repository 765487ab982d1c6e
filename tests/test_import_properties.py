"""Properties of import and build together.

(a) Build is a fixpoint of import: for a random valid set of datums, build -> import ->
    build gives config.yaml byte for byte.
(b) A random LiteLLM config made of known keys, imported and built, is semantically
    equal to itself (datumc.importer.compare).

The datum strategy leaves out one kind of datum on purpose: pass-through tables
([ai_model.parameters], [ai_model.metadata], [router], [litellm_settings],
[general_settings]) that set a key datumc has a dedicated field for (parameters.rpm,
metadata.supports_vision, ...). The build accepts them, but the import maps such a key
back onto its field, so the rebuilt config has the same content with that key in its
canonical place. Secrets are left out too: a datum holds none. Datums with TOML dates
are compared semantically on the first round trip (the build writes dates as strings)
and byte for byte from the second.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from datumc.data import vocab
from datumc.importer.compare import compare_configs
from datumc.importer.fits import misfit
from datumc.importer.plan import ImportResult, import_text
from datumc.pipeline import compile_project
from datumc.plan.cloud import CLOUD_PARAMS
from datumc.plan.model import OWN_SECTIONS
from datumc.plan.model_list import COST_PARAMS, FIELD_PARAMS, RESERVED_PARAMS
from datumc.plan.router import ENFORCE_LIMITS, ROUTER_OWN
from datumc.plan.routing import FALLBACK_KINDS
from datumc.secrets.detect import is_secret_name as secret_key
from datumc.secrets.detect import secret_value
from datumc.validate.datum import RETRY_KEYS, AiModel
from datumc.validate.project import RouterSection
from datumc.validate.vocab import B00T_PROVIDER_PREFIX, CAPABILITY_FLAGS, Capability

# DATUMC_PROPERTY_EXAMPLES=2000 for a long local run; CI keeps the suite fast.
SETTINGS = settings(max_examples=int(os.environ.get("DATUMC_PROPERTY_EXAMPLES", "60")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- building blocks ------------------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
tricky = st.sampled_from(["yes", "null", "1e5", "0x1f", "- x", "a: b", "#x", "{{ x }}", "'",
                          '"', "\\", "\n", "\u2028", "😀", "os.environ/X", "2024-01-02", ""])
strings = st.one_of(text, tricky).filter(lambda s: not secret_value(s))
names = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=16),
    st.sampled_from(["gpt-4o", "a/b", "*", "..", "with space", "模型", "default"]),
).map(str.strip).filter(lambda s: bool(s) and s == s.strip())
env_names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
positive = st.integers(1, 10**9)
seconds = st.one_of(st.integers(1, 10**6), st.floats(0.001, 1e6, allow_nan=False))
yaml_scalars = st.one_of(strings, st.integers(-(2**63), 2**63 - 1), st.booleans(),
                         st.floats(allow_nan=False))
# TOML dates are fine in datums (the build writes them as strings); a date in a YAML
# config is a reported lossy conversion, so configs in (b) hold none.
scalars = st.one_of(yaml_scalars, st.dates())


def keys(*excluded: str) -> st.SearchStrategy[str]:
    return text.filter(lambda k: k not in excluded and not secret_key(k))


def tables(*excluded: str, leaves: st.SearchStrategy[Any] = scalars) -> (
    st.SearchStrategy[dict[str, Any]]
):
    values = st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner.filter(_not_a_ref), max_size=3),
        st.dictionaries(keys(), inner, max_size=3)), max_leaves=6)
    return st.dictionaries(keys(*excluded), values, max_size=4)


def _not_a_ref(value: Any) -> bool:
    """LiteLLM does not resolve os.environ/ inside lists; lint rejects such a datum."""
    return not (isinstance(value, str) and value.startswith("os.environ/"))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _compact(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v is not None and v != [] and v != {}}


# -- (a) datums -----------------------------------------------------------------------------

PARAM_EXCLUDED = (*RESERVED_PARAMS, *FIELD_PARAMS.values(), *COST_PARAMS.values(),
                  *(key for table in CLOUD_PARAMS.values() for key in table.values()))
regions = st.sampled_from(["us-east-1", "eu-west-4", "europe-west4", "global"])
gcp_projects = st.sampled_from(["acme-prod", "p-123", "模型"])
METADATA_EXCLUDED = ("mode", "max_input_tokens", "access_groups", "base_model",
                     *CAPABILITY_FLAGS.values())
# USD per million tokens: whole and fractional prices, tiny and huge ones.
prices = st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False),
                   st.sampled_from([0.15, 0.3, 2.5, 3.75, 0.075, 1e-9, 1e12]))
# USD per token as a LiteLLM config writes it.
token_prices = st.one_of(st.floats(0, 1, allow_nan=False),
                         st.sampled_from([1.5e-07, 3e-06, 2.5e-06, 6e-07, 0.0, 1e-12]))


@st.composite
def ai_models(draw: st.DrawFn, pool: list[str]) -> dict[str, Any]:
    provider = draw(st.sampled_from(sorted(B00T_PROVIDER_PREFIX)))
    base = draw(st.sampled_from(["none", "url", "env"]))
    return _compact({
        "provider": provider,
        "litellm_model": f"{B00T_PROVIDER_PREFIX[provider]}/{draw(names)}",
        "capabilities": draw(st.lists(st.sampled_from(list(Capability)), unique=True)),
        "api_base": draw(strings.filter(bool)) if base == "url" else None,
        "api_base_env": draw(env_names) if base == "env" else None,
        "api_key_env": draw(optional(env_names)),
        "api_version": draw(optional(strings)),
        "rpm_limit": draw(optional(positive)),
        "tpm_limit": draw(optional(positive)),
        "timeout": draw(optional(seconds)),
        "stream_timeout": draw(optional(seconds)),
        "max_retries": draw(optional(st.integers(0, 10))),
        "context_window": draw(optional(positive)),
        "base_model": draw(optional(st.sampled_from(["gpt-4o", "azure/gpt-4o-mini"]))),
        "access_groups": draw(st.lists(names, max_size=2)),
        "fallbacks": draw(st.lists(st.sampled_from(pool), max_size=3)),
        "cost": _compact({field: draw(optional(prices)) for field in COST_PARAMS}),
        "aws": _compact({"region": draw(optional(regions)),
                         **{f: draw(optional(env_names)) for f in CLOUD_PARAMS["aws"]
                            if f.endswith("_env")}}),
        "vertex": _compact({"project": draw(optional(gcp_projects)),
                            "location": draw(optional(regions)),
                            "credentials_env": draw(optional(env_names))}),
        "model_group": draw(optional(st.sampled_from(pool))),
        **draw(routing_fields(pool)),
        "parameters": draw(tables(*PARAM_EXCLUDED)),
        "metadata": draw(tables(*METADATA_EXCLUDED)),
    })


def retry_tables(keys: Any) -> st.SearchStrategy[dict[str, int]]:
    """A retry policy: some of `keys` (datumc's names, or LiteLLM's), each 0-100."""
    return st.dictionaries(st.sampled_from(list(keys)), st.integers(0, 100), max_size=3)


@st.composite
def routing_fields(draw: st.DrawFn, pool: list[str]) -> dict[str, Any]:
    """[ai_model] routing: tags, weight, order, max_parallel_requests, the two extra
    fallback kinds and [ai_model.retry]."""
    return {
        "tags": draw(optional(st.lists(names, max_size=3))),
        "weight": draw(optional(positive)),
        "order": draw(optional(st.integers(1, 5))),
        "max_parallel_requests": draw(optional(positive)),
        **{kind: draw(st.lists(st.sampled_from(pool), max_size=2))
           for kind in FALLBACK_KINDS[1:]},
        "retry": draw(retry_tables(RETRY_KEYS)),
    }


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    router_keys = (*RouterSection.model_fields, *ROUTER_OWN, "fallbacks", "model_group_alias",
                   "redis_host", "redis_port", "redis_password")
    cache = draw(st.sampled_from([None, "local", "redis"]))
    return _compact({
        "proxy": _compact({"master_key_env": draw(optional(env_names)),
                           "database_url_env": draw(optional(env_names))}),
        "router": _compact({
            "routing_strategy": draw(optional(st.sampled_from(vocab().routing_strategies))),
            "num_retries": draw(optional(st.integers(0, 10))),
            "timeout": draw(optional(seconds)),
            "allowed_fails": draw(optional(st.integers(0, 10))),
            "cooldown_time": draw(optional(st.integers(0, 100))),
            "redis": draw(st.booleans()) or None,
            "redis_host_env": draw(optional(env_names)),
            "enable_tag_filtering": draw(optional(st.booleans())),
            "retry_policy": draw(optional(retry_tables(RETRY_KEYS))),
            **draw(tables(*router_keys)),
        }),
        "cache": _compact({"type": cache, "ttl": draw(optional(positive))}) if cache else None,
        "litellm_settings": draw(tables("cache", "cache_params", *FALLBACK_KINDS)),
        "general_settings": draw(tables("master_key", "database_url")),
        "extra_sections": draw(tables(*OWN_SECTIONS)),
    })


@st.composite
def stacks(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    pool = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    datums = []
    for name in pool:
        datums.append({
            "b00t": _compact({"name": name, "type": "ai_model",
                              "aliases": draw(st.lists(names, max_size=2))}),
            "ai_model": draw(ai_models(pool)),
        })
    return datums, draw(projects())


def _write_stack(root: Path, datums: list[dict[str, Any]], project: dict[str, Any]) -> None:
    (root / "datums").mkdir(parents=True)
    for index, table in enumerate(datums):
        (root / "datums" / f"d{index:02d}.ai_model.toml").write_text(tomli_w.dumps(table))
    (root / "datumc.toml").write_text(tomli_w.dumps(project))


def _write_import(root: Path, result: ImportResult) -> None:
    for output in result.outputs:
        path = root / output.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.content)


def _config_yaml(root: Path) -> bytes | None:
    """config.yaml as `datumc build` run in `root` renders it; None when the build fails."""
    return _build(root)[0]


def _build(root: Path) -> tuple[bytes | None, list[str]]:
    """(config.yaml or None, the codes of the errors that stopped the build)."""
    with contextlib.chdir(root):
        result = compile_project(Path())
    if not result.ok:
        return None, [d.code for d in result.diagnostics if d.severity == "error"]
    config = next(o.content for o in result.outputs if o.relpath == "litellm/config.yaml")
    return config, []


@SETTINGS
@given(stack=stacks())
def test_build_is_a_fixpoint_of_import(stack: tuple[list[dict[str, Any]], dict[str, Any]]) -> (
    None
):
    datums, project = stack
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp, "first"), Path(tmp, "second")
        _write_stack(first, datums, project)
        built = _config_yaml(first)
        assume(built is not None)  # only valid datum sets (lint errors are rejected)
        assert built is not None
        result = import_text(built.decode(), "config.yaml")
        assert result.ok, [str(d) for d in result.diagnostics]
        unexpected = [d for d in result.diagnostics if d.code in ("DC032", "DC033", "DC035")
                      or (d.code == "DC034" and "top-level" not in d.message)]
        assert not unexpected, [d.message for d in unexpected]
        _write_import(second, result)
        rebuilt = _config_yaml(second)
        assert rebuilt is not None
        if not _has_dates(stack):
            assert rebuilt == built
            return
        # The build writes TOML dates as YAML strings, so they come back as strings. A
        # string renders two characters longer in TOML, which can tip tomli-w from an
        # inline table to a [[table]] and so move keys; the content stays the same, and
        # from the first round trip on the bytes are a fixpoint.
        assert compare_configs(yaml.safe_load(built), yaml.safe_load(rebuilt)).equal
        again = import_text(rebuilt.decode(), "config.yaml")
        third = Path(tmp, "third")
        _write_import(third, again)
        assert _config_yaml(third) == rebuilt


def _has_dates(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_dates(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_dates(v) for v in value)
    return isinstance(value, dt.date)


# -- (b) LiteLLM configs ------------------------------------------------------------------------

MODES = ["chat", "embedding", "rerank", "image_generation", "audio_transcription"]
STRATEGIES = ["simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing-v2"]
PREFIXES = sorted(vocab().providers)


def env_refs() -> st.SearchStrategy[str]:
    return env_names.map(lambda n: f"os.environ/{n}")


@st.composite
def deployments(draw: st.DrawFn, pool: list[str]) -> dict[str, Any]:
    model = draw(st.one_of(
        st.builds(lambda p, m: f"{p}/{m}", st.sampled_from(PREFIXES), names),
        st.sampled_from(["gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "*"]),
        env_refs(),
    ))
    params = _compact({
        "model": model,
        "api_key": draw(optional(env_refs())),
        "api_base": draw(optional(st.one_of(env_refs(), st.just("http://llm.lan:8000/v1")))),
        "api_version": draw(optional(st.one_of(strings, env_refs()))),
        "rpm": draw(optional(st.one_of(positive, st.just(0), st.just("60")))),
        "tpm": draw(optional(positive)),
        "timeout": draw(optional(st.one_of(seconds, st.just(0)))),
        "stream_timeout": draw(optional(seconds)),
        "max_retries": draw(optional(st.integers(-1, 5))),
        "max_tokens": draw(optional(positive)),
        "temperature": draw(optional(st.floats(0, 2))),
        "drop_params": draw(optional(st.booleans())),
        "extra_body": draw(optional(tables(leaves=yaml_scalars))),
        **{key: draw(optional(token_prices)) for key in COST_PARAMS.values()},
        "aws_region_name": draw(optional(st.one_of(regions, env_refs(), positive))),
        "aws_secret_access_key": draw(optional(env_refs())),
        "vertex_project": draw(optional(st.one_of(gcp_projects, env_refs()))),
        "vertex_credentials": draw(optional(st.one_of(env_refs(), st.just("/secrets/a.json")))),
        "tags": draw(optional(st.lists(names, max_size=2))),
        "weight": draw(optional(st.one_of(positive, st.just(0), st.just(0.5)))),
        "order": draw(optional(st.integers(0, 3))),
        "max_parallel_requests": draw(optional(positive)),
    })
    info = _compact({
        "mode": draw(optional(st.sampled_from(MODES))),
        **{flag: draw(optional(st.booleans())) for flag in CAPABILITY_FLAGS.values()},
        "max_input_tokens": draw(optional(st.one_of(positive, st.just("128k")))),
        "access_groups": draw(st.lists(names, max_size=2)),
        "base_model": draw(optional(st.sampled_from(["gpt-4o", "claude-3-5-sonnet"]))),
        "description": draw(optional(strings)),
    })
    entry = {"model_name": draw(st.sampled_from(pool)), "litellm_params": params}
    if info or draw(st.booleans()):
        entry["model_info"] = info
    return entry


@st.composite
def litellm_configs(draw: st.DrawFn) -> dict[str, Any]:
    pool = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    targets = st.sampled_from([*pool, "unknown-model", "*"])
    fallbacks = st.lists(st.dictionaries(targets, st.lists(targets, max_size=3),
                                         min_size=1, max_size=1), max_size=3)
    aliases = st.dictionaries(st.one_of(names, st.just(pool[0])), targets, max_size=2)
    redis = st.sampled_from([
        {}, {"redis_host": "os.environ/REDIS_HOST", "redis_port": "os.environ/REDIS_PORT",
             "redis_password": "os.environ/REDIS_PASSWORD"},
        {"redis_host": "redis", "redis_port": 6379},
    ])
    cache = st.sampled_from([
        {}, {"cache": True, "cache_params": {"type": "local", "ttl": 300}},
        {"cache": True, "cache_params": {"type": "redis", "host": "os.environ/RH",
                                         "port": "os.environ/RP", "password": "os.environ/RPW"}},
        {"cache": True}, {"cache": False},
        {"cache": True, "cache_params": {"type": "redis-semantic", "similarity_threshold": 0.8}},
    ])
    config: dict[str, Any] = {
        "model_list": draw(st.lists(deployments(pool), min_size=1, max_size=6)),
        "router_settings": _compact({
            "routing_strategy": draw(optional(st.sampled_from(STRATEGIES))),
            "num_retries": draw(optional(st.integers(0, 5))),
            "timeout": draw(optional(seconds)),
            "allowed_fails": draw(optional(st.integers(0, 5))),
            "cooldown_time": draw(optional(st.integers(0, 60))),
            "retry_after": draw(optional(st.integers(0, 10))),
            "fallbacks": draw(fallbacks),
            "context_window_fallbacks": draw(fallbacks),
            "model_group_alias": draw(aliases),
            "enable_tag_filtering": draw(optional(st.booleans())),
            "retry_policy": draw(optional(retry_tables(RETRY_KEYS.values()))),
            "model_group_retry_policy": draw(st.dictionaries(
                st.sampled_from([*pool, "unknown-model"]), retry_tables(RETRY_KEYS.values()),
                max_size=2)),
            **draw(redis),
        }),
        "litellm_settings": _compact({
            "drop_params": draw(optional(st.booleans())),
            "request_timeout": draw(optional(positive)),
            "success_callback": draw(st.lists(st.sampled_from(["prometheus", "langfuse"]))),
            "fallbacks": draw(fallbacks),
            "content_policy_fallbacks": draw(fallbacks),
            **draw(cache),
        }),
        "general_settings": _compact({
            "master_key": draw(optional(env_refs())),
            "database_url": draw(optional(env_refs())),
            "store_model_in_db": draw(optional(st.booleans())),
        }),
        "files_settings": draw(optional(st.lists(tables(leaves=yaml_scalars), max_size=2))),
    }
    return _compact(config)


@SETTINGS
@given(config=litellm_configs())
def test_known_keys_round_trip_semantically(config: dict[str, Any]) -> None:
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    original = yaml.safe_load(text)
    result = import_text(text, "config.yaml")
    assert result.ok, [str(d) for d in result.diagnostics]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_import(root, result)
        built, errors = _build(root)
    # Lint refuses some sources (a value LiteLLM would misread); the datums themselves
    # must always be valid: no loader or schema error (DC0xx) is acceptable.
    assert not [code for code in errors if code.startswith("DC0")], errors
    assume(built is not None)
    assert built is not None
    verdict = compare_configs(_with_enforced_limits(original), yaml.safe_load(built))
    assert verdict.equal, verdict.describe()


def _with_enforced_limits(config: dict[str, Any]) -> dict[str, Any]:
    """The config as datumc means it: a valid rpm/tpm is enforced (the build adds the
    pre-call check without which LiteLLM uses them only as routing weights)."""
    limited = any(
        key in params and misfit(AiModel, name, params[key]) is None
        for entry in config["model_list"]
        for params in [entry["litellm_params"]]
        for key, name in (("rpm", "rpm_limit"), ("tpm", "tpm_limit"))
    )
    if not limited:
        return config
    out = copy.deepcopy(config)
    router = out.setdefault("router_settings", {})
    given = router.get("optional_pre_call_checks")
    checks = [given] if isinstance(given, str) else list(given or [])
    if ENFORCE_LIMITS not in checks:
        router["optional_pre_call_checks"] = [*checks, ENFORCE_LIMITS]
    return out


# -- robustness -------------------------------------------------------------------------------

yaml_values = st.recursive(
    st.one_of(st.none(), yaml_scalars, st.dates(), st.datetimes()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(strings, st.integers(), st.booleans()), inner, max_size=4),
    ),
    max_leaves=20,
)
known_keys = st.sampled_from([
    "model_list", "model_name", "litellm_params", "model_info", "model", "api_key", "api_base",
    "rpm", "timeout", "mode", "supports_vision", "router_settings", "litellm_settings",
    "general_settings", "fallbacks", "model_group_alias", "cache", "cache_params", "type",
    "master_key", "database_url", "environment_variables", "include", "redis_host",
])
shaped = st.recursive(
    st.one_of(st.none(), yaml_scalars, env_refs(), st.sampled_from(
        ["http://[::1", "http://x:8000/v1", "openai/x", "*", "os.environ/bad-name", "sk-1234"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(known_keys, inner, max_size=5)),
    max_leaves=25,
)


@SETTINGS
@given(document=st.one_of(yaml_values, shaped,
                          st.dictionaries(known_keys, shaped, max_size=5)))
def test_import_never_crashes_on_any_yaml_data(document: Any) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    result = import_text(text, "config.yaml")
    assert result.ok or any(d.severity == "error" for d in result.diagnostics)
    for diag in result.diagnostics:
        assert diag.path == "config.yaml" and diag.line >= 0


@SETTINGS
@given(text=st.text(max_size=200))
def test_import_never_crashes_on_any_text(text: str) -> None:
    result = import_text(text, "config.yaml")
    assert result.ok or result.diagnostics
