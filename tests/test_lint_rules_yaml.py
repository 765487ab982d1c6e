"""DC2xx: each LiteLLM YAML rule passes on a clean config and fires on a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from datumc.diagnostics import Severity
from tests.helpers.lint import CLEAN_YAML, codes, lint_yaml, only

KEY = "sk-ant-api03-" + "Zq8Xw2Rt6Yu1Io5Pa9Sd3Fg7Hj4Kl0" + "wxyz"


def test_clean_config_has_no_findings(tmp_path: Path) -> None:
    assert lint_yaml(tmp_path, CLEAN_YAML) == []


def test_positions_come_from_the_yaml_marks(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("      api_key:", "      max_token: 5\n      api_key:")
    (diag,) = lint_yaml(tmp_path, text)
    assert (diag.code, diag.line, diag.column) == ("DC203", 5, 7)


def test_non_litellm_yaml_is_skipped(tmp_path: Path) -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
    assert codes(lint_yaml(tmp_path, text)) == ["DC015"]


# -- DC201 unknown-section ---------------------------------------------------------------


def test_dc201_misspelled_section(tmp_path: Path) -> None:
    found = only(lint_yaml(tmp_path, CLEAN_YAML + "litellm_setting:\n  drop_params: true\n"),
                 "DC201")
    assert len(found) == 1 and "did you mean 'litellm_settings'" in found[0].hint


def test_dc201_passes_on_known_sections(tmp_path: Path) -> None:
    text = CLEAN_YAML + "environment_variables: {}\nrouter_settings: {}\nlitellm_settings: {}\n"
    assert "DC201" not in codes(lint_yaml(tmp_path, text))


# -- DC202..DC205 unknown keys -------------------------------------------------------------


@pytest.mark.parametrize(("section", "key", "code"), [
    ("litellm_settings", "drop_param", "DC202"),
    ("router_settings", "num_retry", "DC204"),
])
def test_unknown_setting_keys(tmp_path: Path, section: str, key: str, code: str) -> None:
    found = only(lint_yaml(tmp_path, CLEAN_YAML + f"{section}:\n  {key}: 1\n"), code)
    assert len(found) == 1 and "did you mean" in found[0].hint


def test_dc205_unknown_general_setting(tmp_path: Path) -> None:
    text = CLEAN_YAML + "  master_kye: x\n"
    assert "did you mean 'master_key'" in only(lint_yaml(tmp_path, text), "DC205")[0].hint


@pytest.mark.parametrize(("section", "key"), [
    ("litellm_settings", "drop_params"), ("litellm_settings", "request_timeout"),
    ("litellm_settings", "cache_params"), ("router_settings", "routing_strategy"),
    ("router_settings", "model_group_alias"),
])
def test_known_setting_keys_pass(tmp_path: Path, section: str, key: str) -> None:
    diags = lint_yaml(tmp_path, CLEAN_YAML + f"{section}:\n  {key}: {{}}\n")
    assert not {"DC202", "DC204"} & set(codes(diags))


def test_dc203_known_params_pass(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("      api_key:", "      max_tokens: 5\n      rpm: 6\n"
                              "      ssl_verify: false\n      api_key:")
    assert lint_yaml(tmp_path, text) == []


# -- DC206 config-hardcoded-secret -----------------------------------------------------------


def test_dc206_literal_key_is_masked(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", KEY)
    (found,) = only(lint_yaml(tmp_path, text), "DC206")
    assert "Anthropic API key" in found.message and "sk-a…wxyz" in found.message
    assert KEY not in found.message + found.hint


@pytest.mark.parametrize("value", ["not-needed", "dummy", "no-key", "EMPTY", "sk-local",
                                   "os.environ/X", '"os.environ/X"'])
def test_dc206_stand_ins_and_refs_pass(tmp_path: Path, value: str) -> None:
    text = CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", value)
    assert "DC206" not in codes(lint_yaml(tmp_path, text))


def test_dc206_secret_named_literal(tmp_path: Path) -> None:
    text = CLEAN_YAML + "environment_variables:\n  LANGFUSE_SECRET_KEY: lf-mysecretvalue-2024\n"
    assert "DC206" in codes(lint_yaml(tmp_path, text))


# -- DC207 config-broken-env-ref ------------------------------------------------------------


@pytest.mark.parametrize("value", ["${OPENAI_API_KEY}", "$OPENAI_API_KEY",
                                   "\"'os.environ/OPENAI_API_KEY'\"",
                                   "\" os.environ/OPENAI_API_KEY\""])
def test_dc207_fires(tmp_path: Path, value: str) -> None:
    text = CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", value)
    assert len(only(lint_yaml(tmp_path, text), "DC207")) == 1


def test_dc207_ref_in_a_list_is_not_resolved(tmp_path: Path) -> None:
    text = CLEAN_YAML + "litellm_settings:\n  success_callback: [os.environ/CB]\n"
    assert "list item" in only(lint_yaml(tmp_path, text), "DC207")[0].message


def test_dc104_in_yaml(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", "os.environ/OPENAI-KEY")
    text += "environment_variables:\n  9BAD: x\n"
    assert codes(lint_yaml(tmp_path, text)) == ["DC104", "DC104"]


def test_dc101_in_yaml(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", f"os.environ/{KEY}")
    (found,) = lint_yaml(tmp_path, text)
    assert found.code == "DC101" and KEY not in found.message


# -- DC208 invalid-routing-strategy ------------------------------------------------------------


def test_dc208(tmp_path: Path) -> None:
    bad = lint_yaml(tmp_path, CLEAN_YAML + "router_settings:\n  routing_strategy: least_busy\n")
    assert "did you mean 'least-busy'" in only(bad, "DC208")[0].hint
    good = lint_yaml(tmp_path, CLEAN_YAML + "router_settings:\n  routing_strategy: least-busy\n")
    assert "DC208" not in codes(good)


# -- DC209 undefined-fallback-group --------------------------------------------------------------


def test_dc209_fallback_to_and_from_undefined_groups(tmp_path: Path) -> None:
    text = CLEAN_YAML + ("router_settings:\n  fallbacks: [{gpt-4o: [claude]}, {gpt5: [gpt-4o]}]\n"
                         "  default_fallbacks: [gpt-4o]\n")
    found = only(lint_yaml(tmp_path, text), "DC209")
    assert [("to 'claude'" in d.message, "from 'gpt5'" in d.message) for d in found] == [
        (True, False), (False, True)]
    assert all(d.severity is Severity.ERROR for d in found)


def test_dc209_is_a_warning_when_models_live_elsewhere(tmp_path: Path) -> None:
    text = CLEAN_YAML + ("  store_model_in_db: true\n"
                         "router_settings:\n  fallbacks: [{gpt-4o: [claude]}]\n")
    assert only(lint_yaml(tmp_path, text), "DC209")[0].severity is Severity.WARNING


def test_dc209_wildcards_and_aliases_count(tmp_path: Path) -> None:
    text = CLEAN_YAML + ("  - model_name: openai/*\n    litellm_params: {model: openai/*}\n"
                         "router_settings:\n  model_group_alias: {fast: gpt-4o}\n"
                         "  fallbacks: [{gpt-4o: [fast, openai/gpt-4.1]}]\n")
    text = text.replace("general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n", "")
    text += "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n"
    assert "DC209" not in codes(lint_yaml(tmp_path, text))


# -- DC210 non-numeric-rate-limit ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "bad"), [("sixty", True), ("1.5", True), ("true", True),
                                            ("60", False), ('"60"', False), ("60.0", False),
                                            ("os.environ/RPM", False)])
def test_dc210(tmp_path: Path, value: str, bad: bool) -> None:
    text = CLEAN_YAML.replace("      api_key:", f"      rpm: {value}\n      api_key:")
    assert ("DC210" in codes(lint_yaml(tmp_path, text))) is bad


# -- DC211 config-unknown-provider -----------------------------------------------------------------


@pytest.mark.parametrize(("model", "bad"), [("Qwen/Qwen2.5-7B", True), ("zhipu/glm-4", True),
                                            ("my-local-model", True), ("gpt-4", False),
                                            ("hosted_vllm/qwen", False), ("openai/*", False)])
def test_dc211(tmp_path: Path, model: str, bad: bool) -> None:
    text = CLEAN_YAML.replace("model: openai/gpt-4o", f"model: {model}")
    assert ("DC211" in codes(lint_yaml(tmp_path, text))) is bad


def test_dc211_custom_llm_provider_overrides_the_prefix(tmp_path: Path) -> None:
    ok = CLEAN_YAML.replace("model: openai/gpt-4o",
                            "model: Qwen/Qwen2.5\n      custom_llm_provider: openai")
    assert "DC211" not in codes(lint_yaml(tmp_path, ok))
    bad = ok.replace("custom_llm_provider: openai", "custom_llm_provider: opnai")
    assert "DC211" in codes(lint_yaml(tmp_path, bad))


# -- DC212 weak-master-key ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "severity"), [("sk-1234", Severity.ERROR),
                                                 ('""', Severity.ERROR),
                                                 ("sk-local", Severity.WARNING)])
def test_dc212_weak(tmp_path: Path, value: str, severity: Severity) -> None:
    text = CLEAN_YAML.replace("os.environ/LITELLM_MASTER_KEY", value)
    (found,) = only(lint_yaml(tmp_path, text), "DC212")
    assert found.severity is severity


def test_dc212_missing_is_info(tmp_path: Path) -> None:
    text = CLEAN_YAML.replace("general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n",
                              "")
    assert only(lint_yaml(tmp_path, text), "DC212")[0].severity is Severity.INFO


def test_dc212_passes_on_a_ref_or_override(tmp_path: Path) -> None:
    override = CLEAN_YAML.replace("os.environ/LITELLM_MASTER_KEY", "sk-1234") + (
        "  dangerously_permit_weak_or_unset_master_key: true\n")
    assert "DC212" not in codes(lint_yaml(tmp_path, override))


# -- DC213 cache-means-redis ----------------------------------------------------------------------


@pytest.mark.parametrize(("settings", "bad"), [
    ("  cache: true\n", True),
    ("  cache: true\n  cache_params: {ttl: 60}\n", True),
    ("  cache: true\n  cache_params: {type: local}\n", False),
    ("  cache: false\n", False),
])
def test_dc213(tmp_path: Path, settings: str, bad: bool) -> None:
    text = CLEAN_YAML + "litellm_settings:\n" + settings
    assert ("DC213" in codes(lint_yaml(tmp_path, text))) is bad


# -- DC214 health-check-interval ------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "bad"), [
    ("router_settings:\n  health_check_interval: 300\n", True),
    ("general_settings:\n  health_check_interval: '300'\n", True),
    ("general_settings:\n  background_health_checks: true\n  health_check_interval: 300\n",
     False),
])
def test_dc214(tmp_path: Path, extra: str, bad: bool) -> None:
    text = CLEAN_YAML.replace("general_settings:\n", "") .replace(
        "  master_key: os.environ/LITELLM_MASTER_KEY\n", "")
    text += extra + ("" if "general_settings" in extra else "general_settings:\n")
    text += "  master_key: os.environ/LITELLM_MASTER_KEY\n"
    diags = lint_yaml(tmp_path, text)
    assert ("DC214" in codes(diags)) is bad
    assert "DC204" not in codes(diags)  # not also reported as an unknown router key


# -- DC215 include-not-list -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "bad"), [("models.yaml", True), ("[models.yaml, 3]", True),
                                            ("[models.yaml]", False)])
def test_dc215(tmp_path: Path, value: str, bad: bool) -> None:
    assert ("DC215" in codes(lint_yaml(tmp_path, CLEAN_YAML + f"include: {value}\n"))) is bad


# -- DC216 duplicate-model-id ---------------------------------------------------------------------


def test_dc216(tmp_path: Path) -> None:
    dep = ("  - model_name: m\n    litellm_params: {{model: openai/gpt-4o}}\n"
           "    model_info: {{id: {}}}\n")
    bad = CLEAN_YAML.replace("general_settings:", dep.format("a") + dep.format("a") +
                             "general_settings:")
    good = CLEAN_YAML.replace("general_settings:", dep.format("a") + dep.format("b") +
                              "general_settings:")
    assert codes(lint_yaml(tmp_path, bad)) == ["DC216"]
    assert lint_yaml(tmp_path, good) == []


# -- DC217 quoted-env-ref -------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ['"', "'"])
def test_dc217_quoted_ref_is_info(tmp_path: Path, quote: str) -> None:
    ref = "os.environ/OPENAI_API_KEY"
    text = CLEAN_YAML.replace(ref, f"{quote}{ref}{quote}")
    (found,) = lint_yaml(tmp_path, text)
    assert (found.code, found.severity) == ("DC217", Severity.INFO)


# -- DC218 duplicate-yaml-key ---------------------------------------------------------------------


def test_dc218(tmp_path: Path) -> None:
    text = CLEAN_YAML + "litellm_settings: {drop_params: true}\nlitellm_settings: {}\n"
    (found,) = only(lint_yaml(tmp_path, text), "DC218")
    assert found.line == 9
