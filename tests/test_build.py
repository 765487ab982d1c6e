"""`datumc build`: outputs, byte stability, no-op rebuilds, --check, failures write nothing."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from tests.conftest import datum, run_cli, run_datumc, write_project
from tests.helpers.golden import assert_golden


def _outputs(root: Path) -> dict[str, bytes]:
    out = root / "build"
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in (".datumc.lock",)
    }


def test_bundled_golden(bundled: Path) -> None:
    result = run_cli("build", "--target", "litellm", cwd=bundled)
    assert result.code == 0, result.output
    assert_golden((bundled / "build/litellm/config.yaml").read_bytes(), "core/config.yaml")
    assert_golden((bundled / "build/litellm/.env.example").read_bytes(), "core/env.example")


def test_env_example_is_0600_and_has_only_names(bundled: Path) -> None:
    os.environ["OPENAI_API_KEY"] = "sk-proj-should-never-appear-1234567890"
    try:
        assert run_cli("build", cwd=bundled).code == 0
    finally:
        del os.environ["OPENAI_API_KEY"]
    env = bundled / "build/litellm/.env.example"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    lines = [ln for ln in env.read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines and all(ln.endswith("=") for ln in lines), lines
    names = {ln[:-1] for ln in lines}
    assert {"LITELLM_MASTER_KEY", "OPENAI_API_KEY", "VLLM_API_BASE", "NANOGPT_API_KEY"} <= names
    for content in _outputs(bundled).values():
        assert b"should-never-appear" not in content


def test_config_content_matches_datums(bundled: Path) -> None:
    assert run_cli("build", cwd=bundled).code == 0
    config = yaml.safe_load((bundled / "build/litellm/config.yaml").read_text())
    by_name: dict[str, list[dict]] = {}
    for dep in config["model_list"]:
        by_name.setdefault(dep["model_name"], []).append(dep)
    vllm = by_name["vllm-qwen"][0]
    assert vllm["litellm_params"] == {
        "model": "openai/Qwen/Qwen2.5-7B-Instruct",
        "api_base": "os.environ/VLLM_API_BASE",
        "api_key": "os.environ/VLLM_API_KEY",
        "rpm": 60,
        "timeout": 3,
        "max_tokens": 4096,
        "temperature": 0.7,
    }
    assert vllm["model_info"]["supports_function_calling"] is True
    assert vllm["model_info"]["max_input_tokens"] == 32768
    assert vllm["model_info"]["access_groups"] == ["default", "local"]
    assert len(by_name["llama-3.3-70b"]) == 2  # a model_group: two deployments
    router = config["router_settings"]
    assert {"vllm-qwen": ["ollama-qwen", "openai-gpt4o"]} in router["fallbacks"]
    assert router["model_group_alias"]["claude-default"] == "claude-sonnet-4-5"
    assert router["model_group_alias"]["claude-fast"] == "claude-haiku-4-5"
    assert router["model_group_alias"]["claude-strong"] == "claude-opus-4-5"
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert config["litellm_settings"]["cache_params"] == {"type": "local", "ttl": 600}


def test_rebuild_without_change_writes_nothing(bundled: Path) -> None:
    assert run_cli("build", cwd=bundled).code == 0
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (bundled / "build").rglob("*")}
    again = run_cli("build", cwd=bundled)
    assert again.code == 0
    assert "wrote" not in again.stdout
    assert "up to date" in again.stdout
    after = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (bundled / "build").rglob("*")}
    assert {p: v for p, v in after.items() if p.name != ".datumc.lock"} == {
        p: v for p, v in before.items() if p.name != ".datumc.lock"
    }


def test_output_is_byte_stable_across_processes(bundled: Path, tmp_path: Path) -> None:
    assert run_datumc("build", cwd=bundled).code == 0
    first = _outputs(bundled)
    other = tmp_path / "second"
    other.mkdir()
    shutil.copytree(bundled / "datums", other / "datums")
    (other / "datumc.toml").write_bytes((bundled / "datumc.toml").read_bytes())
    env = {"PYTHONHASHSEED": "12345"}
    assert run_datumc("build", cwd=other, env=env).code == 0
    second = _outputs(other)
    assert first.keys() == second.keys()
    for key in first:
        if key != ".datumc-manifest.json":
            assert first[key] == second[key], key


def test_check_mode(bundled: Path) -> None:
    missing = run_cli("build", "--check", cwd=bundled)
    assert missing.code == 1
    assert "stale" in missing.stderr
    assert not (bundled / "build").exists(), "--check must write nothing"
    assert run_cli("build", cwd=bundled).code == 0
    assert run_cli("build", "--check", cwd=bundled).code == 0
    datum_file = bundled / "datums" / "openai-gpt4o.ai_model.toml"
    datum_file.write_text(datum_file.read_text().replace("rpm_limit = 500", "rpm_limit = 400"))
    before = _outputs(bundled)
    stale = run_cli("build", "--check", cwd=bundled)
    assert stale.code == 1
    assert "config.yaml" in stale.stderr
    assert _outputs(bundled) == before


def test_malformed_input_writes_nothing_and_no_traceback(bundled: Path) -> None:
    assert run_cli("build", cwd=bundled).code == 0
    before = _outputs(bundled)
    (bundled / "datums" / "broken.ai_model.toml").write_text('[b00t]\nname = "x\n')
    result = run_datumc("build", cwd=bundled)
    assert result.code == 1
    assert "Traceback" not in result.output
    assert "datums/broken.ai_model.toml:2:" in result.stderr
    assert "DC001" in result.stderr
    assert _outputs(bundled) == before


def test_first_build_with_errors_creates_no_output_dir(project) -> None:
    root = project({"a": datum("a", rpm_limit="sixty")})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert not (root / "build").exists()
    assert "no file was written" in result.stderr


def test_duplicate_name_names_both_files(project) -> None:
    root = project({"one": datum("same"), "two": datum("same")})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "DC005" in result.stderr
    assert "datums/two.ai_model.toml:2:8" in result.stderr
    assert "already defined in datums/one.ai_model.toml" in result.stderr


@pytest.mark.parametrize("key", ["model", "api_key", "api_base"])
def test_parameters_may_not_override_reserved_keys(project, key: str) -> None:
    root = project({"a": datum("a", parameters={key: "x", "max_tokens": 5})})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "DC006" in result.stderr
    assert f"may not set '{key}'" in result.stderr
    assert "datums/a.ai_model.toml:" in result.stderr


def test_disabled_datum_not_emitted_and_reported(project) -> None:
    root = project({"on": datum("on"), "off": datum("off", enabled=False)})
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.output
    assert "info DC007" in result.stderr
    config = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    assert [d["model_name"] for d in config["model_list"]] == ["on"]


def test_no_datums_is_an_error(tmp_path: Path) -> None:
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 1
    assert "DC011" in result.stderr


def test_usage_errors_exit_2(bundled: Path) -> None:
    assert run_cli("build", "--target", "nope", cwd=bundled).code == 2
    assert run_cli("build", "--bogus", cwd=bundled).code == 2
    result = run_cli("build", "--profile", "nope", cwd=bundled)
    assert result.code == 2
    assert "unknown profile 'nope'" in result.stderr


def test_internal_error_is_one_line_exit_3(bundled: Path, monkeypatch) -> None:
    import datumc.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated defect")

    monkeypatch.setattr(datumc.pipeline, "build_config", boom)
    result = run_cli("build", cwd=bundled)
    assert result.code == 3
    assert "internal error: RuntimeError: simulated defect" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_project_file_defaults_apply_without_datumc_toml(project) -> None:
    root = project({"a": datum("a", api_key_env="A_KEY")})
    assert run_cli("build", cwd=root).code == 0
    config = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    assert config["general_settings"] == {"master_key": "os.environ/LITELLM_MASTER_KEY"}
    assert "router_settings" not in config
    assert config["model_list"][0]["litellm_params"]["api_key"] == "os.environ/A_KEY"


def test_write_root_with_other_out_dir(bundled: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    result = run_cli("build", "--out", out, cwd=bundled)
    assert result.code == 0, result.output
    assert (out / "litellm" / "config.yaml").is_file()
    assert not (bundled / "build").exists()


def test_project_option_and_python_m(bundled: Path, tmp_path: Path) -> None:
    result = run_datumc("build", "--project", bundled, "--target", "litellm", cwd=tmp_path)
    assert result.code == 0, result.output
    assert (bundled / "build/litellm/config.yaml").is_file()


def test_write_project_helper_roundtrip(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"x": datum("x")})
    assert (root / "datums/x.ai_model.toml").read_text().startswith("[b00t]")


def test_router_fallbacks_from_two_sources_is_an_error(project) -> None:
    root = project(
        {"a": datum("a", fallbacks=["b"]), "b": datum("b")},
        '[router]\nfallbacks = [{a = ["b"]}]\n',
    )
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "DC006" in result.stderr and "'fallbacks'" in result.stderr
    assert "datumc.toml:2:1" in result.stderr


def test_router_fallbacks_pass_through_when_no_datum_sets_them(project) -> None:
    root = project({"a": datum("a"), "b": datum("b")}, '[router]\nfallbacks = [{a = ["b"]}]\n')
    assert run_cli("build", "--target", "litellm", cwd=root).code == 0
    config = yaml.safe_load((root / "build/litellm/config.yaml").read_text())
    assert config["router_settings"]["fallbacks"] == [{"a": ["b"]}]
