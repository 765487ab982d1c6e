"""`datumc import`: what maps where, what is kept verbatim, secrets, file safety, bad input."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

from datumc.importer.compare import compare_configs
from datumc.importer.names import file_names, slug
from datumc.importer.plan import import_text
from datumc.importer.secrets import mask
from datumc.secrets.detect import sensitive as looks_secret
from tests.conftest import run_cli, run_datumc
from tests.helpers.importing import import_config, round_trip, write_config


def _config(tmp_path: Path, *parts: str) -> Path:
    """config.yaml from text parts, each dedented on its own."""
    return write_config(tmp_path / "config.yaml", "".join(textwrap.dedent(p) for p in parts))


def _codes(stderr: str) -> list[str]:
    return [word for line in stderr.splitlines() for word in line.split() if word[:2] == "DC"]


RICH = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: 60
      tpm: 100000
      timeout: 30
      stream_timeout: 60.5
      max_retries: 2
      max_tokens: 4096
      temperature: 0.2
      extra_body: {provider: {order: [a, b]}}
    model_info:
      mode: chat
      supports_vision: true
      supports_function_calling: true
      supports_reasoning: false
      max_input_tokens: 128000
      access_groups: [default]
      description: "The default model"
  - model_name: azure-gpt
    litellm_params:
      model: azure/my-deployment
      api_base: os.environ/AZURE_API_BASE
      api_key: os.environ/AZURE_API_KEY
      api_version: "2024-12-01-preview"
      input_cost_per_token: 2.5e-06
      output_cost_per_token: 1.0e-05
      cache_read_input_token_cost: 1.25e-06
      cache_creation_input_token_cost: 0
    model_info: {base_model: azure/gpt-4o}
  - model_name: local
    litellm_params:
      model: ollama/qwen3:8b
      api_base: http://ollama:11434
    model_info: {mode: embedding}
"""


def test_fields_capabilities_parameters_and_metadata(tmp_path: Path) -> None:
    trip = round_trip(_config(tmp_path, RICH), tmp_path / "proj")
    assert trip.imported.code == 0, trip.imported.output
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    first = trip.datum(1)
    assert first["b00t"] == {"name": "gpt-4o", "type": "ai_model"}
    assert first["ai_model"] == {
        "provider": "openai",
        "litellm_model": "openai/gpt-4o",
        "capabilities": ["chat", "vision", "tools"],
        "api_key_env": "OPENAI_API_KEY",
        "rpm_limit": 60,
        "tpm_limit": 100000,
        "timeout": 30,
        "stream_timeout": 60.5,
        "max_retries": 2,
        "context_window": 128000,
        "access_groups": ["default"],
        "parameters": {"max_tokens": 4096, "temperature": 0.2,
                       "extra_body": {"provider": {"order": ["a", "b"]}}},
        "metadata": {"supports_reasoning": False, "description": "The default model"},
    }
    azure = trip.datum(2)["ai_model"]
    assert azure["provider"] == "azure"
    assert azure["api_base_env"] == "AZURE_API_BASE"
    assert azure["api_version"] == "2024-12-01-preview"
    # Prices per token become [ai_model.cost] per million tokens; the integer 0 stays a
    # parameter as written (the build would write 0.0).
    assert azure["cost"] == {"input_per_mtok": 2.5, "output_per_mtok": 10.0,
                             "cache_read_per_mtok": 1.25}
    assert azure["parameters"] == {"cache_creation_input_token_cost": 0}
    assert azure["base_model"] == "azure/gpt-4o"
    built_azure = trip.config["model_list"][1]
    assert built_azure["litellm_params"]["input_cost_per_token"] == 2.5e-06
    assert built_azure["model_info"] == {"base_model": "azure/gpt-4o"}
    local = trip.datum(3)["ai_model"]
    assert local["provider"] == "ollama"
    assert local["api_base"] == "http://ollama:11434"
    assert local["capabilities"] == ["embeddings"]
    verdict = compare_configs(yaml.safe_load(RICH), trip.config)
    # rpm/tpm become enforced limits: the build adds the pre-call check LiteLLM needs.
    assert [(d.kind.value, d.path) for d in verdict.differences] == [
        ("extra", "router_settings.optional_pre_call_checks")], verdict.describe()
    assert trip.config["router_settings"]["optional_pre_call_checks"] == [
        "enforce_model_rate_limits"]
    assert "DC036 rpm/tpm become enforced limits" in trip.imported.stderr


def test_imported_project_lints_clean(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    assert import_config(_config(tmp_path, RICH), root).code == 0
    result = run_cli("lint", "--strict", "--project", root)
    assert result.code == 0, result.output


@pytest.mark.parametrize(("model", "api_base", "provider"), [
    ("anthropic/claude-sonnet-4-5", None, "anthropic"),
    ("openai/qwen", "http://gpu:8000/v1", "openai_compatible"),
    ("openai/gpt-4o", "https://api.openai.com/v1", "openai"),
    ("hosted_vllm/qwen", "http://gpu:8000/v1", "vllm"),
    ("litellm_proxy/x", "http://up:4000", "litellm"),
    ("ollama_chat/llama3", "http://o:11434", "ollama"),
    ("gpt-4o-mini", None, "openai"),
    ("cerebras/llama3.3-70b", None, "cerebras"),
])
def test_provider_from_prefix(model: str, api_base: str | None, provider: str) -> None:
    base = f"\n      api_base: {api_base}" if api_base else ""
    result = import_text(f"model_list:\n  - model_name: m\n    litellm_params:\n"
                         f"      model: {model}{base}\n")
    assert result.ok, result.diagnostics
    datum = tomllib.loads(result.outputs[1].content.decode())
    assert datum["ai_model"]["provider"] == provider
    assert "DC036" not in {d.code for d in result.diagnostics if "provider" in d.message}


@pytest.mark.parametrize("model", ["os.environ/MODEL_ID", "*", "zhipu/glm-4"])
def test_unknown_provider_is_a_reported_guess(model: str) -> None:
    result = import_text(f"model_list:\n  - model_name: m\n    litellm_params:\n"
                         f"      model: '{model}'\n")
    assert result.ok
    guesses = [d for d in result.diagnostics if d.code == "DC036" and "provider" in d.message]
    assert len(guesses) == 1 and guesses[0].line == 4


def test_model_groups_get_unique_names_that_shadow_nothing(tmp_path: Path) -> None:
    trip = round_trip(_config(tmp_path, """\
        model_list:
          - model_name: fast
            litellm_params: {model: groq/llama-3.1-8b-instant, api_key: os.environ/GROQ_API_KEY}
          - model_name: fast-1
            litellm_params: {model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY}
          - model_name: fast
            litellm_params: {model: cerebras/llama3.1-8b, api_key: os.environ/CEREBRAS_API_KEY}
        router_settings:
          fallbacks: [{fast-1: [fast]}]
        """), tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    names = [trip.datum(i)["b00t"]["name"] for i in (1, 2, 3)]
    assert names == ["fast-2", "fast-1", "fast-3"]
    assert trip.datum(1)["ai_model"]["model_group"] == "fast"
    assert "model_group" not in trip.datum(2)["ai_model"]
    assert trip.datum(2)["ai_model"]["fallbacks"] == ["fast"]
    config = trip.config
    assert [m["model_name"] for m in config["model_list"]] == ["fast", "fast-1", "fast"]
    assert config["router_settings"]["fallbacks"] == [{"fast-1": ["fast"]}]


def test_fallbacks_and_aliases_move_into_datums(tmp_path: Path) -> None:
    trip = round_trip(_config(tmp_path, """\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K}
          - model_name: b
            litellm_params: {model: openai/b, api_key: os.environ/K}
          - model_name: b
            litellm_params: {model: openai/b2, api_key: os.environ/K}
        router_settings:
          model_group_alias: {alias-b: b, alias-a: a}
          fallbacks:
            - b: [a]
            - a: [b]
        """), tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    assert trip.datum(1)["b00t"]["aliases"] == ["alias-a"]
    assert trip.datum(2)["b00t"]["aliases"] == ["alias-b"]
    assert trip.datum(2)["ai_model"]["fallbacks"] == trip.datum(3)["ai_model"]["fallbacks"] == ["a"]
    assert "fallbacks" not in trip.project.get("router", {})
    router = trip.config["router_settings"]
    assert router["model_group_alias"] == {"alias-a": "a", "alias-b": "b"}
    assert compare_configs(yaml.safe_load((tmp_path / "config.yaml").read_text()),
                           trip.config).equal


@pytest.mark.parametrize(("fallbacks", "reason"), [
    ('[{"*": [a]}]', "'*'"),
    ("[{a: [a]}]", "itself"),
    ("[{a: [b]}, {a: [b]}]", "two chains"),
    ("[{a: [b], b: [a]}]", "one-key mapping"),
])
def test_fallbacks_datums_cannot_express_stay_verbatim(tmp_path: Path, fallbacks: str,
                                                        reason: str) -> None:
    source = _config(tmp_path, f"""\
        model_list:
          - model_name: a
            litellm_params: {{model: openai/a, api_key: os.environ/K}}
          - model_name: b
            litellm_params: {{model: openai/b, api_key: os.environ/K}}
        router_settings:
          fallbacks: {fallbacks}
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    warning = next(line for line in trip.imported.stderr.splitlines() if "DC034" in line)
    assert "config.yaml:7:" in warning and reason in warning
    assert trip.project["router"]["fallbacks"] == yaml.safe_load(fallbacks)
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


def test_a_fallback_to_nothing_stays_verbatim_and_the_build_refuses_it(tmp_path: Path) -> None:
    """One checker: the import keeps it, and the build reports it at datumc.toml (DC209),
    as `datumc lint config.yaml` does, instead of writing a config its lint rejects."""
    source = _config(tmp_path, """\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K}
        router_settings:
          fallbacks: [{a: [missing]}]
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.project["router"]["fallbacks"] == [{"a": ["missing"]}]
    assert trip.built is not None and trip.built.code == 1
    assert "datumc.toml:" in trip.built.stderr and "DC209" in trip.built.stderr
    assert "'missing'" in trip.built.stderr
    linted = run_cli("lint", source)
    assert "DC209" in linted.stdout and linted.code == 1


def test_litellm_settings_fallbacks_move_unless_shadowed(tmp_path: Path) -> None:
    head = textwrap.dedent("""\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K}
          - model_name: b
            litellm_params: {model: openai/b, api_key: os.environ/K}
        """)
    moved = round_trip(_config(tmp_path, head + "litellm_settings:\n  fallbacks: [{a: [b]}]\n"),
                       tmp_path / "moved")
    assert moved.datum(1)["ai_model"]["fallbacks"] == ["b"]
    assert moved.config["router_settings"]["fallbacks"] == [{"a": ["b"]}]
    assert "DC036" in moved.imported.stderr
    shadowed_src = _config(tmp_path, head + "router_settings:\n  fallbacks: [{a: [b]}]\n"
                           "litellm_settings:\n  fallbacks: [{b: [a]}]\n")
    shadowed = round_trip(shadowed_src, tmp_path / "shadowed")
    assert shadowed.project["litellm_settings"]["fallbacks"] == [{"b": ["a"]}]
    assert "shadowed" in shadowed.imported.stderr
    assert compare_configs(yaml.safe_load(shadowed_src.read_text()), shadowed.config).equal


def test_alias_forms_datums_cannot_express_stay_verbatim(tmp_path: Path) -> None:
    source = _config(tmp_path, """\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K}
        router_settings:
          model_group_alias: {x: {model: a, hidden: true}}
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.project["router"]["model_group_alias"] == {"x": {"model": "a", "hidden": True}}
    assert "DC034" in trip.imported.stderr
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


HEAD = """\
model_list:
  - model_name: a
    litellm_params: {model: openai/a, api_key: os.environ/K}
"""


@pytest.mark.parametrize(("settings", "cache", "router"), [
    ("litellm_settings: {cache: true, cache_params: {type: local, ttl: 300}}",
     {"type": "local", "ttl": 300}, {}),
    ("litellm_settings:\n  cache: true\n  cache_params: {type: redis, host: os.environ/RH, "
     "port: os.environ/RP, password: os.environ/RPW}",
     {"type": "redis"}, {"redis_host_env": "RH", "redis_port_env": "RP",
                         "redis_password_env": "RPW"}),
    ("router_settings: {redis_host: os.environ/REDIS_HOST, redis_port: os.environ/REDIS_PORT, "
     "redis_password: os.environ/REDIS_PASSWORD}", None, {"redis": True}),
])
def test_cache_and_redis_map_to_their_tables(tmp_path: Path, settings: str,
                                             cache: dict[str, object] | None,
                                             router: dict[str, object]) -> None:
    source = _config(tmp_path, HEAD + settings + "\n")
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    assert trip.project.get("cache") == cache
    assert trip.project.get("router", {}) == router
    assert "litellm_settings" not in trip.project
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


@pytest.mark.parametrize("settings", [
    "litellm_settings: {cache: true}",
    "litellm_settings: {cache: true, cache_params: {type: redis, host: redis, port: 6379}}",
    "litellm_settings: {cache: true, cache_params: {type: local, ttl: 300, max_size: 9}}",
    "litellm_settings: {cache: false, cache_params: {type: local}}",
    "router_settings: {redis_host: redis, redis_port: 6379}",
])
def test_cache_and_redis_forms_datumc_cannot_express_stay_verbatim(tmp_path: Path,
                                                                   settings: str) -> None:
    source = _config(tmp_path, HEAD + settings + "\n")
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    assert "cache" not in trip.project
    assert "redis" not in trip.project.get("router", {})
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


def test_settings_pass_through_and_master_key(tmp_path: Path) -> None:
    source = _config(tmp_path, HEAD, """\
        router_settings: {routing_strategy: least-busy, num_retries: 2, retry_after: 5}
        litellm_settings: {drop_params: true, success_callback: [prometheus]}
        general_settings:
          master_key: os.environ/PROXY_KEY
          database_url: os.environ/DB_URL
          store_model_in_db: true
        """)
    trip = round_trip(source, tmp_path / "proj")
    project = trip.project
    assert project["proxy"] == {"master_key_env": "PROXY_KEY", "database_url_env": "DB_URL"}
    assert project["router"] == {"routing_strategy": "least-busy", "num_retries": 2,
                                 "retry_after": 5}
    assert project["litellm_settings"] == {"drop_params": True}
    assert project["observability"] == {"success_callbacks": ["prometheus"]}
    assert project["general_settings"] == {"store_model_in_db": True}
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


def test_missing_master_key_is_generated_and_reported(tmp_path: Path) -> None:
    trip = round_trip(_config(tmp_path, HEAD), tmp_path / "proj")
    assert trip.project["proxy"]["master_key_env"] == "LITELLM_MASTER_KEY"
    assert "DC036" in trip.imported.stderr and "master_key" in trip.imported.stderr
    assert trip.config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"


SECRETS = """\
model_list:
  - model_name: local
    litellm_params:
      model: openai/qwen
      api_base: http://llm.lan:8080/v1
      api_key: sk-local-abcdefghijklmnop
      aws_secret_access_key: wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY
  - model_name: remote
    litellm_params:
      model: anthropic/claude
      api_key: sk-ant-api03-ABCDEFGHIJKLMNOP
general_settings:
  master_key: sk-master-0123456789abcdef
  database_url: postgresql://user:hunter2hunter2@db:5432/litellm
litellm_settings:
  cache: true
  cache_params: {type: redis, host: redis, port: 6379, password: p4ssw0rd-redis}
environment_variables:
  OPENAI_API_KEY: sk-proj-ZYXWVUTSRQPONMLK
  LITELLM_LOG: DEBUG
"""
_SECRET_VALUES = ("sk-local-abcdefghijklmnop", "wJalrXUtnFEMI", "sk-ant-api03-ABCDEFGHIJKLMNOP",
                  "sk-master-0123456789abcdef", "hunter2hunter2", "p4ssw0rd-redis",
                  "sk-proj-ZYXWVUTSRQPONMLK")


def test_hardcoded_secrets_never_reach_a_file_or_a_message(tmp_path: Path) -> None:
    trip = round_trip(_config(tmp_path, SECRETS), tmp_path / "proj")
    assert trip.imported.code == 0, trip.imported.output
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    everything = b"".join(trip.written().values()) + trip.imported.output.encode()
    everything += trip.built.output.encode()
    for secret in _SECRET_VALUES:
        assert secret.encode() not in everything, secret
    warnings = [ln for ln in trip.imported.stderr.splitlines() if "DC032" in ln]
    assert len(warnings) == 7
    assert any("config.yaml:6:" in w and "(sk-…nop)" in w and "LLM_API_KEY" in w
               for w in warnings), warnings
    local, remote = trip.datum(1)["ai_model"], trip.datum(2)["ai_model"]
    assert local["api_key_env"] == "LLM_API_KEY"
    assert local["aws"] == {"secret_access_key_env": "AWS_SECRET_ACCESS_KEY"}  # importer/cloud
    assert remote["api_key_env"] == "ANTHROPIC_API_KEY"
    project = trip.project
    assert project["proxy"] == {"master_key_env": "LITELLM_MASTER_KEY",
                                "database_url_env": "DATABASE_URL"}
    assert project["litellm_settings"]["cache_params"]["password"] == \
        "os.environ/CACHE_PARAMS_PASSWORD"
    assert project["extra_sections"]["environment_variables"] == {
        "OPENAI_API_KEY": "os.environ/OPENAI_API_KEY", "LITELLM_LOG": "DEBUG"}
    hints = [ln for ln in trip.imported.stderr.splitlines() if "hint: set LLM_API_KEY" in ln]
    assert hints and "line 6 of" in hints[0]


def test_same_secret_same_variable_and_existing_names_are_not_reused() -> None:
    result = import_text("""\
model_list:
  - model_name: a
    litellm_params: {model: openai/a, api_base: "http://box:1/v1", api_key: shared-value}
  - model_name: b
    litellm_params: {model: openai/b, api_base: "http://box:1/v1", api_key: shared-value}
  - model_name: c
    litellm_params: {model: openai/c, api_base: "http://box:1/v1", api_key: other-value}
  - model_name: d
    litellm_params: {model: openai/d, api_key: os.environ/BOX_API_KEY}
""")
    assert result.ok
    envs = [tomllib.loads(o.content.decode())["ai_model"]["api_key_env"]
            for o in result.outputs[1:]]
    assert envs == ["BOX_API_KEY_2", "BOX_API_KEY_2", "BOX_API_KEY_3", "BOX_API_KEY"]


@pytest.mark.parametrize(("key", "value", "secret"), [
    ("api_key", "anything", True), ("master_key", "sk-1234", True),
    ("redis_password", "x", True), ("langfuse_secret", "abc", True),
    ("database_url", "postgresql://u:pw@h/db", True),
    ("webhook", "https://hooks.slack.com/services/T/B/X", True),
    ("note", "sk-abcdefghijklmnopqrst", True),
    ("api_key", "os.environ/K", False), ("database_url", "postgresql://h/db", False),
    ("max_tokens", "4096", False), ("prompt_cache_key", "x", False), ("model", "gpt-4o", False),
])
def test_secret_detection(key: str, value: str, secret: bool) -> None:
    assert looks_secret(key, value) is secret


def test_mask_never_shows_a_short_secret() -> None:
    assert mask("sk-proj-0123456789abcdef0123453210") == "sk-p…3210"
    assert mask("sk-local") == "s…l"
    assert mask("na") == "…"
    assert mask(12345) == "…"


def test_lossy_values_are_named_with_their_line(tmp_path: Path) -> None:
    source = _config(tmp_path, HEAD, """\
        general_settings:
          database_url: null
          budget_reset: 2024-01-01
          alerting_threshold: {1: a}
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0
    lossy = [ln for ln in trip.imported.stderr.splitlines() if "DC035" in ln]
    assert [ln.split(":")[1:3] for ln in lossy] == [["5", "17"], ["6", "17"], ["7", "24"]]
    verdict = compare_configs(yaml.safe_load(source.read_text()), trip.config)
    assert [(d.kind.value, d.path) for d in verdict.differences] == [
        ("null-dropped", "general_settings.database_url"),
        ("changed", "general_settings.budget_reset"),
        ("missing", "general_settings.alerting_threshold.1 (int)"),
        ("extra", "general_settings.alerting_threshold.1"),
    ]


@pytest.mark.parametrize("name", [
    "a/b", "../../etc/passwd", "with space", "*", "..", "ünïcødé 模型", "CON", ".hidden",
    "x" * 256, "a\\b", "-rf",
])
def test_file_names_are_safe(name: str) -> None:
    result = import_text(f"model_list:\n  - model_name: {yaml.safe_dump(name).splitlines()[0]}\n"
                         "    litellm_params: {model: openai/x}\n")
    assert result.ok, result.diagnostics
    relpath = result.outputs[1].relpath
    folder, file = relpath.split("/")
    assert folder == "datums"
    assert file.startswith("01-") and file.endswith(".ai_model.toml")
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in file)
    assert len(file.encode()) < 100
    assert tomllib.loads(result.outputs[1].content.decode())["b00t"]["name"] == name


def test_file_names_are_unique_and_ordered() -> None:
    from datumc.importer.models import Draft

    drafts = [Draft(i, n, {}, name=n) for i, n in enumerate(["A b", "a-b", "a/b", "模型", "模"])]
    names = file_names(drafts)
    assert len(set(names)) == len(names) == 5
    assert names == sorted(names)
    assert slug("模型") == "model"
    assert slug("a/../b") == "a-..-b"
    assert slug("../../etc/passwd") == "etc-passwd"


def test_extra_sections_round_trip_and_unknown_keys_are_reported(tmp_path: Path) -> None:
    source = _config(tmp_path, HEAD, """\
        files_settings:
          - {custom_llm_provider: azure, api_base: os.environ/AZURE_API_BASE}
        x-notes: {sonnet: a}
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    assert set(trip.project["extra_sections"]) == {"files_settings", "x-notes"}
    stderr = trip.imported.stderr
    assert "config.yaml:6:1: warning DC034 LiteLLM does not read a top-level 'x-notes'" \
        in stderr
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


def test_a_settings_key_at_the_top_level_is_refused_by_the_build(tmp_path: Path) -> None:
    """model_alias_map belongs in litellm_settings: at the top level LiteLLM ignores it,
    so the build refuses it (DC201, an error) as `datumc lint config.yaml` does."""
    source = _config(tmp_path, HEAD, "model_alias_map: {sonnet: a}\n")
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 1
    assert "DC201" in trip.built.stderr and "litellm_settings" in trip.built.stderr
    assert "DC201" in run_cli("lint", source).stdout


def test_duplicate_keys_warn_and_the_last_wins(tmp_path: Path) -> None:
    source = _config(tmp_path, HEAD + "litellm_settings: {drop_params: true}\n"
                     "litellm_settings: {set_verbose: false}\n")
    trip = round_trip(source, tmp_path / "proj")
    assert "config.yaml:5:1: warning DC037 duplicate key 'litellm_settings'" in trip.imported.stderr
    assert trip.project["litellm_settings"] == {"set_verbose": False}


def test_values_that_do_not_fit_a_field_stay_parameters(tmp_path: Path) -> None:
    source = _config(tmp_path, """\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K, rpm: "60", timeout: 0,
                             rpm_limit: 60}
            model_info: {max_input_tokens: 128k, mode: image_generation, supports_vision: "yes"}
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    ai_model = trip.datum(1)["ai_model"]
    assert ai_model["parameters"] == {"rpm": "60", "timeout": 0, "rpm_limit": 60}
    assert ai_model["metadata"] == {"max_input_tokens": "128k", "mode": "image_generation",
                                    "supports_vision": "yes"}
    assert "rpm_limit" not in ai_model and "capabilities" not in ai_model
    assert trip.imported.stderr.count("DC033") == 2
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "code"), [
    ("model_list:\n  - model_name: a\n    litellm_params: {model: x\n", "config.yaml:4:1", "DC009"),
    ("- a\n- b\n", "config.yaml:1:1", "DC030"),
    ("", "config.yaml:1:1", "DC030"),
    ("model_list:\n  model_name: a\n", "config.yaml:2:3", "DC030"),
    ("model_list: []\n", "config.yaml:1:13", "DC030"),
    ("general_settings: {}\n", "config.yaml:1:1", "DC030"),
    ("model_list:\n  - model_name: a\n", "config.yaml:2:5", "DC031"),
    ("model_list:\n  - litellm_params: {model: x}\n", "config.yaml:2:5", "DC031"),
    ("model_list:\n  - 5\n", "config.yaml:2:5", "DC031"),
    ("model_list:\n  - {model_name: ' a', litellm_params: {model: x}}\n", "config.yaml:2:18",
     "DC031"),
    ("model_list:\n  - {model_name: 5, litellm_params: {model: x}}\n", "config.yaml:2:18",
     "DC031"),
    ("model_list:\n  - {model_name: a, litellm_params: {api_key: os.environ/K}}\n",
     "config.yaml:2:21", "DC031"),
    ("model_list:\n  - {model_name: a, litellm_params: {model: x}, model_info: [1]}\n",
     "config.yaml:2:61", "DC031"),
    (HEAD + "router_settings: {timeout: '30'}\n", "config.yaml:4:28", "DC031"),
    (HEAD + "router_settings: [1]\n", "config.yaml:4:18", "DC030"),
    ("a: &a [*a]\n", "config.yaml", "DC014"),
    ("model_list:\n\t- x\n", "config.yaml:2:1", "DC009"),
])
def test_bad_input_is_one_clear_error_and_writes_nothing(tmp_path: Path, text: str, where: str,
                                                         code: str) -> None:
    source = write_config(tmp_path / "config.yaml", text)
    result = run_cli("import", "config.yaml", "--out", "proj", cwd=tmp_path)
    assert result.code == 1, result.output
    assert f"{where}: error {code}" in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "proj").exists()
    assert "Traceback" not in result.output
    assert source.exists()


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    source = _config(tmp_path, """\
        model_list:
          - model_name: a
          - model_name: b
            litellm_params: {api_key: os.environ/K}
        router_settings: {num_retries: -1}
        """)
    result = import_config(source, tmp_path / "proj")
    assert result.code == 1
    assert result.stderr.count("error DC031") == 3, result.stderr


def test_binary_and_huge_input_are_refused(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"model_list:\x00\n")
    result = run_cli("import", "bin.yaml", cwd=tmp_path)
    assert result.code == 1 and "DC002" in result.stderr
    (tmp_path / "big.yaml").write_bytes(b"#" * (9 * 1024 * 1024))
    result = run_cli("import", "big.yaml", cwd=tmp_path)
    assert result.code == 1 and "DC014" in result.stderr
    missing = run_cli("import", "nope.yaml", cwd=tmp_path)
    assert missing.code == 1 and "nope.yaml: error DC002 file not found" in missing.stderr


# -- writing -------------------------------------------------------------------------------


def test_existing_files_are_never_overwritten_without_force(tmp_path: Path) -> None:
    source = _config(tmp_path, RICH)
    root = tmp_path / "proj"
    assert import_config(source, root).code == 0
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = import_config(source, root)
    assert again.code == 0 and "unchanged" in again.stdout
    (root / "datumc.toml").write_text("# mine\n")
    source.write_text(RICH.replace("rpm: 60", "rpm: 61"))
    refused = import_config(source, root)
    assert refused.code == 1
    assert "datumc.toml: error DC038 already exists; not overwritten" in refused.stderr
    assert "01-gpt-4o.ai_model.toml: error DC038" in refused.stderr
    assert (root / "datumc.toml").read_text() == "# mine\n"
    assert (root / "datums/01-gpt-4o.ai_model.toml").read_bytes() == \
        before[root / "datums/01-gpt-4o.ai_model.toml"], "all or nothing"
    forced = import_config(source, root, "--force")
    assert forced.code == 0, forced.output
    assert (root / "datumc.toml.bak").read_text() == "# mine\n"
    assert "rpm_limit = 61" in (root / "datums/01-gpt-4o.ai_model.toml").read_text()


def test_symlinks_are_refused(tmp_path: Path) -> None:
    source = _config(tmp_path, HEAD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    result = import_config(source, tmp_path / "link")
    assert result.code == 1 and "DC021" in result.stderr
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    (root / "datums/01-a.ai_model.toml").symlink_to(elsewhere / "target.toml")
    forced = import_config(source, root, "--force")
    assert forced.code == 1 and "is a symlink" in forced.stderr
    assert not list(elsewhere.iterdir())
    assert not (root / "datumc.toml").exists()


def test_other_datums_in_the_way_are_reported(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    (root / "datums/old.ai_model.toml").write_text("")
    result = import_config(_config(tmp_path, HEAD), root)
    assert result.code == 0
    assert "warning DC039 1 other datum file(s) already here (old.ai_model.toml)" in result.stderr


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    assert import_config(_config(tmp_path, RICH), root).code == 0
    leftovers = [p for p in root.rglob("*") if "datumc-tmp" in p.name]
    assert not leftovers
    assert sorted(p.name for p in (root / "datums").iterdir()) == [
        "01-gpt-4o.ai_model.toml", "02-azure-gpt.ai_model.toml", "03-local.ai_model.toml"]


def test_import_as_a_real_process_with_default_out(tmp_path: Path) -> None:
    _config(tmp_path, RICH)
    result = run_datumc("import", "config.yaml", cwd=tmp_path)
    assert result.code == 0, result.output
    assert "wrote datumc.toml" in result.stdout
    assert (tmp_path / "datums/01-gpt-4o.ai_model.toml").is_file()
    assert run_datumc("build", cwd=tmp_path).code == 0
    mode = (tmp_path / "datumc.toml").stat().st_mode & 0o777
    assert mode == 0o644


def test_explain_import_codes() -> None:
    for code in ("DC030", "DC032", "DC034", "DC038"):
        result = run_cli("explain", code)
        assert result.code == 0 and "import-" in result.stdout


# -- core changes the import relies on --------------------------------------------------------


def test_router_extras_are_not_reported_as_ignored(project) -> None:
    from tests.conftest import datum

    root = project({"a": datum("a")}, "[router]\nretry_after = 5\n[router.retry_policy]\nX = 1\n")
    result = run_cli("build", cwd=root)
    assert result.code == 0
    assert "DC004" not in result.output
    config = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    assert config["router_settings"] == {"retry_after": 5, "retry_policy": {"X": 1}}


def test_extra_sections_may_not_replace_generated_sections(project) -> None:
    from tests.conftest import datum

    root = project({"a": datum("a")}, "[extra_sections]\nmodel_list = []\n")
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "DC006" in result.stderr and "extra_sections" in result.stderr


def test_an_environment_model_is_not_an_unknown_provider(tmp_path: Path) -> None:
    """LiteLLM resolves os.environ/ in every litellm_params value, model included."""
    source = _config(tmp_path, """\
        model_list:
          - model_name: active
            litellm_params: {model: os.environ/MODEL_ID, api_base: os.environ/BASE,
                             api_key: os.environ/KEY}
        """)
    linted = run_cli("lint", source).output
    assert "DC211" not in linted and "provider" not in linted, linted
    trip = round_trip(source, tmp_path / "proj")
    assert trip.built is not None and trip.built.code == 0, trip.built.output
    assert trip.datum(1)["ai_model"]["litellm_model"] == "os.environ/MODEL_ID"


def test_enforced_limits_are_not_doubled_and_keep_their_place(tmp_path: Path) -> None:
    source = _config(tmp_path, """\
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_key: os.environ/K, rpm: 5}
        router_settings:
          optional_pre_call_checks: [prompt_caching, enforce_model_rate_limits]
        """)
    trip = round_trip(source, tmp_path / "proj")
    assert trip.project["router"] == {"optional_pre_call_checks": ["prompt_caching"]}
    assert "enforced limits" not in trip.imported.stderr
    assert compare_configs(yaml.safe_load(source.read_text()), trip.config).equal
