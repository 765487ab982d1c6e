"""[observability], [alerting] and guardrails: what the build writes, the env inventory, the
lint rules (DC234-DC236), import, and the snapshot in data/integrations.json.

The real proxy registering the callbacks and sending an alert: tests/test_integrations_e2e.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.data import env_facts
from datumc.data.integrations import alert_types, integration_facts
from tests.conftest import datum, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.importing import round_trip, write_config
from tests.helpers.lint import codes, lint_yaml, only
from tests.helpers.snapshots import assert_snapshot_current

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "snapshot_integrations.py"
SNAPSHOT = REPO / "compiler" / "datumc" / "data" / "integrations.json"
MODEL = datum("m", api_key_env="M_API_KEY")
PROJECT = """
[observability]
callbacks = ["langsmith"]
success_callbacks = ["langfuse"]
failure_callbacks = ["sentry"]

[alerting]
slack_webhook_env = "OPS_SLACK_WEBHOOK"
alert_types = ["llm_exceptions", "llm_too_slow"]
alerting_threshold = 120
"""


def _build(root: Path, *target: str) -> tuple[int, str]:
    result = run_cli("build", "--target", *(target or ("litellm",)), cwd=root)
    return result.code, result.output


def _config(root: Path) -> Any:
    return yaml.safe_load((root / "build/litellm/config.yaml").read_text())


def _env_names(root: Path) -> dict[str, bool]:
    """Names in .env.example: True for a line to fill in, False for an optional comment."""
    names: dict[str, bool] = {}
    for line in (root / "build/litellm/.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            names[line.split("=", 1)[0]] = True
        elif "(optional):" in line:
            names.update(dict.fromkeys(line.split("):", 1)[1].replace(" ", "").split(","), False))
    return names


def test_golden(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, PROJECT)
    code, output = _build(root)
    assert code == 0, output
    assert_golden((root / "build/litellm/config.yaml").read_bytes(), "integrations/config.yaml")
    assert_golden((root / "build/litellm/.env.example").read_bytes(),
                  "integrations/env.example")


def test_planned_keys_are_the_pass_through_ones(tmp_path: Path) -> None:
    """[observability] writes exactly what the same lists in [litellm_settings] would."""
    ours = write_project(tmp_path / "ours", {"m": MODEL},
                         '[observability]\ncallbacks = ["prometheus", "otel"]\n'
                         'success_callbacks = ["langfuse"]\n')
    theirs = write_project(tmp_path / "theirs", {"m": MODEL},
                           '[litellm_settings]\ncallbacks = ["prometheus", "otel"]\n'
                           'success_callback = ["langfuse"]\n')
    for root in (ours, theirs):
        assert _build(root)[0] == 0
    assert _config(ours) == _config(theirs)


def test_config_and_env_inventory(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, PROJECT)
    assert _build(root)[0] == 0
    config = _config(root)
    assert config["litellm_settings"] == {"callbacks": ["langsmith"],
                                          "success_callback": ["langfuse"],
                                          "failure_callback": ["sentry"]}
    general = config["general_settings"]
    assert general["alerting"] == ["slack"] and general["alerting_threshold"] == 120
    assert general["alert_to_webhook_url"] == {
        "llm_exceptions": "os.environ/OPS_SLACK_WEBHOOK",
        "llm_too_slow": "os.environ/OPS_SLACK_WEBHOOK"}
    names = _env_names(root)
    facts = env_facts()["callbacks"]
    for callback in ("langsmith", "langfuse", "sentry"):
        assert all(names.get(n) is True for n in facts[callback]["required"]), callback
        assert all(n in names for n in facts[callback]["optional"]), callback
    assert names["OPS_SLACK_WEBHOOK"] is True
    # routed per alert type, so LiteLLM never needs SLACK_WEBHOOK_URL (slack_alerting.py:1548)
    assert names["SLACK_WEBHOOK_URL"] is False


def test_default_webhook_env_is_required(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, "[alerting]\n")
    assert _build(root)[0] == 0
    general = _config(root)["general_settings"]
    assert general["alerting"] == ["slack"] and "alert_to_webhook_url" not in general
    assert _env_names(root)["SLACK_WEBHOOK_URL"] is True


def test_kubernetes_secret_lists_the_integration_env(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, PROJECT)
    code, output = _build(root, "kubernetes")
    assert code == 0, output
    text = "\n".join(p.read_text() for p in (root / "build/kubernetes").rglob("*.yaml"))
    for name in ("LANGSMITH_API_KEY", "LANGFUSE_PUBLIC_KEY", "OPS_SLACK_WEBHOOK"):
        assert name in text, name


def test_doctor_checks_the_integration_env(tmp_path: Path) -> None:
    """doctor reads the same inventory: a .env without the integrations' variables fails."""
    root = write_project(tmp_path / "p", {"m": MODEL}, PROJECT)
    env = root / ".env"
    env.write_text("LITELLM_MASTER_KEY=sk-doctor-test-key-1234567890\nM_API_KEY=x\n")
    env.chmod(0o600)
    result = run_cli("doctor", "--url", "http://127.0.0.1:9", cwd=root)
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL  .env: missing"))
    missing = set(line.split("missing ", 1)[1].split(", "))
    assert missing == {"LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGSMITH_API_KEY",
                       "OPS_SLACK_WEBHOOK", "SENTRY_DSN"}, line


@pytest.mark.parametrize(("table", "key", "fix"), [
    ("litellm_settings", 'callbacks = ["otel"]', "[observability] callbacks"),
    ("litellm_settings", 'success_callback = ["otel"]', "[observability] success_callbacks"),
    ("general_settings", "alerting_threshold = 5", "[alerting] alerting_threshold"),
    ("general_settings", 'alerting = ["slack"]', "[alerting]"),
])
def test_same_key_twice_is_an_error(tmp_path: Path, table: str, key: str, fix: str) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, f"{PROJECT}\n[{table}]\n{key}\n")
    code, output = _build(root)
    assert code != 0
    assert "DC006" in output and f"[{table}] may not set" in output and fix in output, output
    assert "datumc.toml:" in output, output


@pytest.mark.parametrize(("body", "message"), [
    ('[observability]\ncallbacks = ["langfusee"]', "did you mean 'langfuse'"),
    ('[alerting]\nalert_types = ["llm_exception"]', "did you mean 'llm_exceptions'"),
    ('[alerting]\nalert_types = ["nope"]', "not a LiteLLM alert type"),
    ('[alerting]\nslack_webhook = "X"', "slack_webhook"),
    ("[alerting]\nalerting_threshold = 0", "alerting_threshold"),
])
def test_invalid_tables_are_reported_at_their_line(tmp_path: Path, body: str,
                                                   message: str) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, body + "\n")
    code, output = _build(root)
    assert code != 0 and message in output, output
    assert "datumc.toml:2:" in output and "Traceback" not in output, output


def test_dotted_handler_is_accepted(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL},
                         '[observability]\ncallbacks = ["custom_callbacks.handler"]\n')
    assert _build(root)[0] == 0
    assert _config(root)["litellm_settings"]["callbacks"] == ["custom_callbacks.handler"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(types=st.lists(st.sampled_from(sorted(alert_types())), unique=True, min_size=1,
                      max_size=4),
       threshold=st.one_of(st.none(), st.integers(1, 86400)),
       env=st.sampled_from(["SLACK_WEBHOOK_URL", "OPS_HOOK"]),
       callbacks=st.lists(st.sampled_from(["langfuse", "otel", "datadog", "langsmith"]),
                          unique=True, max_size=3))
def test_import_round_trips(tmp_path: Path, types: list[str], threshold: int | None, env: str,
                            callbacks: list[str]) -> None:
    """build(import(x)) == x for the shapes [observability]/[alerting] cover."""
    general: dict[str, Any] = {"master_key": "os.environ/LITELLM_MASTER_KEY",
                               "alerting": ["slack"], "alert_types": types}
    if threshold is not None:
        general["alerting_threshold"] = threshold
    if env != "SLACK_WEBHOOK_URL":
        general["alert_to_webhook_url"] = dict.fromkeys(types, f"os.environ/{env}")
    source = {"model_list": [{"model_name": "m", "litellm_params": {
        "model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY"}}],
        "litellm_settings": {"success_callback": callbacks, "failure_callback": ["sentry"]},
        "general_settings": general}
    case = tmp_path / uuid.uuid4().hex  # one tmp_path serves every example
    case.mkdir()
    result = round_trip(write_config(case / "config.yaml", yaml.safe_dump(source)), case / "p")
    assert result.built is not None and result.built.code == 0, result.imported.output
    assert "observability" in result.project and "alerting" in result.project
    assert "general_settings" not in result.project
    built = result.config
    assert built["litellm_settings"] == source["litellm_settings"]
    assert built["general_settings"] == general


def test_import_keeps_what_alerting_cannot_say(tmp_path: Path) -> None:
    general = {"master_key": "os.environ/LITELLM_MASTER_KEY", "alerting": ["slack", "email"],
               "alert_types": ["llm_exceptions"]}
    source = {"model_list": [{"model_name": "m", "litellm_params": {"model": "openai/gpt-4o"}}],
              "general_settings": general}
    result = round_trip(write_config(tmp_path / "c.yaml", yaml.safe_dump(source)),
                        tmp_path / "p")
    assert result.built is not None and result.built.code == 0
    assert "alerting" not in result.project
    assert result.config["general_settings"] == general


# -- lint --------------------------------------------------------------------------------


def test_dc234_package_missing_from_image(tmp_path: Path) -> None:
    diags = lint_yaml(tmp_path, "litellm_settings:\n  success_callback: [langfuse, mlflow]\n"
                      "  callbacks: [prometheus, otel, wandb]\n")
    found = only(diags, "DC234")
    assert [d.line for d in found] == [2, 3], found
    assert "mlflow" in found[0].message and "pip install mlflow" in found[0].hint
    assert "wandb" in found[1].message


GUARDRAILS = """
model_list:
  - model_name: m
    litellm_params: {model: openai/gpt-4o, guardrails: [pii, missing]}
guardrails:
  - guardrail_name: pii
    litellm_params: {guardrail: presidio, mode: pre_call}
  - guardrail_name: bad
    litellm_params: {guardrail: presido, mode: pre_cal}
  - litellm_params: {guardrail: lakera_v2, mode: [pre_call, post_call]}
"""


def test_dc235_unknown_guardrail(tmp_path: Path) -> None:
    found = only(lint_yaml(tmp_path, GUARDRAILS), "DC235")
    messages = [d.message for d in found]
    assert len(found) == 3, messages
    assert "'presido' is not a guardrail provider" in messages[0]
    assert "did you mean 'presidio'" in found[0].hint
    assert "'pre_cal' is not a guardrail mode" in messages[1]
    assert "no guardrail_name" in messages[2]


def test_dc236_undefined_guardrail(tmp_path: Path) -> None:
    found = only(lint_yaml(tmp_path, GUARDRAILS), "DC236")
    assert len(found) == 1 and "'missing'" in found[0].message and found[0].line == 4


def test_clean_guardrails(tmp_path: Path) -> None:
    text = GUARDRAILS.replace("presido", "presidio").replace("pre_cal}", "pre_call}").replace(
        ", missing", "").replace("  - litellm_params: {guardrail: lakera_v2",
                                 "  - guardrail_name: lk\n    litellm_params: {guardrail: "
                                 "lakera_v2")
    assert not {"DC235", "DC236"} & set(codes(lint_yaml(tmp_path, text)))


def test_guardrail_env_in_inventory(tmp_path: Path) -> None:
    """A guardrail's provider variables are listed unless it sets api_key / api_base."""
    project = ('[[extra_sections.guardrails]]\nguardrail_name = "lk"\n'
               '[extra_sections.guardrails.litellm_params]\nguardrail = "lakera_v2"\n'
               'mode = "pre_call"\n')
    root = write_project(tmp_path / "p", {"m": MODEL}, project)
    code, output = _build(root)
    assert code == 0, output
    names = _env_names(root)
    assert names.get("LAKERA_API_KEY") is False and names.get("LAKERA_API_BASE") is False
    given_key = project + 'api_key = "os.environ/MY_LAKERA"\n'
    root = write_project(tmp_path / "q", {"m": MODEL}, given_key)
    assert _build(root)[0] == 0
    names = _env_names(root)
    assert names.get("MY_LAKERA") is True and "LAKERA_API_KEY" not in names


GUARDRAIL_TABLES = """
[[guardrails]]
name = "pii"
provider = "presidio"
mode = ["pre_call", "post_call"]
default_on = true

[[guardrails]]
name = "inject"
provider = "lakera_v2"
mode = "pre_call"
api_key_env = "MY_LAKERA_KEY"
params = { on_flagged = "block" }
"""


def test_guardrail_tables(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, GUARDRAIL_TABLES)
    code, output = _build(root)
    assert code == 0, output
    assert_golden((root / "build/litellm/config.yaml").read_bytes(),
                  "integrations/guardrails.yaml")
    assert _config(root)["guardrails"][1] == {
        "guardrail_name": "inject",
        "litellm_params": {"guardrail": "lakera_v2", "mode": "pre_call",
                           "api_key": "os.environ/MY_LAKERA_KEY", "on_flagged": "block"}}
    names = _env_names(root)
    assert names["MY_LAKERA_KEY"] is True and "LAKERA_API_KEY" not in names
    example = (root / "build/litellm/.env.example").read_text()
    assert "# API key for guardrail inject\nMY_LAKERA_KEY=" in example
    assert names["LAKERA_API_BASE"] is False and names["PRESIDIO_ANALYZER_API_BASE"] is False


@pytest.mark.parametrize(("edit", "message"), [
    (('provider = "presidio"', 'provider = "presido"'), "did you mean 'presidio'"),
    (('mode = "pre_call"', 'mode = "pre_cal"'), "'pre_cal' is not a guardrail mode"),
    (('name = "inject"', 'name = "pii"'), "two guardrails are named 'pii'"),
    (('on_flagged = "block"', 'api_key = "sk-x"'), "params may not set api_key"),
    (('default_on = true', "default_on = true\nkind = 1"), "kind"),
])
def test_guardrail_table_errors(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, GUARDRAIL_TABLES.replace(*edit))
    code, output = _build(root)
    assert code != 0 and message in output and "datumc.toml:" in output, output


def test_guardrails_twice_is_an_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL},
                         GUARDRAIL_TABLES + "\n[extra_sections]\nguardrails = []\n")
    code, output = _build(root)
    assert code != 0 and "[extra_sections] may not set 'guardrails'" in output, output
    assert "[[guardrails]]" in output


def test_guardrails_import_round_trip(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"m": MODEL}, GUARDRAIL_TABLES)
    assert _build(root)[0] == 0
    trip = round_trip(root / "build/litellm/config.yaml", tmp_path / "back")
    assert trip.built is not None and trip.built.code == 0, trip.imported.output
    assert [g["name"] for g in trip.project["guardrails"]] == ["pii", "inject"]
    assert "extra_sections" not in trip.project
    assert trip.config["guardrails"] == _config(root)["guardrails"]


_GUARDRAIL = st.fixed_dictionaries({
    "provider": st.sampled_from(["presidio", "lakera_v2", "aporia", "bedrock"]),
    "mode": st.one_of(st.sampled_from(["pre_call", "post_call", "during_call"]),
                      st.lists(st.sampled_from(["pre_call", "post_call"]), min_size=1,
                               max_size=2, unique=True)),
}, optional={
    "default_on": st.booleans(),
    "api_key_env": st.sampled_from(["G_KEY", "OTHER_KEY"]),
    "api_base_env": st.just("G_BASE"),
    "params": st.fixed_dictionaries({}, optional={"on_flagged": st.sampled_from(["block",
                                                                               "monitor"])}),
})


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=st.lists(_GUARDRAIL, min_size=1, max_size=3))
def test_guardrail_tables_round_trip(tmp_path: Path, tables: list[dict[str, Any]]) -> None:
    """build -> import -> build gives the same guardrails list, through [[guardrails]]."""
    case = tmp_path / uuid.uuid4().hex
    named = [{"name": f"g{i}", **t} for i, t in enumerate(tables)]
    root = write_project(case / "p", {"m": MODEL}, tomli_w.dumps({"guardrails": named}))
    code, output = _build(root)
    assert code == 0, output
    trip = round_trip(root / "build/litellm/config.yaml", case / "back")
    assert trip.built is not None and trip.built.code == 0, trip.imported.output
    assert trip.project["guardrails"] == [{k: v for k, v in t.items() if v != {}}
                                          for t in named]
    assert trip.config["guardrails"] == _config(root)["guardrails"]


def test_guardrail_with_a_hardcoded_key_stays_verbatim(tmp_path: Path) -> None:
    source = {"model_list": [{"model_name": "m", "litellm_params": {"model": "openai/gpt-4o"}}],
              "guardrails": [{"guardrail_name": "g", "litellm_params": {
                  "guardrail": "lakera_v2", "mode": "pre_call",
                  "api_key": "sk-live-0123456789abcdefghijklmnop"}}]}
    trip = round_trip(write_config(tmp_path / "c.yaml", yaml.safe_dump(source)),
                      tmp_path / "p")
    assert "guardrails" not in trip.project
    kept = trip.project["extra_sections"]["guardrails"][0]["litellm_params"]["api_key"]
    assert kept.startswith("os.environ/")
    assert "0123456789abcdef" not in (tmp_path / "p/datumc.toml").read_text()


def test_explain_texts() -> None:
    for code in ("DC234", "DC235", "DC236"):
        result = run_cli("explain", code)
        assert result.code == 0 and "Bad:" in result.output, result.output


# -- the snapshot --------------------------------------------------------------------------


def test_snapshot_is_what_the_script_produces_now() -> None:
    assert_snapshot_current(SCRIPT, SNAPSHOT)


def test_snapshot_facts() -> None:
    facts = integration_facts()
    # types/integrations/slack_alerting.py:163 AlertType
    assert {"llm_exceptions", "llm_too_slow", "budget_alerts"} <= set(facts["alert_types"])
    assert set(facts["default_alert_types"]) <= set(facts["alert_types"])
    # types/guardrails.py:913 GuardrailEventHooks
    assert {"pre_call", "post_call", "during_call"} <= set(facts["guardrail_modes"])
    guardrails = facts["guardrails"]
    assert {"presidio", "lakera_v2", "bedrock", "aporia"} <= set(guardrails)
    assert "LAKERA_API_KEY" in guardrails["lakera_v2"]["reads"]
    packages = facts["packages"]
    # the image's extras (proxy-runtime: prometheus-client, opentelemetry-sdk) hold these, not
    # mlflow (an extra the image does not install), wandb or lunary
    assert packages["otel"]["in_image"] and packages["prometheus"]["in_image"]
    assert not packages["mlflow"]["in_image"] and not packages["wandb"]["in_image"]
    assert all(p["source"].startswith("litellm/") for p in packages.values())
    image = facts["image_requirements"]["distributions"]
    assert {"prometheus-client", "opentelemetry-sdk", "sentry-sdk", "boto3"} <= set(image)
    assert "mlflow" not in image and "tiktoken" in image  # a base dependency with a marker
    assert set(packages) <= set(env_facts()["callbacks"])
