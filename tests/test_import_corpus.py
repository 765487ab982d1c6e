"""Every real config in the corpus imports, builds, and means the same to LiteLLM afterwards.

A file that cannot round-trip exactly is listed in DEVIATIONS with every difference the
comparator reports and the reason; any other difference fails the test. A file whose
source has a real bug that datumc's lint refuses to build is listed in REFUSED with the
error codes; its round trip is then checked with exactly those codes demoted to
warnings in the imported datumc.toml (the documented [lint] escape hatch).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from datumc.importer.compare import DiffKind, compare_configs
from tests.conftest import CORPUS, run_cli
from tests.helpers.importing import round_trip

CONFIGS = CORPUS / "litellm-configs"
SECRET, NULL, EXTRA = DiffKind.SECRET_TO_ENV, DiffKind.NULL_DROPPED, DiffKind.EXTRA
ENFORCED = (EXTRA, "router_settings.optional_pre_call_checks")
LIMITS = "datumc enforces rpm/tpm: it adds enforce_model_rate_limits, without which LiteLLM " \
    "uses them only as routing weights"

# file -> (why datumc refuses to build it, the lint error codes).
REFUSED: dict[str, tuple[str, set[str]]] = {
    "chorned__frugaLLM__litellm_config.yaml": (
        "includes dynamic_models.yaml, which the corpus does not have: the proxy refuses to "
        "start without it", {"DC024"}),
    "Abbiirr__unified-llm-api__docs-new-litellm_config.yaml": (
        "an api_base holds ${CLOUDFLARE_ACCOUNT_ID}, which LiteLLM never expands", {"DC207"}),
    "AllDayAutomationsai__openwebui-litellm-stack__litellm-optimized-config.yaml": (
        "gpt-4-turbo-preview has no provider prefix and is not in LiteLLM's model map: "
        "LiteLLM drops that deployment", {"DC211"}),
    "Ancoren__free-llm-gateway__litellm_config.yaml": (
        "zhipu/ is not a LiteLLM provider: LiteLLM drops that deployment", {"DC211"}),
    "KonstantinosPapazis__llmproxy__litellm_config.yaml": (
        "two deployments are still template text (azure/<your-azure-deployment-name>): LiteLLM "
        "would call that literal deployment", {"DC220"}),
    "HerzigGroup__herzig-ai-stack__config.yaml": (
        "drop_params is a list, which LiteLLM treats as unset: nothing is dropped", {"DC223"}),
    "robin/litellm_config.yaml": (
        "success_callback names log_raw_request_response, which is a litellm setting, not a "
        "callback: LiteLLM skips it", {"DC224"}),
    "K-LEAN/openrouter.yaml": (
        "model_alias_map is a litellm_settings key: at the top level LiteLLM ignores it, so "
        "its aliases do nothing", {"DC201"}),
}

# file -> (reason, [(kind, path)]): the only differences allowed after import + build.
DEVIATIONS: dict[str, tuple[str, list[tuple[DiffKind, str]]]] = {
    "AjayaDahal__ajayadesign_llm_gateway__litellm_config.yaml": (
        "hardcoded api_key 'not-needed' -> os.environ/SPEACHES_API_KEY", [
            (SECRET, "model_list[whisper-turbo]#1.litellm_params.api_key"),
            (SECRET, "model_list[kokoro-tts]#1.litellm_params.api_key"),
        ]),
    "AllDayAutomationsai__openwebui-litellm-stack__litellm-optimized-config.yaml": (
        "database_url with a password -> os.environ/DATABASE_URL", [
            (SECRET, "general_settings.database_url"),
        ]),
    "BaSeLab-Local-LLM__llm-root__litellm-config.yaml": (
        f"hardcoded api_key 'not-needed' -> os.environ/VLLM_API_KEY; {LIMITS}", [
            (SECRET, "model_list[Local LLM]#1.litellm_params.api_key"),
            ENFORCED,
        ]),
    "BerriAI__example_litellm_gcp_cloud_run__litellm_config.yaml": (
        "hardcoded api_key 'my-fake-key' -> an env var named after the endpoint host", [
            (SECRET, "model_list[fake-openai-endpoint]#1.litellm_params.api_key"),
        ]),
    "EnigmaCurry__dry_agent__config.yaml": (LIMITS, [ENFORCED]),
    "KonstantinosPapazis__llmproxy__litellm_config.yaml": (LIMITS, [ENFORCED]),
    "CIRISAI__CIRISProxy__litellm_config.yaml": (
        "database_url: null and allowed_ips: null (TOML has no null; LiteLLM reads both with "
        "a None default)", [
            (NULL, "general_settings.database_url"),
            (NULL, "general_settings.allowed_ips"),
        ]),
    "HerzigGroup__herzig-ai-stack__config.yaml": (
        "hardcoded api_key 'no-key' (4 deployments on localhost) -> os.environ/LOCAL_API_KEY", [
            (SECRET, "model_list[claude-sonnet-4-6]#1.litellm_params.api_key"),
            (SECRET, "model_list[claude-opus-4-7]#1.litellm_params.api_key"),
            (SECRET, "model_list[claude-haiku-4-5-20251001]#1.litellm_params.api_key"),
            (SECRET, "model_list[claude-3-5-sonnet-20241022]#1.litellm_params.api_key"),
        ]),
    "PabloCoello__local-llm-setup__litellm_config.yaml": (
        "database_url with a password -> os.environ/DATABASE_URL; "
        "max_internal_user_budget: null (TOML has no null)", [
            (SECRET, "general_settings.database_url"),
            (NULL, "general_settings.max_internal_user_budget"),
        ]),
    "amanmprojects__claude-vertex-bridge__vertex-litellm_config.yaml": (
        "hardcoded master_key sk-1234 -> os.environ/LITELLM_MASTER_KEY", [
            (SECRET, "general_settings.master_key"),
        ]),
    "archanpaul__podllama__litellm_config.yaml": (
        "hardcoded api_key and master_key 'sk-local' -> env vars per endpoint host", [
            *[(SECRET, f"model_list[{name}]#1.litellm_params.api_key") for name in (
                "podllama-chat", "podllama-autocomplete", "podllama-thinking",
                "podllama-instruct", "Qwen3.5-9B-Q4_K_M.gguf",
                "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf",
                "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")],
            (SECRET, "general_settings.master_key"),
        ]),
    "chorned__frugaLLM__litellm_config.yaml": (
        "hardcoded master_key and api_key 'na' -> env vars", [
            (SECRET, "model_list[gemma-4-12b-gguf]#1.litellm_params.api_key"),
            (SECRET, "general_settings.master_key"),
        ]),
    "cisagov__LME__litellm_config.yaml": (
        "hardcoded api_key 'dummy' and master_key -> env vars", [
            (SECRET, "model_list[lfm2.5-1.2b-instruct]#1.litellm_params.api_key"),
            (SECRET, "general_settings.master_key"),
        ]),
    "elasticdotventures__dotfiles__b00t-litellm_config.yaml": (
        "hardcoded master_key sk-1234 -> os.environ/LITELLM_MASTER_KEY", [
            (SECRET, "general_settings.master_key"),
        ]),
}


def _configs() -> list[object]:
    if not CONFIGS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"corpus not available at {CONFIGS} (only in the development tree)"))]
    paths = sorted(CONFIGS.rglob("*.yaml"))
    return [pytest.param(p, id=str(p.relative_to(CONFIGS))) for p in paths]


def test_corpus_is_complete() -> None:
    if not CONFIGS.is_dir():
        pytest.skip(f"corpus not available at {CONFIGS}")
    names = {str(p.relative_to(CONFIGS)) for p in CONFIGS.rglob("*.yaml")}
    assert len(names) >= 35
    assert {"K-LEAN/config.yaml", "K-LEAN/openrouter.yaml", "robin/litellm_config.yaml"} <= names
    assert set(DEVIATIONS) | set(REFUSED) <= names, set(DEVIATIONS) | set(REFUSED) - names


@pytest.mark.parametrize("source", _configs())
def test_corpus_config_round_trips(source: Path, tmp_path: Path) -> None:
    trip = round_trip(source, tmp_path / "proj")
    assert trip.imported.code == 0, trip.imported.output
    assert "Traceback" not in trip.imported.output
    assert trip.built is not None
    key = str(source.relative_to(CONFIGS))
    if key in REFUSED:
        why, codes = REFUSED[key]
        assert trip.built.code == 1, f"{why}: expected datumc build to refuse it"
        assert _error_codes(trip.built.stderr) == codes, trip.built.stderr
        demote = "".join(f'{code} = "warning"\n' for code in sorted(codes))
        with (trip.root / "datumc.toml").open("a", encoding="utf-8") as fh:
            fh.write(f"\n[lint.severity]\n{demote}")
        trip = replace(trip, built=run_cli("build", "--target", "litellm", cwd=trip.root))
        assert trip.built is not None
    assert trip.built.code == 0, trip.built.output
    assert "DC004" not in trip.built.output, "imported files carry unknown keys"
    verdict = compare_configs(yaml.safe_load(source.read_text(encoding="utf-8")), trip.config)
    reason, expected = DEVIATIONS.get(key, ("", []))
    found = [(d.kind, d.path) for d in verdict.differences]
    assert found == expected, f"{reason or 'expected an exact round trip'}:\n{verdict.describe()}"


def _error_codes(stderr: str) -> set[str]:
    return {line.split(" error ")[1].split()[0] for line in stderr.splitlines()
            if " error DC" in line}
