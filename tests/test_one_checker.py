"""One config model, one checker: a build never writes a config its own lint rejects.

The invariant: for any project that builds, `datumc lint <its build/litellm/config.yaml>`
reports nothing at warning or error that `datumc lint` of the project did not already
report (the same code, as many times). It is checked with hypothesis over generated
projects whose parameters, settings, fallbacks and aliases are drawn from LiteLLM's own
vocabulary and from near-misses of it, and on the bundled datums and the b00t corpus.

DATUMC_PROPERTY_EXAMPLES sets the number of examples (CI: 100; `scripts/fuzz`: more).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from datumc.data import vocab
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.files import lint_paths
from datumc.pipeline import compile_project
from datumc.write.writer import apply_writes, plan_writes
from tests.conftest import REPO

EXAMPLES = int(os.environ.get("DATUMC_PROPERTY_EXAMPLES", "100"))
FAILING = (Severity.ERROR, Severity.WARNING)
NAMES = ("alpha", "beta", "gamma")


def _near_misses(words: frozenset[str]) -> st.SearchStrategy[str]:
    """A real key with one letter dropped, doubled or swapped: a typo of it."""
    def typo(word: str, index: int, kind: int) -> str:
        i = index % len(word)
        if kind == 0:
            return word[:i] + word[i + 1:] or word + "x"
        if kind == 1:
            return word[:i] + word[i] + word[i:]
        return word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:]

    return st.builds(typo, st.sampled_from(sorted(words)), st.integers(0, 40), st.integers(0, 2))


def _keys(words: frozenset[str], dirty: bool) -> st.SearchStrategy[str]:
    """Real keys; in a dirty project, now and then a typo of one."""
    return rarely(st.sampled_from(sorted(words)), _near_misses(words), dirty)


def rarely(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], dirty: bool) -> (
    st.SearchStrategy[Any]
):
    """`rare` about one draw in eight in a dirty project, never in a clean one."""
    if not dirty:
        return common
    return st.integers(0, 7).flatmap(lambda i: rare if i == 0 else common)


plain = st.one_of(
    st.integers(-5, 100_000), st.floats(0, 2, allow_nan=False), st.booleans(),
    st.sampled_from(["", "x", "true", "not-needed", "http://gpu-box:8000/v1",
                     "simple-shuffle", "langfuse"]),
)
good_scalars = st.one_of(plain, st.just("os.environ/SOME_VAR"))
bad_scalars = st.sampled_from([
    "os.environ/bad name", "${SHELL_VAR}", " os.environ/PADDED", "your-api-key-here",
    "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z3210", "round-robin"])
GOOD_MODELS = ["openai/gpt-4o", "gpt-4o", "dall-e-3", "anthropic/claude-sonnet-4-5",
               "ollama_chat/qwen2.5:7b", "hosted_vllm/x", "groq/llama-3.3-70b-versatile",
               "os.environ/MODEL_NAME"]
BAD_MODELS = ["openia/gpt-4o", "Qwen/Qwen2.5-7B-Instruct", "my-local-model", "mycustom/model"]


def scalars(dirty: bool) -> st.SearchStrategy[Any]:
    return rarely(good_scalars, bad_scalars, dirty)


def values(dirty: bool) -> st.SearchStrategy[Any]:
    return st.one_of(scalars(dirty), st.lists(rarely(plain, scalars(dirty), dirty), max_size=3),
                     st.dictionaries(st.sampled_from(["a", "b", "X-Org"]), scalars(dirty),
                                     max_size=2))


def fallbacks(names: tuple[str, ...], dirty: bool) -> st.SearchStrategy[Any]:
    targets = rarely(st.sampled_from(names), st.sampled_from(["missing-model", "alpha-alias",
                                                              "*"]), dirty)
    return st.lists(st.dictionaries(targets, st.lists(targets, max_size=2), min_size=1,
                                    max_size=1), max_size=2)


@st.composite
def datums(draw: st.DrawFn, name: str, others: tuple[str, ...], dirty: bool) -> dict[str, Any]:
    model = draw(rarely(st.sampled_from(GOOD_MODELS), st.sampled_from(BAD_MODELS), dirty))
    provider = draw(rarely(st.sampled_from(["openai", "openai_compatible", "ollama",
                                            "anthropic", "groq", "vllm"]),
                           st.just("openia"), dirty))
    ai: dict[str, Any] = {"provider": provider, "litellm_model": model}
    if draw(st.booleans()):
        ai["api_key_env"] = draw(st.sampled_from(["OPENAI_API_KEY", "KEY_" + name.upper()]))
    if draw(rarely(st.just(True), st.just(False), dirty)):
        ai["api_base"] = draw(st.sampled_from(["http://gpu-box:8000/v1", "http://127.0.0.1:1",
                                               "https://api.example.com/v1"]))
    if draw(st.booleans()) and others:
        ai["fallbacks"] = draw(st.lists(rarely(st.sampled_from(others), st.just("missing"),
                                               dirty), max_size=2, unique=True))
    if draw(st.booleans()):
        ai["rpm_limit"] = draw(st.integers(1, 100))
    params = draw(st.dictionaries(_keys(vocab().litellm_params, dirty), values(dirty),
                                  max_size=3))
    ai["parameters"] = {k: v for k, v in params.items()
                        if k not in ("model", "api_key", "api_base", "rpm", "tpm", "timeout",
                                     "stream_timeout", "max_retries", "api_version",
                                     "custom_llm_provider")}
    ai["metadata"] = draw(st.dictionaries(
        st.sampled_from(["family", "pricing", "input_cost_per_token",
                         "input_cost_per_1k_tokens", "id", "notes"]), plain, max_size=2))
    b00t: dict[str, Any] = {"name": name, "type": "ai_model"}
    if draw(st.booleans()):
        b00t["aliases"] = draw(st.lists(rarely(st.just(f"{name}-alias"),
                                               st.sampled_from([*others, "shared-alias"]),
                                               dirty), max_size=2, unique=True))
    return {"b00t": b00t, "ai_model": ai}


@st.composite
def project_files(draw: st.DrawFn) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Half the projects are clean (every key and value LiteLLM's own, so they should
    build); the other half carry near-misses and broken values now and then."""
    dirty = draw(st.booleans())
    count = draw(st.integers(1, 3))
    names = NAMES[:count]
    found = {n: draw(datums(n, tuple(o for o in names if o != n), dirty)) for n in names}
    project: dict[str, Any] = {}
    settings_ = draw(st.dictionaries(_keys(vocab().litellm_settings, dirty), values(dirty),
                                     max_size=3))
    for key in ("context_window_fallbacks", "content_policy_fallbacks"):
        if draw(st.booleans()):
            settings_[key] = draw(fallbacks(names, dirty))
    if draw(st.booleans()):
        settings_["success_callback"] = draw(st.lists(
            st.sampled_from(["langfuse", "datadog", "prometheus", "langfusee"]), max_size=2))
    if draw(st.booleans()):
        settings_["custom_provider_map"] = [{"provider": "mycustom",
                                             "custom_handler": "handler.instance"}]
    for key in ("cache", "cache_params", "callbacks", "failure_callback", "service_callback"):
        settings_.pop(key, None)
    project["litellm_settings"] = settings_
    router = draw(st.dictionaries(_keys(vocab().router_settings, dirty), values(dirty),
                                  max_size=2))
    for key in ("fallbacks", "model_group_alias", "redis_host", "redis_port",
                "redis_password", "model_list", "routing_strategy"):
        router.pop(key, None)
    if draw(st.booleans()):
        router["fallbacks"] = draw(fallbacks(names, dirty))
    project["router"] = router
    general = draw(st.dictionaries(_keys(vocab().general_settings, dirty), values(dirty),
                                   max_size=2))
    general.pop("master_key", None)
    general.pop("database_url", None)
    project["general_settings"] = general
    if draw(st.booleans()):
        project["extra_sections"] = {"environment_variables": draw(st.dictionaries(
            st.sampled_from(["OTEL_EXPORTER", "PATH", "LITELLM_LOG", "API_KEY"]),
            rarely(plain, st.dictionaries(st.just("a"), plain, max_size=1), dirty),
            max_size=2))}
    return found, project


def _write(root: Path, found: dict[str, dict[str, Any]], project: dict[str, Any]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    (root / "datums").mkdir(parents=True)
    for name, data in found.items():
        (root / "datums" / f"{name}.ai_model.toml").write_text(tomli_w.dumps(data))
    (root / "datumc.toml").write_text(tomli_w.dumps(project))


def _failing(diags: list[Diagnostic]) -> Counter[str]:
    return Counter(d.code for d in diags if d.severity in FAILING)


def check_invariant(root: Path, *, targets: tuple[str, ...] = ("litellm",)) -> bool:
    """Build `root` (in memory, then to disk) and lint the written config.yaml. Returns
    whether the project built; asserts the invariant when it did."""
    compiled = compile_project(root, targets=targets)
    if not compiled.ok:
        for code in sorted({d.code for d in compiled.diagnostics if d.severity is Severity.ERROR}):
            event(f"refused: {code}")
        return False
    out = root / "build"
    planned, conflicts = plan_writes(out, compiled.outputs)
    assert not conflicts
    apply_writes(out, planned)
    before = _failing(compiled.diagnostics)
    after = _failing(lint_paths([out / "litellm" / "config.yaml"], root=root))
    new = after - before
    assert not new, f"lint of the built config finds what the project's lint did not: {new}"
    return True


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(files=project_files())
def test_lint_of_the_built_config_finds_nothing_new(tmp_path: Path,
                                                    files: tuple[dict[str, Any],
                                                                 dict[str, Any]]) -> None:
    found, project = files
    root = tmp_path / "proj"
    _write(root, found, project)
    event("built" if check_invariant(root) else "refused by lint")


def test_bundled_datums_keep_the_invariant(bundled: Path) -> None:
    assert check_invariant(bundled)


@pytest.mark.parametrize("subdir", ["b00t/ai_model", "b00t/model", "b00t/history"])
def test_b00t_corpus_keeps_the_invariant(corpus: Path, tmp_path: Path, subdir: str) -> None:
    shutil.copytree(corpus / subdir, tmp_path / "datums")
    assert check_invariant(tmp_path)


def test_the_examples_from_the_issue_are_caught_at_their_lines(tmp_path: Path) -> None:
    """A typo in parameters, a fallback to nothing in [litellm_settings], a [router]
    fallback to a missing model and an unknown provider: found by `datumc lint`, at the
    datum or datumc.toml line, and the build refuses the errors."""
    root = tmp_path / "proj"
    _write(root, {"a": {"b00t": {"name": "a", "type": "ai_model"},
                        "ai_model": {"provider": "openia", "litellm_model": "openai/gpt-4o",
                                     "api_key_env": "OPENAI_API_KEY",
                                     "parameters": {"temprature": 0.2}}}},
           {"litellm_settings": {"context_window_fallbacks": [{"a": ["nope"]}]},
            "router": {"fallbacks": [{"a": ["missing"]}]}})
    diags = lint_paths([], root=root)
    found = {(d.code, Path(d.path).name, d.line) for d in diags}
    datum_text = (root / "datums/a.ai_model.toml").read_text()
    project_text = (root / "datumc.toml").read_text()
    assert ("DC203", "a.ai_model.toml", _line(datum_text, "temprature")) in found
    assert ("DC113", "a.ai_model.toml", _line(datum_text, "openia")) in found
    assert ("DC209", "datumc.toml", _line(project_text, "nope")) in found
    assert ("DC209", "datumc.toml", _line(project_text, "missing")) in found
    assert not compile_project(root).ok


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_env_refs_and_implicit_variables_reach_every_env_consumer(tmp_path: Path) -> None:
    """One env inventory: an os.environ/ ref in parameters and a callback's variables
    reach .env.example, the Kubernetes Secret template and compose's env file list."""
    root = tmp_path / "proj"
    _write(root, {"a": {"b00t": {"name": "a", "type": "ai_model"},
                        "ai_model": {"provider": "vertex_ai",
                                     "litellm_model": "vertex_ai/gemini-2.5-flash",
                                     "parameters": {
                                         "vertex_credentials": "os.environ/VERTEX_CREDS",
                                         "vertex_project": "p", "vertex_location": "l"}}}},
           {"litellm_settings": {"success_callback": ["langfuse"]}})
    compiled = compile_project(root, targets=("litellm", "kubernetes"))
    assert compiled.ok, compiled.diagnostics
    files = {o.relpath: o.content.decode() for o in compiled.outputs}
    for name in ("VERTEX_CREDS", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"):
        assert f"\n{name}=\n" in files["litellm/.env.example"], name
        assert f"  {name}: \"\"" in files["kubernetes/secret.template.yaml"], name
    # Optional variables are named, never written as empty assignments.
    assert "\nLANGFUSE_HOST=" not in files["litellm/.env.example"]
    assert "LANGFUSE_HOST" in files["litellm/.env.example"]
    assert "LANGFUSE_HOST" not in files["kubernetes/secret.template.yaml"]


def test_an_error_in_one_datum_hides_nothing_in_the_others(tmp_path: Path) -> None:
    """All findings at once: a rejected datum keeps its own errors, the others are still
    linted and planned, and a reference to the rejected one is not a second error."""
    root = tmp_path / "proj"
    _write(root, {
        "a": {"b00t": {"name": "a", "type": "ai_model"},
              "ai_model": {"provider": "openai", "litellm_model": "openai/gpt-4o",
                           "rpm_limit": "sixty"}},
        "b": {"b00t": {"name": "b", "type": "ai_model"},
              "ai_model": {"provider": "openai", "litellm_model": "openai/gpt-4o-mini",
                           "api_key_env": "OPENAI_API_KEY", "fallbacks": ["a"],
                           "parameters": {"max_tokns": 5}}},
        "c": {"b00t": {"name": "c", "type": "ai_model"},
              "ai_model": {"provider": "openai", "litellm_model": "Qwen/x",
                           "api_key_env": "OPENAI_API_KEY"}},
    }, {"router": {"fallbacks": [{"b": ["a"]}]}})
    diags = lint_paths([], root=root)
    found = {(d.code, Path(d.path).name) for d in diags}
    assert ("DC003", "a.ai_model.toml") in found
    assert ("DC203", "b.ai_model.toml") in found
    assert ("DC211", "c.ai_model.toml") in found
    assert not [d for d in diags if d.code in ("DC108", "DC209")]


def test_every_emitted_code_is_registered_with_its_severity(tmp_path: Path) -> None:
    """Codes live beside their emitters and in the registry: everything the invariant's
    projects produce is a registered code."""
    from datumc.lint.registry import RULES

    root = REPO
    diags = lint_paths([], root=root)
    assert all(d.code in RULES for d in diags)


def test_inline_suppressions_travel_into_the_built_config(tmp_path: Path) -> None:
    """A finding silenced on a datum line is silenced on the config.yaml line its value
    lands on, so the pre-commit hook linting build/litellm/config.yaml agrees."""
    root = tmp_path / "proj"
    (root / "datums").mkdir(parents=True)
    (root / "datums/a.ai_model.toml").write_text(
        '[b00t]\nname = "a"\ntype = "ai_model"\n\n[ai_model]\nprovider = "openai"\n'
        'litellm_model = "openai/gpt-4o"\napi_key_env = "OPENAI_API_KEY"\n\n'
        '[ai_model.parameters]\nreasoning_mode = "deep"  # datumc: disable=DC203\n'
        'temprature = 0.2\n')
    assert check_invariant(root)
    text = (root / "build/litellm/config.yaml").read_text()
    assert "reasoning_mode: deep  # datumc: disable=DC203" in text
    after = lint_paths([root / "build/litellm/config.yaml"], root=root)
    assert [d.code for d in after] == ["DC203"]  # the typo, not the silenced key
    assert "temprature" in after[0].message
