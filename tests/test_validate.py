"""Schema errors, unknown keys and b00t extras become positioned diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import datum, run_cli


def _lint_json(root: Path) -> list[dict]:
    result = run_cli("lint", "--format", "json", cwd=root)
    body = json.loads(result.stdout)
    assert set(body) == {"diagnostics", "summary"}
    return body["diagnostics"]


def _write(root: Path, text: str, name: str = "m.ai_model.toml") -> None:
    (root / "datums").mkdir(parents=True, exist_ok=True)
    (root / "datums" / name).write_text(text)


BASE = '[b00t]\nname = "m"\ntype = "ai_model"\n\n[ai_model]\nprovider = "openai"\n' \
       'litellm_model = "openai/gpt-4o"\n'


@pytest.mark.parametrize(
    ("extra", "code", "line", "col", "needle", "hint"),
    [
        ("rpm_limt = 60\n", "DC004", 8, 1, "unknown key 'rpm_limt'", "did you mean 'rpm_limit'"),
        ("tpm_limt = 60\n", "DC004", 8, 1, "unknown key 'tpm_limt'", "did you mean 'tpm_limit'"),
        ('rpm_limit = "60"\n', "DC003", 8, 13, "must be an integer", "remove the quotes"),
        ("rpm_limit = 0\n", "DC003", 8, 13, "greater than or equal to 1", ""),
        ('size = "huge"\n', "DC003", 8, 8, "'huge' is not a size", ""),
        ('capabilities = ["chat", "visoin"]\n', "DC003", 8, 25, "'visoin' is not a capability", ""),
        ("enabled = 1\n", "DC003", 8, 11, "must be true or false", "without quotes"),
        ('api_key_env = "sk-live 123"\n', "DC104", 8, 15, "not a valid environment variable", ""),
        ('api_base = "http://x"\napi_base_env = "X"\n', "DC003", 5, 2, "not both", ""),
        ("timeout = -1\n", "DC003", 8, 11, "greater than 0", ""),
        ("[ai_model.parameters]\nx = " + "{ k = " * 20 + "1" + " }" * 20 + "\n",
         "DC003", 8, 11, "nests deeper", ""),
    ],
)
def test_schema_diagnostics_have_positions(
    tmp_path: Path, extra: str, code: str, line: int, col: int, needle: str, hint: str
) -> None:
    _write(tmp_path, BASE + extra)
    diags = [d for d in _lint_json(tmp_path) if d["code"] == code]
    assert diags, _lint_json(tmp_path)
    d = diags[0]
    assert (d["path"], d["line"], d["column"]) == ("datums/m.ai_model.toml", line, col), d
    assert needle in d["message"]
    assert hint in d["hint"]


def test_missing_required_keys_point_at_their_table(tmp_path: Path) -> None:
    _write(tmp_path, '[b00t]\ntype = "ai_model"\n\n[ai_model]\nprovider = "openai"\n')
    diags = _lint_json(tmp_path)
    missing = {d["message"]: (d["line"], d["column"]) for d in diags}
    assert missing["b00t.name: required key is missing"] == (1, 2)
    assert missing["ai_model.litellm_model: required key is missing"] == (4, 2)


def test_toml_syntax_error_position(tmp_path: Path) -> None:
    _write(tmp_path, BASE + "rpm_limit = = 3\n")
    [d] = _lint_json(tmp_path)
    assert d["code"] == "DC001"
    assert (d["line"], d["column"]) == (8, 13)
    assert d["severity"] == "error"


def test_unknown_key_is_a_warning_and_build_still_succeeds(tmp_path: Path) -> None:
    _write(tmp_path, BASE + "rpm_limt = 60\n")
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 0
    assert "datums/m.ai_model.toml:8:1: warning DC004 unknown key 'rpm_limt'" in result.stderr
    assert "did you mean 'rpm_limit'?" in result.stderr


def test_secret_in_env_name_is_never_echoed(tmp_path: Path) -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
    _write(tmp_path, BASE + f'api_key_env = "{secret}"\n')
    result = run_cli("lint", cwd=tmp_path)
    assert result.code == 1
    assert secret not in result.output
    assert secret[10:30] not in result.output


def test_b00t_extras_are_info(tmp_path: Path) -> None:
    _write(tmp_path, BASE + '[[ai_model.variants]]\nid = "a"\n\n[[b00t.usage]]\ncommand = "x"\n')
    diags = _lint_json(tmp_path)
    extras = [d for d in diags if d["code"] == "DC008"]
    assert {d["severity"] for d in extras} == {"info"}
    assert {(d["line"], d["column"]) for d in extras} == {(8, 12), (11, 8)}


def test_capability_and_size_aliases(project) -> None:
    root = project({"a": datum("a", size="ch0nky",
                               capabilities=["tool_use", "multimodal", "thinking", "tools"])})
    assert run_cli("build", cwd=root).code == 0
    text = (root / "build/litellm/config.yaml").read_text()
    assert "supports_function_calling: true" in text
    assert "supports_vision: true" in text
    assert "supports_reasoning: true" in text
