"""DC3xx: each .env rule passes on a clean file and fires on a bad one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from datumc.load.env_loader import is_env_file
from tests.conftest import datum
from tests.helpers.lint import codes, lint_env, only

CLEAN = "LITELLM_MASTER_KEY=sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0\nOPENAI_API_KEY=sk-real\n"


def test_clean_env_has_no_findings(tmp_path: Path) -> None:
    assert lint_env(tmp_path, CLEAN) == []


@pytest.mark.parametrize("name", [".env", ".env.local", "prod.env", "env.example",
                                  ".env.example", "env"])
def test_env_file_names(name: str) -> None:
    assert is_env_file(Path(name))


@pytest.mark.parametrize("name", ["environment.toml", "config.yaml", "venv"])
def test_not_env_file_names(name: str) -> None:
    assert not is_env_file(Path(name))


def test_dc301_quoted_value(tmp_path: Path) -> None:
    (found,) = lint_env(tmp_path, 'OPENAI_API_KEY="sk-real"\n')
    assert (found.code, found.line, found.column) == ("DC301", 1, 16)
    assert "sk-real" not in found.message


def test_dc302_export(tmp_path: Path) -> None:
    assert codes(lint_env(tmp_path, "export OPENAI_API_KEY=sk-real\n")) == ["DC302"]


def test_dc303_duplicate(tmp_path: Path) -> None:
    (found,) = lint_env(tmp_path, "A=1\nB=2\nA=3\n")
    assert (found.code, found.line) == ("DC303", 3)
    assert "line 1" in found.message


@pytest.mark.parametrize("value", ["your-api-key", "change-me", "xxxxxxxx", "<your key>",
                                   "sk-xxxxxxxxxxxxxxxxxxxx", "your-openai-api-key-here"])
def test_dc304_placeholder(tmp_path: Path, value: str) -> None:
    assert codes(lint_env(tmp_path, f"OPENAI_API_KEY={value}\n")) == ["DC304"]


def test_dc304_skips_templates(tmp_path: Path) -> None:
    assert lint_env(tmp_path, "OPENAI_API_KEY=your-api-key\n", name=".env.example") == []


def test_dc305_mode(tmp_path: Path) -> None:
    (found,) = lint_env(tmp_path, CLEAN, mode=0o644)
    assert found.code == "DC305" and "0644" in found.message
    assert lint_env(tmp_path, CLEAN, mode=0o400) == []
    assert lint_env(tmp_path, CLEAN, name="env.example", mode=0o644) == []


def test_dc307_stray_line(tmp_path: Path) -> None:
    diags = lint_env(tmp_path, "OPENAI_API_KEY\nsk-proj-abc\n# fine\n\nB=1\n")
    assert [(d.code, d.line) for d in diags] == [("DC307", 1), ("DC307", 2)]
    assert all("sk-proj" not in d.message for d in diags)


def test_dc104_invalid_key(tmp_path: Path) -> None:
    assert codes(lint_env(tmp_path, "OPENAI-KEY=x\n")) == ["DC104"]


# -- DC306 missing-env-var: needs a datum project -------------------------------------------


def test_dc306_missing_and_empty(project: Callable[..., Path]) -> None:
    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY", api_base_env="A_BASE")})
    diags = lint_env(root, "LITELLM_MASTER_KEY=sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0\nA_BASE=\n",
                     root=root)
    messages = [d.message for d in only(diags, "DC306")]
    assert len(messages) == 2
    assert any("OPENAI_API_KEY is needed" in m for m in messages)
    assert any("A_BASE is empty" in m for m in messages)


def test_dc306_passes_when_complete(project: Callable[..., Path]) -> None:
    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY")})
    assert lint_env(root, CLEAN, root=root) == []


def test_dc306_template_may_leave_values_empty(project: Callable[..., Path]) -> None:
    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY")})
    diags = lint_env(root, "LITELLM_MASTER_KEY=\nOPENAI_API_KEY=\n", name=".env.example",
                     root=root)
    assert diags == []


def test_dc306_is_silent_without_a_datum_project(tmp_path: Path) -> None:
    assert lint_env(tmp_path, "SOMETHING=else\n") == []
