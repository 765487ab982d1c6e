"""[lint] settings and inline `# datumc:` comments, in datums, LiteLLM YAML and .env files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from datumc.diagnostics import Severity
from datumc.lint.suppress import parse_suppressions
from tests.conftest import datum
from tests.helpers.lint import CLEAN_YAML, codes, lint_env, lint_project, lint_yaml, only

Project = Callable[..., Path]
HTTP = {"api_base": "http://gpu-box.lan:8000/v1", "api_key_env": "K"}


def _http_datum(comment: str = "") -> str:
    text = datum("a", **HTTP)
    return text.replace('api_base = "http://gpu-box.lan:8000/v1"',
                        f'api_base = "http://gpu-box.lan:8000/v1"{comment}')


def test_toml_finding_without_suppression(project: Project) -> None:
    assert codes(lint_project(project({"a": _http_datum()}))) == ["DC111"]


@pytest.mark.parametrize("comment", ["  # datumc: disable=DC111",
                                     "  # datumc: disable=plaintext-http-with-key",
                                     "  # datumc: disable=DC105, dc111",
                                     "  # datumc: disable=all"])
def test_toml_inline_disable(project: Project, comment: str) -> None:
    assert lint_project(project({"a": _http_datum(comment)})) == []


def test_toml_inline_disable_is_per_line_and_per_code(project: Project) -> None:
    text = _http_datum().replace("[ai_model]", "[ai_model]  # datumc: disable=DC111")
    assert codes(lint_project(project({"a": text}))) == ["DC111"]
    other = _http_datum("  # datumc: disable=DC112")
    assert codes(lint_project(project({"b": other.replace('"a"', '"b"')}))) == ["DC111"] * 2


def test_toml_disable_file_and_next_line(project: Project) -> None:
    whole = "# datumc: disable-file=DC111\n" + _http_datum()
    assert lint_project(project({"a": whole})) == []
    text = _http_datum().replace('api_base = "http',
                                 '# datumc: disable-next-line=DC111\napi_base = "http')
    assert lint_project(project({"a": text})) == []


def test_project_lint_disable_and_severity(project: Project) -> None:
    assert lint_project(project({"a": _http_datum()}, '[lint]\ndisable = ["DC111"]\n')) == []
    (diag,) = lint_project(project({"a": _http_datum()},
                                   '[lint]\nseverity = { plaintext-http-with-key = "error" }\n'))
    assert diag.severity is Severity.ERROR
    off = '[lint]\nseverity = { DC111 = "off" }\n'
    assert lint_project(project({"a": _http_datum()}, off)) == []


def test_non_configurable_codes_cannot_be_silenced(project: Project) -> None:
    text = datum("a", api_key_env="bad-name").replace(
        'api_key_env = "bad-name"', 'api_key_env = "bad-name"  # datumc: disable=DC104')
    assert "DC104" in codes(lint_project(project({"a": text}, '[lint]\ndisable = ["DC104"]\n')))


# -- YAML ---------------------------------------------------------------------------------

BAD_PARAM = CLEAN_YAML.replace("      api_key:", "      max_token: 5\n      api_key:")


def test_yaml_inline_disable(tmp_path: Path) -> None:
    assert codes(lint_yaml(tmp_path, BAD_PARAM)) == ["DC203"]
    silenced = BAD_PARAM.replace("max_token: 5", "max_token: 5  # datumc: disable=DC203")
    assert lint_yaml(tmp_path, silenced) == []


def test_yaml_disable_file(tmp_path: Path) -> None:
    text = "# datumc: disable-file=unknown-litellm-param\n" + BAD_PARAM
    assert lint_yaml(tmp_path, text) == []


def test_yaml_respects_the_project_lint_settings(tmp_path: Path) -> None:
    (tmp_path / "datumc.toml").write_text('[lint]\nseverity = { DC203 = "error" }\n')
    (diag,) = lint_yaml(tmp_path, BAD_PARAM)
    assert diag.severity is Severity.ERROR
    (tmp_path / "datumc.toml").write_text('[lint]\ndisable = ["DC203"]\n')
    assert lint_yaml(tmp_path, BAD_PARAM) == []


# -- .env -----------------------------------------------------------------------------------


def test_env_disable_next_line(tmp_path: Path) -> None:
    assert codes(lint_env(tmp_path, 'A="x"\n')) == ["DC301"]
    assert lint_env(tmp_path, '# datumc: disable-next-line=DC301\nA="x"\n') == []


def test_env_disable_file_for_a_whole_file_finding(tmp_path: Path) -> None:
    assert codes(lint_env(tmp_path, "A=x\n", mode=0o644)) == ["DC305"]
    text = "# datumc: disable-file=env-file-mode\nA=x\n"
    assert lint_env(tmp_path, text, mode=0o644) == []


def test_env_lint_settings_apply(project: Project) -> None:
    root = project({"a": datum("a")}, '[lint]\ndisable = ["DC302"]\n')
    diags = lint_env(root, "export LITELLM_MASTER_KEY=sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"
                     "OPENAI_API_KEY=sk-0a1b2c3d4e5f60718293a4b5c6d7e8f9\n", root=root)
    assert "DC302" not in codes(diags)
    assert only(diags, "DC306") == []


def test_parse_suppressions() -> None:
    sup = parse_suppressions("a\n# datumc: disable-next-line=DC1\nb # datumc: disable=x-y\n"
                             "# datumc: disable-file=DC2\n")
    assert sup.by_line == {3: frozenset({"DC1", "x-y"})}
    assert sup.whole_file == frozenset({"DC2"})
    assert sup.covers(3, ("DC1", "n")) and sup.covers(99, ("DC2", "n"))
    assert not sup.covers(2, ("DC1", "n"))
