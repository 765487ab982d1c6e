"""[credentials.NAME] in datumc.toml and [ai_model] credential: what the build writes,
what LiteLLM makes of it, the findings (DC228-DC230) on datums and on hand-written YAML
alike, the env inventory, and import. The real proxy is in tests/test_credentials_e2e.py.
"""

from __future__ import annotations

import importlib.util
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic, Severity
from datumc.importer.plan import import_text
from datumc.validate.credentials import CREDENTIAL_FIELDS
from tests.conftest import datum, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.importing import round_trip, write_config
from tests.helpers.lint import lint_project, lint_yaml, only

PROJECT = """\
[credentials.gateway]
description = "The team's OpenAI-compatible gateway"
api_key_env = "GATEWAY_KEY"
api_base_env = "GATEWAY_BASE"

[credentials.azure-east]
api_key_env = "AZURE_EAST_KEY"
api_base = "https://east.example.openai.azure.com"
api_version = "2025-01-01-preview"

[credentials.bedrock]
aws_access_key_id_env = "BEDROCK_KEY_ID"
aws_secret_access_key_env = "BEDROCK_SECRET"
aws_region_name = "eu-west-1"
"""
DATUMS = {
    "fast": datum("fast", provider="openai_compatible", litellm_model="openai/fast",
                  credential="gateway"),
    "smart": datum("smart", provider="openai", litellm_model="openai/gpt-4o",
                   credential="gateway"),
    "gpt-east": datum("gpt-east", provider="azure", litellm_model="azure/gpt-4o",
                      credential="azure-east"),
    "claude": datum("claude", provider="bedrock",
                    litellm_model="bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
                    credential="bedrock"),
}


def _build(root: Path, *targets: str) -> tuple[int, str, Any]:
    args = [arg for t in targets or ("litellm",) for arg in ("--target", t)]
    result = run_cli("build", *args, cwd=root)
    path = root / "build/litellm/config.yaml"
    config = yaml.safe_load(path.read_text()) if result.code == 0 else None
    return result.code, result.output, config


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Any]:
    root = write_project(tmp_path / "proj", DATUMS, PROJECT)
    code, output, config = _build(root, "litellm", "kubernetes")
    assert code == 0, output
    return root, config


def test_golden_credentials_config(built: tuple[Path, Any]) -> None:
    root, _ = built
    assert_golden((root / "build/litellm/config.yaml").read_bytes(), "credentials/config.yaml")
    assert_golden((root / "build/litellm/.env.example").read_bytes(),
                  "credentials/env.example")


def test_credential_list_and_the_datums_naming_it(built: tuple[Path, Any]) -> None:
    _, config = built
    assert config["credential_list"][0] == {
        "credential_name": "gateway",
        "credential_values": {"api_key": "os.environ/GATEWAY_KEY",
                              "api_base": "os.environ/GATEWAY_BASE"},
        "credential_info": {"description": "The team's OpenAI-compatible gateway"},
    }
    assert config["credential_list"][1]["credential_info"] == {}
    assert config["credential_list"][2]["credential_values"] == {
        "aws_access_key_id": "os.environ/BEDROCK_KEY_ID",
        "aws_secret_access_key": "os.environ/BEDROCK_SECRET", "aws_region_name": "eu-west-1"}
    names = [d["litellm_params"].get("litellm_credential_name") for d in config["model_list"]]
    assert sorted(names) == ["azure-east", "bedrock", "gateway", "gateway"]
    for deployment in config["model_list"]:
        assert not {"api_key", "api_base"} & set(deployment["litellm_params"])


def test_the_env_inventory_lists_the_credential_variables(built: tuple[Path, Any]) -> None:
    """And no longer the provider's default variable a credential replaces (the azure
    and openai datums would otherwise need AZURE_API_KEY, OPENAI_API_KEY)."""
    root, _ = built
    example = (root / "build/litellm/.env.example").read_text()
    secret = (root / "build/kubernetes/secret.template.yaml").read_text()
    for name in ("GATEWAY_KEY", "GATEWAY_BASE", "AZURE_EAST_KEY", "BEDROCK_KEY_ID",
                 "BEDROCK_SECRET"):
        assert f"\n{name}=" in example, example
        assert f"  {name}: \"\"" in secret, secret
    assert "# API key for credential gateway\nGATEWAY_KEY=" in example
    assert "OPENAI_API_KEY=" not in example and "AZURE_API_KEY=" not in example


def test_doctor_names_the_credential_variables(built: tuple[Path, Any]) -> None:
    root, _ = built
    result = run_cli("doctor", cwd=root)
    assert "GATEWAY_KEY" in result.output and "BEDROCK_SECRET" in result.output, result.output


@pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="litellm not installed")
def test_litellm_loads_the_list_and_fills_in_a_request(built: tuple[Path, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """LiteLLM's own loader and request hook, on the built file: os.environ/ refs in
    credential_list resolve, and a request gets each value its deployment does not set."""
    import litellm
    from litellm.proxy.proxy_server import ProxyConfig
    from litellm.utils import load_credentials_from_list

    root, _ = built
    monkeypatch.setenv("GATEWAY_KEY", "sk-gateway-test")
    monkeypatch.setenv("GATEWAY_BASE", "http://gateway.test/v1")
    proxy_config = ProxyConfig()
    raw = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    resolved = proxy_config._check_for_os_environ_vars(config=raw)
    items = proxy_config.load_credential_list(config=resolved)
    assert [i.credential_name for i in items] == ["gateway", "azure-east", "bedrock"]
    monkeypatch.setattr(litellm, "credential_list", items)
    kwargs = {"model": "openai/fast", "litellm_credential_name": "gateway"}
    load_credentials_from_list(kwargs)
    assert kwargs["api_key"] == "sk-gateway-test"
    assert kwargs["api_base"] == "http://gateway.test/v1"


# -- findings --------------------------------------------------------------------------


def _at(diag: Diagnostic) -> tuple[str, int, int]:
    return Path(diag.path).name, diag.line, diag.column


def _line(path: Path, needle: str) -> int:
    """The 1-based line of `path` that starts with `needle`."""
    lines = path.read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(needle))


def test_an_unknown_credential_is_an_error_at_the_datum_value(tmp_path: Path) -> None:
    datums = {**DATUMS, "typo": datum("typo", credential="gatewya")}
    root = write_project(tmp_path / "proj", datums, PROJECT)
    [found] = only(lint_project(root), "DC228")
    assert found.severity is Severity.ERROR
    line = _line(root / "datums/typo.ai_model.toml", "credential = ")
    assert _at(found) == ("typo.ai_model.toml", line, 14)
    assert "credential 'gatewya' is not defined" in found.message
    assert found.hint == "did you mean 'gateway'?"
    code, output, _ = _build(root)
    assert code == 1 and "DC228" in output


def test_an_unused_credential_is_a_warning_at_its_table(tmp_path: Path) -> None:
    datums = {k: v for k, v in DATUMS.items() if k != "claude"}
    root = write_project(tmp_path / "proj", datums, PROJECT)
    [found] = only(lint_project(root), "DC229")
    assert found.severity is Severity.WARNING
    assert _at(found) == ("datumc.toml", _line(root / "datumc.toml", "[credentials.bedrock]"),
                          14)
    assert "credential 'bedrock' is not used" in found.message
    code, output, _ = _build(root)
    assert code == 0, output


@pytest.mark.parametrize(("fields", "needle", "key"), [
    ({"api_key_env": "FAST_KEY"}, "api_key_env = ", "api_key"),
    ({"api_base": "http://fast:8000/v1"}, "api_base = ", "api_base"),
    ({"api_base_env": "FAST_BASE"}, "api_base_env = ", "api_base"),
    ({"parameters": {"api_version": "2024-10-21"}, "credential": "azure-east"},
     "api_version = ", "api_version"),
])
def test_a_value_from_both_datum_and_credential_is_an_error_at_the_datum_field(
    tmp_path: Path, fields: dict[str, Any], needle: str, key: str,
) -> None:
    fields = {"credential": "gateway", **fields}
    datums = {**DATUMS, "both": datum("both", provider="openai_compatible", **fields)}
    root = write_project(tmp_path / "proj", datums, PROJECT)
    [found] = only(lint_project(root), "DC230")
    assert found.severity is Severity.ERROR
    line = _line(root / "datums/both.ai_model.toml", needle)
    assert _at(found) == ("both.ai_model.toml", line, 1)
    assert f"both set {key}" in found.message and "'both'" in found.message
    code, _, _ = _build(root)
    assert code == 1


def test_a_datum_adds_what_its_credential_leaves_out(tmp_path: Path) -> None:
    """api_version next to a credential without one; no DC230, no DC107."""
    datums = {"fast": datum("fast", provider="openai_compatible", credential="gateway",
                            api_version="2024-10-21")}
    project = PROJECT.split("[credentials.azure-east]")[0]
    root = write_project(tmp_path / "proj", datums, project)
    code, output, config = _build(root)
    assert code == 0, output
    assert "DC107" not in output and "DC230" not in output
    assert config["model_list"][0]["litellm_params"]["api_version"] == "2024-10-21"


def test_without_a_credential_base_a_self_hosted_datum_still_needs_one(tmp_path: Path) -> None:
    project = '[credentials.key]\napi_key_env = "K"\n'
    datums = {"vllm": datum("vllm", provider="openai_compatible", credential="key")}
    root = write_project(tmp_path / "proj", datums, project)
    assert only(lint_project(root), "DC107")


YAML = """\
model_list:
  - model_name: fast
    litellm_params:
      model: openai/fast
      litellm_credential_name: gatewya
  - model_name: slow
    litellm_params:
      model: openai/slow
      litellm_credential_name: gateway
      api_key: os.environ/SLOW_KEY
credential_list:
  - credential_name: gateway
    credential_values: {api_key: os.environ/GATEWAY_KEY, api_base: os.environ/GATEWAY_BASE}
    credential_info: {}
  - credential_name: spare
    credential_values: {api_key: os.environ/SPARE_KEY}
    credential_info: {}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def test_hand_written_yaml_gets_the_same_findings(tmp_path: Path) -> None:
    diags = lint_yaml(tmp_path, YAML)
    [unknown] = only(diags, "DC228")
    assert _at(unknown) == ("config.yaml", 5, 32) and unknown.hint == "did you mean 'gateway'?"
    [unused] = only(diags, "DC229")
    assert _at(unused) == ("config.yaml", 15, 22) and "'spare'" in unused.message
    [overlap] = only(diags, "DC230")
    assert _at(overlap) == ("config.yaml", 10, 7)
    assert "model_list[1].litellm_params.api_key and credential 'gateway'" in overlap.message


def test_with_models_in_the_database_an_unknown_credential_is_a_warning(tmp_path: Path) -> None:
    text = YAML.replace("  master_key:", "  store_model_in_db: true\n  master_key:")
    diags = lint_yaml(tmp_path, text)
    assert [d.severity for d in only(diags, "DC228")] == [Severity.WARNING]
    assert not only(diags, "DC229")


def test_a_credential_used_by_a_vector_store_is_used(tmp_path: Path) -> None:
    text = YAML + "vector_store_registry:\n  - litellm_credential_name: spare\n"
    assert not only(lint_yaml(tmp_path, text), "DC229")


# -- bad [credentials] tables --------------------------------------------------------------


@pytest.mark.parametrize(("table", "message"), [
    ('api_kye_env = "K"', "credentials.bad.api_kye_env: extra inputs are not permitted"),
    ('api_base = "http://x"\napi_base_env = "X"', "set api_base or api_base_env, not both"),
    ('description = "nothing else"', "sets no value"),
    ('api_key_env = "sk-live-123"', "not a valid environment variable name"),
    ("api_version = 2024", "api_version"),
])
def test_a_bad_credential_table_is_an_error_at_its_line(tmp_path: Path, table: str,
                                                        message: str) -> None:
    root = write_project(tmp_path / "proj", {}, f"[credentials.bad]\n{table}\n")
    code, output, _ = _build(root)
    assert code == 1
    assert "datumc.toml:" in output and message in output, output
    assert "sk-live-123" not in output


def test_credential_list_in_extra_sections_next_to_credentials_is_refused(
    tmp_path: Path,
) -> None:
    project = PROJECT + "\n[extra_sections]\ncredential_list = []\n"
    code, output, _ = _build(write_project(tmp_path / "proj", DATUMS, project))
    assert code == 1
    assert "DC006" in output and "may not set 'credential_list'" in output, output
    assert "[credentials] tables" in output


# -- import ---------------------------------------------------------------------------------


IMPORTED = """\
model_list:
  - model_name: fast
    litellm_params:
      model: openai/fast
      litellm_credential_name: gateway
credential_list:
  - credential_name: gateway
    credential_values:
      api_key: sk-proj-abcdefABCDEF1234567890abcdefABCDEF12345678
      api_base: os.environ/GATEWAY_BASE
      api_version: "2024-10-21"
    credential_info: {description: the gateway}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def test_import_maps_credential_list_to_tables_and_round_trips(tmp_path: Path) -> None:
    trip = round_trip(write_config(tmp_path / "config.yaml", IMPORTED), tmp_path / "out")
    assert trip.built is not None and trip.built.code == 0, trip.imported.output
    assert trip.project["credentials"] == {"gateway": {
        "description": "the gateway", "api_key_env": "GATEWAY_API_KEY",
        "api_base_env": "GATEWAY_BASE", "api_version": "2024-10-21"}}
    assert trip.datum(1)["ai_model"]["credential"] == "gateway"
    assert "DC032" in trip.imported.output and "sk-proj-abc" not in trip.imported.output
    source = yaml.safe_load(IMPORTED)
    source["credential_list"][0]["credential_values"]["api_key"] = "os.environ/GATEWAY_API_KEY"
    assert trip.config["credential_list"] == source["credential_list"]
    assert trip.config["model_list"] == source["model_list"]


def test_a_list_datumc_has_no_table_for_stays_verbatim(tmp_path: Path) -> None:
    text = IMPORTED.replace("{description: the gateway}", "{custom_llm_provider: openai}")
    trip = round_trip(write_config(tmp_path / "config.yaml", text), tmp_path / "out")
    assert trip.built is not None and trip.built.code == 0, trip.built
    assert "credential_list kept verbatim in [extra_sections]" in trip.imported.output
    assert "credentials" not in trip.project
    kept = trip.project["extra_sections"]["credential_list"][0]
    assert kept["credential_values"]["api_key"].startswith("os.environ/")
    assert "sk-proj-abc" not in trip.imported.output
    assert trip.config["credential_list"][0]["credential_info"] == {
        "custom_llm_provider": "openai"}


env_names = st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True)
# Literal values no secret or placeholder detector takes for a key (those move to env).
literals = st.from_regex(r"[a-z][a-z0-9.:/-]{0,15}", fullmatch=True)
texts = st.text(st.characters(categories=("L", "Nd", "Zs")), min_size=1,
                max_size=30).map(str.strip).filter(bool)
tables = st.fixed_dictionaries({}, optional={
    field: env_names if field.endswith("_env") else literals
    for field in CREDENTIAL_FIELDS if field != "api_base_env"
} | {"description": texts}).filter(lambda t: set(t) - {"description"})


@settings(max_examples=40, deadline=None)
@given(table=tables, name=st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True))
def test_import_of_a_built_credential_gives_the_table_back(table: dict[str, Any],
                                                           name: str) -> None:
    """build -> import is the identity on [credentials] tables (no secret is literal, so
    nothing moves to a new env var)."""
    datum_text = datum("m", credential=name)
    project = tomli_w.dumps({"credentials": {name: table}})
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "proj", {"m": datum_text}, project)
        code, output, _ = _build(root)
        assert code == 0, output
        text = (root / "build/litellm/config.yaml").read_text()
    result = import_text(text)
    assert result.ok, [str(d) for d in result.diagnostics]
    [toml] = [o.content for o in result.outputs if o.relpath == "datumc.toml"]
    assert tomllib.loads(toml.decode())["credentials"] == {name: table}


@pytest.mark.parametrize(("old", "new", "needle"), [
    ('api_base = "https://east.example.openai.azure.com"',
     'api_base = "https://<your-resource>.openai.azure.com"', "api_base = "),
    ('api_version = "2025-01-01-preview"', 'api_version = "<api-version>"', "api_version = "),
    ('aws_region_name = "eu-west-1"', 'aws_region_name = "<your-region>"', "aws_region_name = "),
])
def test_template_text_in_a_credential_is_an_error_at_its_line(
    tmp_path: Path, old: str, new: str, needle: str,
) -> None:
    root = write_project(tmp_path / "proj", DATUMS, PROJECT.replace(old, new))
    [found] = only(lint_project(root), "DC220")
    assert found.severity is Severity.ERROR and "template text" in found.message
    line = _line(root / "datumc.toml", needle)
    assert _at(found)[:2] == ("datumc.toml", line)
    code, output, _ = _build(root)
    assert code == 1 and "DC220" in output


def test_template_text_in_a_hand_written_credential_is_found(tmp_path: Path) -> None:
    text = YAML.replace("{api_key: os.environ/GATEWAY_KEY,", '{api_key: "<your-api-key-here>",')
    [found] = only(lint_yaml(tmp_path, text), "DC220")
    assert _at(found)[:2] == ("config.yaml", 13)
    assert "'<your-api-key-here>'" in found.message
