"""Config rules on both paths: each case is a LiteLLM YAML snippet and the datum or
datumc.toml form of the same mistake, which must give the same code and severity, the
datum form reported at the datum's (or datumc.toml's) own line.

Also the classes of false alarms and misses measured on public configs: bare model
names LiteLLM routes itself, providers registered in custom_provider_map, stand-in keys
for local servers, environment_variables that are not strings, placeholder
credentials, and prices under keys LiteLLM does not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from datumc.diagnostics import Diagnostic, Severity
from tests.conftest import datum
from tests.helpers.lint import CLEAN_YAML, codes, lint_project, lint_yaml, only

Project = Callable[..., Path]


@dataclass(frozen=True)
class Case:
    code: str
    severity: Severity
    yaml: str  # appended to CLEAN_YAML (or a whole config when it has model_list)
    datum: dict[str, Any] | None = None  # keyword arguments for tests.conftest.datum
    project: dict[str, Any] | None = None  # datumc.toml
    needle: str = ""  # text on the line the datum-path finding must point at


CASES = {
    "typo-in-params": Case("DC203", Severity.WARNING, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K, temprature: 0.2}
""", datum={"parameters": {"temprature": 0.2}}, needle="temprature"),
    "fallback-to-nothing": Case("DC209", Severity.ERROR, """\
litellm_settings:
  context_window_fallbacks: [{gpt-4o: [nope]}]
""", project={"litellm_settings": {"context_window_fallbacks": [{"a": ["nope"]}]}},
        needle="nope"),
    "router-fallback-to-nothing": Case("DC209", Severity.ERROR, """\
router_settings:
  fallbacks: [{gpt-4o: [missing]}]
""", project={"router": {"fallbacks": [{"a": ["missing"]}]}}, needle="missing"),
    "unknown-provider-prefix": Case("DC211", Severity.ERROR, """\
model_list:
  - model_name: a
    litellm_params: {model: openia/gpt-4o, api_key: os.environ/K}
""", datum={"litellm_model": "openia/gpt-4o"}, needle="openia"),
    "cache-means-redis": Case("DC213", Severity.WARNING, """\
litellm_settings:
  cache: true
""", project={"litellm_settings": {"cache": True}}, needle="cache"),
    "env-var-mapping": Case("DC219", Severity.ERROR, """\
environment_variables:
  LITELLM_MASTER_KEY: {a: 1}
""", project={"extra_sections": {"environment_variables": {"X_KEY": {"a": 1}}}},
        needle="X_KEY"),
    "env-var-empty": Case("DC219", Severity.ERROR, """\
environment_variables:
  LITELLM_MASTER_KEY:
""", project={"extra_sections": {"environment_variables": {"X_KEY": ""}}}, needle="X_KEY"),
    "env-var-blocked": Case("DC219", Severity.WARNING, """\
environment_variables:
  PATH: /opt/bin
""", project={"extra_sections": {"environment_variables": {"PATH": "/opt/bin"}}},
        needle="PATH"),
    "placeholder-credential": Case("DC220", Severity.ERROR, """\
model_list:
  - model_name: a
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
      aws_access_key_id: "<replace_with_your_access_key>"
""", datum={"litellm_model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
            "provider": "bedrock",
            "parameters": {"aws_access_key_id": "<replace_with_your_access_key>"}},
        needle="aws_access_key_id"),
    "no-model": Case("DC222", Severity.ERROR, """\
model_list:
  - model_name: a
    api_base: http://ollama:11434
    litellm_params: {}
""", datum=None),
    "cache-params-without-cache": Case("DC213", Severity.WARNING, """\
litellm_settings:
  cache_params: {type: local, ttl: 60}
""", project={"litellm_settings": {"cache_params": {"type": "local"}}}, needle="cache_params"),
    "placeholder-deployment": Case("DC220", Severity.ERROR, """\
model_list:
  - model_name: a
    litellm_params: {model: "azure/<your-azure-deployment-name>", api_key: os.environ/K}
""", datum={"litellm_model": "azure/<your-azure-deployment-name>", "provider": "azure",
            "api_base": "https://x.openai.azure.com"}, needle="litellm_model"),
    "drop-params-list": Case("DC223", Severity.ERROR, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K, drop_params: [tool_choice]}
""", datum={"parameters": {"drop_params": ["tool_choice"]}}, needle="drop_params"),
    "interval-without-checks": Case("DC214", Severity.WARNING, """\
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  health_check_interval: 300
""", project={"general_settings": {"health_check_interval": 300}},
        needle="health_check_interval"),
    "unknown-callback": Case("DC224", Severity.ERROR, """\
litellm_settings:
  success_callback: ["langfusee"]
""", project={"litellm_settings": {"success_callback": ["langfusee"]}}, needle="langfusee"),
    "service-callback": Case("DC224", Severity.ERROR, """\
litellm_settings:
  service_callback: ["prometheus"]
""", project={"litellm_settings": {"service_callback": ["prometheus"]}}, needle="prometheus"),
    "database-url-password": Case("DC206", Severity.ERROR, """\
general_settings:
  database_url: postgresql://litellm:s3cr3t-pw@db:5432/litellm
""", project={"general_settings": {"database_url": "postgresql://litellm:s3cr3t-pw@db/x"}},
        needle="database_url"),
    "unknown-mode": Case("DC225", Severity.WARNING, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/tts-1, api_key: os.environ/K}
    model_info: {mode: tts}
""", datum={"metadata": {"mode": "tts"}}, needle="mode = "),
    "ignored-price-key": Case("DC221", Severity.WARNING, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K}
    model_info: {pricing: {input: 0.15, output: 0.6}}
""", datum={"metadata": {"pricing": {"input": 0.15, "output": 0.6}}}, needle="pricing"),
    "per-1k-price": Case("DC221", Severity.WARNING, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K}
    model_info: {input_cost_per_1k_tokens: 0.00015}
""", datum={"metadata": {"input_cost_per_1k_tokens": 0.00015}}, needle="per_1k"),
    "alias-hijacks-a-model": Case("DC110", Severity.ERROR, """\
model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K}
  - model_name: b
    litellm_params: {model: openai/gpt-4o-mini, api_key: os.environ/K}
router_settings:
  model_group_alias: {b: a}
""", project={"router": {"model_group_alias": {"fast": "nowhere"}}}, needle="fast"),
    "misspelled-section": Case("DC201", Severity.ERROR, """\
litellm_setting:
  drop_params: true
""", project={"extra_sections": {"litellm_setting": {"drop_params": True}}},
        needle="litellm_setting"),
    "routing-strategy": Case("DC208", Severity.ERROR, """\
router_settings:
  routing_strategy: round-robin
""", project={"router": {"routing_strategy": "round-robin"}}, needle="round-robin"),
    "literal-secret": Case("DC206", Severity.ERROR, """\
litellm_settings:
  langfuse_secret_key: sk-lf-8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d
""", project={"litellm_settings": {"langfuse_secret_key": "sk-lf-8a7b6c5d4e3f2a1b0c9d8e7f6a5b"}},
        needle="langfuse_secret_key"),
}


def _yaml(case: Case) -> str:
    return case.yaml if case.yaml.startswith("model_list") else CLEAN_YAML + case.yaml


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", sorted(CASES))
def test_yaml_path(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    found = [d for d in lint_yaml(tmp_path, _yaml(case)) if d.code == case.code]
    assert found, name
    assert case.severity in {d.severity for d in found}


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.datum or c.project))
def test_datum_path_same_code_at_the_source_line(project: Project, name: str) -> None:
    case = CASES[name]
    text = datum("a", api_key_env="OPENAI_API_KEY", **(case.datum or {}))
    toml = tomli_w.dumps(case.project) if case.project else None
    root = project({"a": text}, toml)
    found = only(lint_project(root), case.code)
    assert found, name
    hit = next(d for d in found if d.severity is case.severity)
    source = text if case.datum else (root / "datumc.toml").read_text()
    assert Path(hit.path).name == ("a.ai_model.toml" if case.datum else "datumc.toml")
    assert hit.line == _line(source, case.needle), (hit, source)


# -- false alarms measured on public configs ----------------------------------------------


@pytest.mark.parametrize("model", ["dall-e-3", "whisper-1", "gpt-4o", "text-embedding-3-small",
                                   "1024-x-1024/gpt-image-1.5", "tts-1"])
def test_names_litellm_routes_itself_are_not_unknown_providers(tmp_path: Path,
                                                               model: str) -> None:
    text = f"model_list:\n  - model_name: m\n    litellm_params: {{model: {model}}}\n"
    assert "DC211" not in codes(lint_yaml(tmp_path, text))


def test_custom_provider_map_registers_a_provider(tmp_path: Path) -> None:
    text = """\
model_list:
  - model_name: m
    litellm_params: {model: my-llm/x, custom_llm_provider: my-llm}
  - model_name: n
    litellm_params: {model: my-llm/y}
litellm_settings:
  custom_provider_map: [{provider: my-llm, custom_handler: handler.inst}]
"""
    assert "DC211" not in codes(lint_yaml(tmp_path, text))
    assert "DC211" in codes(lint_yaml(tmp_path, text.replace("provider: my-llm,",
                                                             "provider: other,")))


@pytest.mark.parametrize("key", ["x", "a", "any-api-key-will-do", "not-needed", "sk-local",
                                 "lm-studio", "none"])
def test_stand_in_keys_for_local_servers_are_not_secrets(tmp_path: Path, key: str) -> None:
    text = f"""\
model_list:
  - model_name: m
    litellm_params: {{model: openai/qwen, api_base: "http://192.168.1.5:8000/v1", api_key: {key}}}
"""
    diags = lint_yaml(tmp_path, text)
    assert "DC206" not in codes(diags) and "DC220" not in codes(diags)


def test_a_real_key_is_a_secret_even_for_a_local_server(tmp_path: Path) -> None:
    key = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z3210"
    text = f"""\
model_list:
  - model_name: m
    litellm_params: {{model: openai/qwen, api_base: "http://10.0.0.2:8000/v1", api_key: {key}}}
"""
    found = only(lint_yaml(tmp_path, text), "DC206")
    assert found and key not in found[0].message


def test_a_chosen_master_key_is_still_a_secret(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("os.environ/LITELLM_MASTER_KEY", "sk-lme-llama-proxy")
    assert "DC206" in codes(lint_yaml(tmp_path, text))


def test_generic_fallback_star_is_litellms_default_chain(tmp_path: Path) -> None:
    text = CLEAN_YAML + "router_settings:\n  fallbacks: [{\"*\": [gpt-4o]}]\n"
    assert "DC209" not in codes(lint_yaml(tmp_path, text))


def test_an_unknown_non_litellm_section_is_only_a_warning(tmp_path: Path) -> None:
    (found,) = only(lint_yaml(tmp_path, CLEAN_YAML + "x-defaults: {a: 1}\n"), "DC201")
    assert found.severity is Severity.WARNING


def test_a_settings_key_at_the_top_level_is_an_error(tmp_path: Path) -> None:
    (found,) = only(lint_yaml(tmp_path, CLEAN_YAML + "model_alias_map: {a: b}\n"), "DC201")
    assert found.severity is Severity.ERROR and "litellm_settings" in found.hint


def test_a_price_that_is_not_a_price_is_left_alone(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("      api_key: os.environ/OPENAI_API_KEY\n",
                              "      api_key: os.environ/OPENAI_API_KEY\n"
                              "    model_info: {cost_tier: cheap, input_cost_per_token: 1e-7}\n")
    assert "DC221" not in codes(lint_yaml(tmp_path, text))


# -- datum rules -----------------------------------------------------------------------------


def test_dc113_unknown_provider_with_a_suggestion(project: Project) -> None:
    root = project({"a": datum("a", provider="openia", api_key_env="OPENAI_API_KEY")})
    (found,) = only(lint_project(root), "DC113")
    assert found.severity is Severity.WARNING and "openai" in found.hint


@pytest.mark.parametrize("provider", ["openai", "openai_compatible", "foundry_local",
                                      "ollama", "groq", "hosted_vllm"])
def test_dc113_passes_on_known_providers(project: Project, provider: str) -> None:
    root = project({"a": datum("a", provider=provider, api_base="http://127.0.0.1:1/v1")})
    assert "DC113" not in codes(lint_project(root))


@pytest.mark.parametrize(("provider", "model", "severity"), [
    ("openai_compatible", "openai/Qwen/Qwen2.5-7B", Severity.ERROR),  # -> api.openai.com
    ("vllm", "hosted_vllm/qwen", Severity.ERROR),                    # no endpoint at all
    ("ollama", "ollama_chat/qwen2.5:7b", Severity.WARNING),          # localhost:11434
])
def test_dc107_severity_follows_where_requests_go(project: Project, provider: str, model: str,
                                                  severity: Severity) -> None:
    root = project({"a": datum("a", provider=provider, litellm_model=model)})
    (found,) = only(lint_project(root), "DC107")
    assert found.severity is severity


def test_dc304_placeholder_is_an_error_when_the_project_needs_it(project: Project) -> None:
    from tests.helpers.lint import lint_env

    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY")})
    diags: list[Diagnostic] = lint_env(root, "LITELLM_MASTER_KEY=sk-1234\n"
                                       "OPENAI_API_KEY=your-key-here\nOTHER=change-me\n",
                                       root=root)
    levels = {d.message.split()[0]: d.severity for d in only(diags, "DC304")}
    assert levels == {"LITELLM_MASTER_KEY": Severity.ERROR, "OPENAI_API_KEY": Severity.ERROR,
                      "OTHER": Severity.WARNING}


@pytest.mark.parametrize("key", ["space_id", "additional_drop_params", "num_predict",
                                 "safety_settings"])
def test_params_provider_code_reads_are_known(tmp_path: Path, key: str) -> None:
    """Held-out false alarms: parameters LiteLLM's provider code reads, not in signatures."""
    text = f"model_list:\n  - model_name: m\n    litellm_params: {{model: openai/x, {key}: 1}}\n"
    assert "DC203" not in codes(lint_yaml(tmp_path, text))


def test_a_key_beside_model_name_is_reported_as_never_read(tmp_path: Path) -> None:
    text = """\
model_list:
  - model_name: m
    rpm: 10
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K}
"""
    (found,) = only(lint_yaml(tmp_path, text), "DC222")
    assert found.severity is Severity.WARNING and found.line == 3


def test_settings_litellm_reads_with_getattr_are_known(tmp_path: Path) -> None:
    """Corpus false alarm: litellm_settings.timezone is read with getattr(litellm, ...)."""
    assert "DC202" not in codes(lint_yaml(tmp_path, CLEAN_YAML + "litellm_settings:\n"
                                          "  timezone: Europe/Berlin\n"))


def test_a_real_name_starting_with_my_is_not_a_placeholder(tmp_path: Path) -> None:
    text = "model_list:\n  - model_name: m\n    litellm_params: {model: azure/my_deployment}\n"
    assert "DC220" not in codes(lint_yaml(tmp_path, text))


def test_callbacks_that_exist_or_are_dotted_paths_pass(tmp_path: Path) -> None:
    text = CLEAN_YAML + ("litellm_settings:\n  success_callback: [langfuse, prometheus]\n"
                         "  callbacks: [custom_callbacks.handler_instance, otel]\n"
                         "  service_callback: [prometheus_system]\n")
    assert "DC224" not in codes(lint_yaml(tmp_path, text))


@pytest.mark.parametrize(("header", "value", "secret"), [
    ("Authorization", "Bearer abcdef0123456789", True),
    ("X-Api-Key", "abc123def456ghi7", True),
    ("Authorization", "Bearer os.environ/TOKEN", False),  # broken (DC207), not a secret
    ("X-Api-Key", "${API_KEY}", False),
    ("X-Org", "acme", False),
])
def test_credentials_in_headers(tmp_path: Path, header: str, value: str, secret: bool) -> None:
    text = CLEAN_YAML.replace("      api_key: os.environ/OPENAI_API_KEY\n",
                              "      api_key: os.environ/OPENAI_API_KEY\n"
                              f"      extra_headers: {{{header}: \"{value}\"}}\n")
    assert ("DC206" in codes(lint_yaml(tmp_path, text))) is secret
