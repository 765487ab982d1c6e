"""JSON Schemas: generated from the models, committed, and used to validate datums in CI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from datumc.commands.schema import SCHEMAS, schema_text
from tests.conftest import REPO, run_cli


def test_committed_schemas_are_fresh() -> None:
    result = run_cli("schema", "--check", "--dir", REPO / "schemas")
    assert result.code == 0, result.output + " (run `datumc schema` to regenerate)"


def test_schema_check_detects_staleness(tmp_path: Path) -> None:
    assert run_cli("schema", "--check", "--dir", tmp_path).code == 1
    assert run_cli("schema", "--dir", tmp_path).code == 0
    assert run_cli("schema", "--check", "--dir", tmp_path).code == 0
    (tmp_path / "ai_model.schema.json").write_text("{}")
    result = run_cli("schema", "--check", "--dir", tmp_path)
    assert result.code == 1
    assert "ai_model.schema.json" in result.stderr


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "schemas" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted((REPO / "datums").glob("*.toml")), ids=lambda p: p.name)
def test_bundled_datums_validate_against_json_schema(path: Path) -> None:
    errors = list(_validator("ai_model.schema.json").iter_errors(tomllib.loads(path.read_text())))
    assert not errors, [e.message for e in errors]


def test_project_file_validates_against_json_schema() -> None:
    data = tomllib.loads((REPO / "datumc.toml").read_text())
    assert not list(_validator("datumc.schema.json").iter_errors(data))


def test_corpus_datums_validate_against_json_schema(corpus: Path) -> None:
    validator = _validator("ai_model.schema.json")
    files = sorted((corpus / "b00t").glob("*model/*.toml"))
    assert len(files) == 21
    for path in files:
        errors = list(validator.iter_errors(tomllib.loads(path.read_text())))
        assert not errors, (path.name, [e.message for e in errors])


def test_json_schema_rejects_typos_for_editors() -> None:
    validator = _validator("ai_model.schema.json")
    bad = {"b00t": {"name": "x", "type": "ai_model"},
           "ai_model": {"provider": "openai", "litellm_model": "openai/x", "rpm_limt": 5}}
    assert any("rpm_limt" in e.message for e in validator.iter_errors(bad))
    bad_env = {"b00t": {"name": "x", "type": "ai_model"},
               "ai_model": {"provider": "openai", "litellm_model": "openai/x",
                            "api_key_env": "sk-not a name"}}
    assert list(validator.iter_errors(bad_env))


def test_schema_text_is_deterministic() -> None:
    for model in SCHEMAS.values():
        assert schema_text(model) == schema_text(model)
