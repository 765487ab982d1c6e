"""`datumc lint` over the real-world corpus in ../shared/corpus: no crash, known findings,
no secret printed, and the b00t datums still compile (warnings only)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.files import lint_paths
from datumc.lint.registry import RULES
from datumc.lint.rules.weak_master_key import PUBLICLY_KNOWN
from datumc.pipeline import compile_project
from tests.conftest import run_cli

B00T_DIRS = ("b00t/ai_model", "b00t/model", "b00t/history")


def _configs(corpus: Path) -> list[Path]:
    return sorted((corpus / "litellm-configs").rglob("*.yaml"))


def _codes(diags: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(Path(d.path).name, d.code) for d in diags}


@pytest.mark.parametrize("subdir", B00T_DIRS)
def test_b00t_datums_lint_without_errors(corpus: Path, tmp_path: Path, subdir: str) -> None:
    diags = lint_paths([corpus / subdir], root=tmp_path)
    assert all(d.code in RULES for d in diags)
    assert [d for d in diags if d.severity is Severity.ERROR] == []


@pytest.mark.parametrize("subdir", B00T_DIRS)
def test_b00t_datums_compile(corpus: Path, tmp_path: Path, subdir: str) -> None:
    shutil.copytree(corpus / subdir, tmp_path / "datums")
    result = compile_project(tmp_path)
    assert result.ok, [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert result.outputs


def test_two_datums_claiming_qwen36_is_a_warning(corpus: Path, tmp_path: Path) -> None:
    diags = lint_paths([corpus / "b00t/model"], root=tmp_path)
    alias = [d for d in diags if d.code == "DC110" and "'qwen36'" in d.message]
    assert len(alias) == 1 and alias[0].severity is Severity.WARNING


def test_every_litellm_config_and_env_file_lints(corpus: Path, tmp_path: Path) -> None:
    paths = [*_configs(corpus), corpus / "litellm-configs/K-LEAN/env.example"]
    assert len(paths) >= 35
    diags = lint_paths(paths, root=tmp_path)
    assert all(d.code in RULES for d in diags)
    assert not [d for d in diags if d.code in ("DC002", "DC009", "DC015")]
    found = _codes(diags)
    expected = {
        ("elasticdotventures__dotfiles__b00t-litellm_config.yaml", "DC212"),  # sk-1234
        ("openrouter.yaml", "DC201"),  # model_alias_map at the top level
        ("AdarshYadav04__litellm_proxy_gateway__litellm_config.yaml", "DC218"),
        ("Abbiirr__unified-llm-api__docs-new-litellm_config.yaml", "DC207"),  # ${VAR}
        ("Ancoren__free-llm-gateway__litellm_config.yaml", "DC211"),  # zhipu/
        ("config.quoted-9a69d52.yaml", "DC217"),  # quoted refs: info only
    }
    assert expected <= found


def test_no_literal_secret_reaches_the_output(corpus: Path, tmp_path: Path) -> None:
    """Every literal the hardcoded-secret rule flags is printed masked (the publicly known
    default `sk-1234` is named as such: it is no secret)."""
    paths = _configs(corpus)
    result = run_cli("lint", "--project", tmp_path, *paths)
    flagged = re.findall(r"^(\S+):(\d+):\d+: error DC206 ", result.stdout, re.MULTILINE)
    assert flagged
    for path, line in flagged:
        raw = Path(path).read_text().splitlines()[int(line) - 1]
        value = str(yaml.safe_load(raw.split(":", 1)[1]))
        if len(value) >= 4 and value not in PUBLICLY_KNOWN:
            assert value not in result.stdout


def test_quoted_and_unquoted_k_lean_configs_agree(corpus: Path, tmp_path: Path) -> None:
    """The K-LEAN "fix" that added quotes changed nothing: same findings bar DC217."""
    quoted = lint_paths([corpus / "litellm-configs/K-LEAN/config.quoted-9a69d52.yaml"],
                        root=tmp_path)
    assert {d.code for d in quoted} - {"DC217", "DC212"} == set()
