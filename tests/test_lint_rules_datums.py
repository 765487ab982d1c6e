"""DC1xx: each datum rule passes on a good datum and fires on a bad one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from datumc.diagnostics import Severity
from tests.conftest import datum
from tests.helpers.lint import codes, lint_project, only

Project = Callable[..., Path]
OPENAI_KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" + "3210"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_clean_datum_has_no_findings(project: Project) -> None:
    root = project({"gpt": datum("gpt", litellm_model="openai/gpt-4o",
                                 api_key_env="OPENAI_API_KEY", capabilities=["chat", "vision"])})
    assert lint_project(root) == []


# -- DC101 secret-in-env-name ------------------------------------------------------------


def test_dc101_secret_in_env_name_is_masked(project: Project) -> None:
    text = datum("gpt", api_key_env=OPENAI_KEY)
    root = project({"gpt": text})
    diags = lint_project(root)
    found = only(diags, "DC101")
    assert len(found) == 1
    assert "sk-p…3210" in found[0].message
    assert found[0].line == _line_of(text, "api_key_env")
    assert "DC104" in codes(diags)  # the schema still rejects the datum
    assert all(OPENAI_KEY not in d.message + d.hint for d in diags)


def test_dc101_passes_on_a_name_and_on_a_non_secret_typo(project: Project) -> None:
    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY"),
                    "b": datum("b", api_key_env="openai-key")})
    diags = lint_project(root)
    assert "DC101" not in codes(diags)
    assert codes(diags) == ["DC104"]


def test_dc101_checks_datumc_toml(project: Project) -> None:
    root = project({"a": datum("a")}, f'[proxy]\nmaster_key_env = "{OPENAI_KEY}"\n')
    assert "DC101" in codes(lint_project(root))


# -- DC102 hardcoded-secret --------------------------------------------------------------


def test_dc102_hardcoded_secret_in_b00t_env(project: Project) -> None:
    root = project({"a": datum("a", b00t={"env": {"OPENAI_API_KEY": OPENAI_KEY}})})
    found = only(lint_project(root), "DC102")
    assert len(found) == 1
    assert "b00t.env.OPENAI_API_KEY" in found[0].message and "sk-p…3210" in found[0].message
    assert OPENAI_KEY not in found[0].message


def test_dc102_literal_api_key_in_parameters(project: Project) -> None:
    """parameters.api_key never reaches the config (DC006), so the datum rule reports it."""
    root = project({"a": datum("a", parameters={"api_key": "correct-horse-battery"})})
    diags = lint_project(root)
    assert {"DC102", "DC006"} <= set(codes(diags))
    assert "correct-horse-battery" not in "".join(d.message for d in diags)


def test_a_secret_in_a_passed_value_is_reported_once_as_config_rule(project: Project) -> None:
    text = datum("a", parameters={"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCY"})
    root = project({"a": text})
    found = [d for d in lint_project(root) if d.code in ("DC102", "DC206")]
    assert [d.code for d in found] == ["DC206"]
    assert found[0].line == _line_of(text, "aws_secret_access_key")


@pytest.mark.parametrize("value", ["local", "not-needed", "dummy", "local-vllm", "EMPTY",
                                   "local-b00t", "${OPENAI_API_KEY}", ""])
def test_dc102_stand_in_keys_and_refs_are_not_secrets(project: Project, value: str) -> None:
    root = project({"a": datum("a", b00t={"env": {"OPENAI_API_KEY": value}})})
    assert "DC102" not in codes(lint_project(root))


def test_dc102_key_shape_anywhere_even_in_a_rejected_datum(project: Project) -> None:
    text = datum("a", metadata={"note": "gsk_" + "a1B2c3D4e5F6g7H8i9J0k1L2"}) + "\nrpm_limt = 1\n"
    root = project({"a": text.replace("[ai_model]", "[ai_model]\nrpm_limit = \"x\"")})
    diags = lint_project(root)
    assert "DC003" in codes(diags)  # rejected ...
    assert "DC102" in codes(diags)  # ... and still scanned


def test_dc102_ignores_file_names_and_identifiers(project: Project) -> None:
    root = project({"a": datum("a", metadata={
        "gguf_file": "Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf",
        "revision": "82d411acf4a06cfb8d9b073a5211bf410bfc29bf",
        "hive_profile": "inference-qwen36-35b-a3b-llamacpp"})})
    assert "DC102" not in codes(lint_project(root))


# -- DC103 broken-env-ref ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["${VLLM_API_BASE}", "$VLLM_API_BASE/v1",
                                   "'os.environ/ORG_ID'", " os.environ/ORG_ID",
                                   "Bearer os.environ/TOKEN"])
def test_dc103_fires(project: Project, value: str) -> None:
    """DC103 is now DC207, the config rule, reported at the datum's line."""
    text = datum("a", parameters={"extra_headers": {"X": value}})
    root = project({"a": text})
    found = only(lint_project(root), "DC207")
    assert len(found) == 1 and found[0].path.endswith("a.ai_model.toml")


def test_dc103_passes_on_clean_refs_and_skips_b00t_tables(project: Project) -> None:
    root = project({"a": datum("a", parameters={"extra_headers": {"X": "os.environ/ORG_ID"}},
                               b00t={"env": {"K": "${K}"},
                                     "usage": [{"command": "curl $BASE/v1"}]})})
    assert "DC207" not in codes(lint_project(root))


# -- DC104 invalid-env-name --------------------------------------------------------------


def test_dc104_schema_error_carries_the_code_and_shows_the_value(project: Project) -> None:
    """The value is shown (quoted, so a stray space shows) unless it looks like a key,
    and the hint names the bare variable when there is one inside."""
    root = project({"a": datum("a", api_base_env="${VLLM_API_BASE} ")})
    found = only(lint_project(root), "DC104")
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert "'${VLLM_API_BASE} '" in found[0].message
    assert 'write the bare name: "VLLM_API_BASE"' in found[0].hint


@pytest.mark.parametrize(("ref", "code"), [("os.environ/ORG-ID", "DC104"),
                                           ("os.environ/ORG_ID", None),
                                           (f"os.environ/{OPENAI_KEY}", "DC101")])
def test_dc104_bad_name_in_an_os_environ_ref(project: Project, ref: str, code: str | None) -> None:
    root = project({"a": datum("a", parameters={"extra_headers": {"X": ref}})})
    diags = lint_project(root)
    assert codes(diags) == ([code] if code else [])
    assert all(OPENAI_KEY not in d.message for d in diags)


def test_dc104_cannot_be_disabled(project: Project) -> None:
    root = project({"a": datum("a", api_key_env="bad-name")}, '[lint]\ndisable = ["DC104"]\n')
    assert "DC104" in codes(lint_project(root))


# -- DC105 unknown-provider-prefix -------------------------------------------------------


@pytest.mark.parametrize("model", ["Qwen/Qwen2.5-7B-Instruct", "openia/gpt-4o", "my-local-model"])
def test_dc105_fires(project: Project, model: str) -> None:
    root = project({"a": datum("a", provider="openai_compatible", litellm_model=model,
                               api_base="http://127.0.0.1:8000/v1")})
    found = only(lint_project(root), "DC211")  # formerly DC105
    assert len(found) == 1 and found[0].severity is Severity.ERROR


def test_dc105_suggests_the_close_prefix(project: Project) -> None:
    root = project({"a": datum("a", litellm_model="openia/gpt-4o")})
    assert "did you mean 'openai'" in only(lint_project(root), "DC211")[0].hint


@pytest.mark.parametrize("model", ["openai/Qwen/Qwen2.5-7B-Instruct", "gpt-4o",
                                   "ollama_chat/qwen2.5:7b", "hosted_vllm/x"])
def test_dc105_passes(project: Project, model: str) -> None:
    root = project({"a": datum("a", provider="openai", litellm_model=model)})
    assert "DC211" not in codes(lint_project(root))


# -- DC106 provider-prefix-mismatch ------------------------------------------------------


def test_dc106_fires_when_provider_and_prefix_disagree(project: Project) -> None:
    root = project({"a": datum("a", provider="anthropic", litellm_model="openai/claude-x")})
    found = only(lint_project(root), "DC106")
    assert len(found) == 1 and "anthropic" in found[0].message


@pytest.mark.parametrize(("provider", "model"), [
    ("openai_compatible", "openai/Qwen/Qwen2.5-7B"), ("ollama", "ollama_chat/qwen2.5:7b"),
    ("ollama", "ollama/qwen2.5:7b"), ("vllm", "hosted_vllm/qwen"), ("openai", "gpt-4o"),
    ("some_new_provider", "openai/x"),
])
def test_dc106_passes(project: Project, provider: str, model: str) -> None:
    root = project({"a": datum("a", provider=provider, litellm_model=model,
                               api_base="http://127.0.0.1:1/v1")})
    assert "DC106" not in codes(lint_project(root))


# -- DC107 missing-api-base --------------------------------------------------------------


def test_dc107_fires_for_a_self_hosted_provider_without_endpoint(project: Project) -> None:
    root = project({"a": datum("a", provider="openai_compatible", litellm_model="openai/q")})
    found = only(lint_project(root), "DC107")
    assert len(found) == 1 and "api.openai.com" in found[0].message


@pytest.mark.parametrize("extra", [{"api_base": "http://127.0.0.1:8000/v1"},
                                   {"api_base_env": "VLLM_API_BASE"}])
def test_dc107_passes_with_an_endpoint(project: Project, extra: dict[str, str]) -> None:
    root = project({"a": datum("a", provider="openai_compatible", litellm_model="openai/q",
                               **extra)})
    assert "DC107" not in codes(lint_project(root))


def test_dc107_ignores_hosted_providers(project: Project) -> None:
    root = project({"a": datum("a", provider="anthropic", litellm_model="anthropic/claude-x")})
    assert "DC107" not in codes(lint_project(root))


# -- DC108 unknown-fallback --------------------------------------------------------------


def test_dc108_unknown_and_disabled_and_alias_targets(project: Project) -> None:
    root = project({
        "a": datum("a", fallbacks=["olama", "off", "bee"]),
        "b": datum("b", b00t={"aliases": ["bee"]}),
        "off": datum("off", enabled=False),
        "ollama": datum("ollama"),
    })
    messages = [d.message for d in only(lint_project(root), "DC108")]
    assert len(messages) == 3
    assert any("disabled" in m for m in messages)
    assert any("alias of 'b'" in m for m in messages)
    assert any("'olama' is not a defined model" in m for m in messages)


def test_dc108_passes(project: Project) -> None:
    root = project({"a": datum("a", fallbacks=["b"]), "b": datum("b")})
    assert "DC108" not in codes(lint_project(root))


# -- DC109 fallback-cycle ----------------------------------------------------------------


def test_dc109_reports_a_cycle_once(project: Project) -> None:
    root = project({"a": datum("a", fallbacks=["b"]), "b": datum("b", fallbacks=["c"]),
                    "c": datum("c", fallbacks=["a"])})
    found = only(lint_project(root), "DC109")
    assert len(found) == 1
    assert "a -> b -> c -> a" in found[0].message


def test_dc109_self_fallback(project: Project) -> None:
    root = project({"a": datum("a", fallbacks=["a"])})
    assert "falls back to itself" in only(lint_project(root), "DC109")[0].message


def test_dc109_one_finding_per_knot_of_cycles_and_no_blowup() -> None:
    """A dense web of fallbacks (every model falls back to every other) holds more
    simple cycles than could ever be listed; it is one knot and gets one finding.
    Separate cycles get one finding each."""
    from datumc.lint.rules import fallback_cycle

    names = [f"m{i:02d}" for i in range(40)]
    dense = {n: [m for m in names if m != n] for n in names}
    components = list(fallback_cycle._strong_components(dense))
    assert components == [set(names)]
    cycle = fallback_cycle._shortest_cycle("m00", dense, set(names))
    assert len(cycle) == 2 and cycle[0] == "m00"
    two = {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": ["a"]}
    assert sorted(map(sorted, fallback_cycle._strong_components(two))) == [["a", "b"],
                                                                           ["c", "d"]]


def test_dc109_passes_on_a_chain(project: Project) -> None:
    root = project({"a": datum("a", fallbacks=["b"]), "b": datum("b", fallbacks=["c"]),
                    "c": datum("c")})
    assert "DC109" not in codes(lint_project(root))


# -- DC110 alias-conflict ----------------------------------------------------------------


def test_dc110_alias_claimed_twice_is_a_warning(project: Project) -> None:
    root = project({"a": datum("a", b00t={"aliases": ["shared"]}),
                    "b": datum("b", b00t={"aliases": ["shared"]})})
    found = only(lint_project(root), "DC110")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert found[0].path.endswith("b.ai_model.toml")


def test_dc110_alias_shadowed_by_a_model_name(project: Project) -> None:
    root = project({"a": datum("a", b00t={"aliases": ["b"]}), "b": datum("b")})
    assert "is the name of model 'b'" in only(lint_project(root), "DC110")[0].message


def test_dc110_project_alias_to_unknown_model(project: Project) -> None:
    root = project({"a": datum("a")}, '[router.model_group_alias]\nfast = "nope"\n')
    found = only(lint_project(root), "DC110")
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert "'nope', which no deployment is named" in found[0].message


def test_dc110_passes(project: Project) -> None:
    root = project({"a": datum("a", b00t={"aliases": ["x", "a"]}),
                    "b": datum("b", b00t={"aliases": ["y"]})},
                   '[router.model_group_alias]\nfast = "a"\n')
    assert "DC110" not in codes(lint_project(root))


# -- DC111 plaintext-http-with-key -------------------------------------------------------


def test_dc111_fires_for_a_remote_http_host(project: Project) -> None:
    root = project({"a": datum("a", api_base="http://gpu-box.lan:8000/v1",
                               api_key_env="VLLM_API_KEY")})
    found = only(lint_project(root), "DC111")
    assert len(found) == 1 and "gpu-box.lan" in found[0].message


@pytest.mark.parametrize("base", ["http://127.0.0.1:8000/v1", "http://localhost:11434",
                                  "http://[::1]:8000", "https://gpu-box.lan/v1",
                                  "http://host.containers.internal:8000/v1"])
def test_dc111_passes(project: Project, base: str) -> None:
    root = project({"a": datum("a", api_base=base, api_key_env="K")})
    assert "DC111" not in codes(lint_project(root))


def test_dc111_needs_a_key(project: Project) -> None:
    root = project({"a": datum("a", api_base="http://gpu-box.lan:8000/v1")})
    assert "DC111" not in codes(lint_project(root))


# -- DC112 capability-not-supported ------------------------------------------------------


def test_dc112_fires_when_the_map_lacks_the_flag(project: Project) -> None:
    root = project({"a": datum("a", provider="mistral",
                               litellm_model="mistral/mistral-large-latest",
                               capabilities=["chat", "thinking"])})
    found = only(lint_project(root), "DC112")
    assert len(found) == 1 and "supports_reasoning" in found[0].message
    assert found[0].column > 1  # points at the array item


def test_dc112_mode_mismatch(project: Project) -> None:
    root = project({"a": datum("a", litellm_model="openai/text-embedding-3-small",
                               capabilities=["chat"])})
    assert "not a chat model" in only(lint_project(root), "DC112")[0].message


@pytest.mark.parametrize(("model", "caps"), [
    ("openai/gpt-4o", ["chat", "vision", "tools", "json_mode"]),
    ("openai/ch0nky", ["chat", "vision", "reasoning"]),          # not in the map: silent
    ("anthropic/claude-sonnet-4-5", ["chat", "reasoning", "tool_use"]),
])
def test_dc112_passes(project: Project, model: str, caps: list[str]) -> None:
    root = project({"a": datum("a", litellm_model=model, capabilities=caps)})
    assert "DC112" not in codes(lint_project(root))


def test_dc102_a_key_pasted_anywhere_in_datumc_toml(project: Project) -> None:
    """Secrets are looked for in every input: tables of datumc.toml that never become
    LiteLLM config ([proxy], [kubernetes], profiles) are read by DC102."""
    root = project({"a": datum("a", api_key_env="OPENAI_API_KEY")},
                   f'[proxy]\nhost = "{OPENAI_KEY}"\n[profiles.p.kubernetes]\n'
                   'namespace = "gsk_a1B2c3D4e5F6g7H8i9J0k1L2"\n')
    found = only(lint_project(root), "DC102")
    assert [(Path(d.path).name, d.line) for d in found] == [("datumc.toml", 2),
                                                            ("datumc.toml", 4)]
    assert all(OPENAI_KEY not in d.message for d in found)
