"""Helpers for the lint tests: lint a datum project, a LiteLLM YAML or a .env from text."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from datumc.diagnostics import Diagnostic
from datumc.lint.files import lint_paths

# A master-key-bearing, otherwise clean LiteLLM config to build YAML cases on.
CLEAN_YAML = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def codes(diags: Iterable[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def only(diags: Iterable[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diags if d.code == code]


def lint_yaml(tmp_path: Path, text: str, name: str = "config.yaml") -> list[Diagnostic]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return lint_paths([path], root=tmp_path)


def lint_env(tmp_path: Path, text: str, *, name: str = ".env", mode: int = 0o600,
             root: Path | None = None) -> list[Diagnostic]:
    path = (root or tmp_path) / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return lint_paths([path], root=root or tmp_path)


def lint_project(root: Path) -> list[Diagnostic]:
    return lint_paths([], root=root)
