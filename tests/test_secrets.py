"""datumc.secrets.detect: key shapes, stand-in keys, placeholders, secret names, mask()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datumc.secrets.detect import (
    describe,
    is_dummy,
    is_placeholder,
    is_secret_name,
    key_shape,
    looks_random,
    mask,
    secret_like,
)

TAIL = "Zq8Xw2Rt6Yu1Io5Pa9Sd3Fg7Hj4Kl0Mn"


@pytest.mark.parametrize(("value", "kind"), [
    ("sk-ant-api03-" + TAIL, "an Anthropic API key"),
    ("sk-proj-" + TAIL, "an OpenAI project key"),
    ("sk-or-v1-" + "a1b2c3d4" * 4, "an OpenRouter API key"),
    ("sk-" + TAIL, "an OpenAI-style API key"),
    ("gsk_" + TAIL, "a Groq API key"),
    ("AIza" + TAIL + "abcde", "a Google API key"),
    ("hf_" + TAIL, "a Hugging Face token"),
    ("Bearer sk-" + TAIL, "an OpenAI-style API key"),
    ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", "a long random token"),
])
def test_key_shapes(value: str, kind: str) -> None:
    assert key_shape(value) == kind


@pytest.mark.parametrize("value", [
    "sk-1234", "sk-local", "sk-no-key-required", "not-needed", "openai/gpt-4o",
    "Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf", "82d411acf4a06cfb8d9b073a5211bf410bfc29bf",
    "http://127.0.0.1:8000/v1", "os.environ/OPENAI_API_KEY", "550e8400-e29b-41d4-a716-446655440000",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "inference-qwen36-35b-a3b-llamacpp",
    "~/.cache/huggingface/hub/models--unsloth--Qwen3.6-27B-GGUF",
])
def test_not_key_shapes(value: str) -> None:
    assert key_shape(value) is None


@pytest.mark.parametrize("value", ["local", "not-needed", "dummy", "local-vllm", "EMPTY",
                                   "no-key", "na", "sk-local", "my-fake-key", "", "local-b00t"])
def test_dummies(value: str) -> None:
    assert is_dummy(value)


@pytest.mark.parametrize("value", ["sk-1234", "correct-horse-battery", "sk-" + TAIL,
                                   "sk-local-" + TAIL])
def test_not_dummies(value: str) -> None:
    assert not is_dummy(value)


@pytest.mark.parametrize(("value", "placeholder"), [
    ("your-api-key", True), ("change-me", True), ("<key>", True), ("xxxxxxxx", True),
    ("your-nanogpt-api-key-here", True), ("sk-...", True), ("sk-real-value", False),
    ("sphere-yourself" , False), ("", False),
])
def test_placeholders(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder


@pytest.mark.parametrize(("name", "secret"), [
    ("api_key", True), ("OPENAI_API_KEY", True), ("master_key", True), ("HF_TOKEN", True),
    ("aws_secret_access_key", True), ("redis_password", True), ("key", True),
    ("api_key_env", False), ("max_tokens", False), ("tokenizer", False), ("cache_key", False),
    ("OPENAI_BASE_URL", False), ("model", False), ("langfuse_public_key", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_secret_like_is_looser_for_name_fields() -> None:
    assert secret_like("sk-abc") and secret_like("AIzaShort")
    assert not secret_like("openai-key") and not secret_like("OPENAI_API_KEY")
    assert not looks_random("openai-key")


def test_mask_examples() -> None:
    assert mask("sk-proj-" + TAIL + "3210") == "sk-p…3210"
    assert mask("sk-1235") == "…"  # short values are hidden entirely
    assert mask("sk-1234") == "sk-1234"  # LiteLLM's public example key is no secret
    assert mask("0123456789abcdef") == "01…ef"
    assert describe("sk-" + TAIL) == "an OpenAI-style API key ('sk-Z…l0Mn')"


@given(st.text(min_size=0, max_size=200))
def test_mask_never_reveals_more_than_a_quarter(value: str) -> None:
    masked = mask(value)
    shown = masked.replace("…", "")
    stripped = value.strip()
    assert len(shown) <= len(stripped) // 4
    assert len(shown) <= 8
    if len(stripped) >= 2:
        assert stripped not in masked


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8,
               max_size=80))
def test_describe_never_contains_the_value(value: str) -> None:
    assert value not in describe(value)


def test_no_key_is_shorter_than_the_length_key_shape_skips() -> None:
    """key_shape answers None below `_SHORTEST` characters without a scan: every shape
    and the random-token pattern must need at least that many (their minimum widths, as
    Python's own regex parser computes them)."""
    import re._parser as sre_parse

    from datumc.secrets import detect

    widths = [sre_parse.parse(pattern).getwidth()[0] for _, pattern in detect._SHAPES]
    widths.append(sre_parse.parse(detect._TOKEN.pattern).getwidth()[0])
    assert min(widths) >= detect._SHORTEST
    assert min(widths) == detect._SHORTEST  # the bound is tight: no key is missed above it


@given(st.sampled_from(["sk-", "gsk_", "AKIA", "xoxb-", "hf_", "ghp_", ""]),
       st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef-", max_size=40))
def test_the_length_shortcut_answers_as_the_scans_do(prefix: str, rest: str) -> None:
    """The shortcut changes no answer: below the bound, neither scan matches either."""
    from datumc.secrets import detect

    value = prefix + rest
    scanned = detect._ANY_SHAPE.search(value) is not None or detect.looks_random(value.strip())
    if len(value) < detect._SHORTEST:
        assert not scanned
        assert key_shape(value) is None


@given(st.data())
def test_every_key_shape_holds_its_start(data: st.DataObject) -> None:
    """key_shape scans for how a key starts before it scans for the whole shape: every
    value a shape matches must be found by that first scan."""
    from datumc.secrets import detect

    _, pattern = data.draw(st.sampled_from(detect._SHAPES))
    key = data.draw(st.from_regex(pattern, fullmatch=True))
    value = data.draw(st.sampled_from(["{}", "Bearer {}", "x={} y", "{}\n"])).format(key)
    assert detect._ANY_SHAPE.search(value) is not None  # the drawn key is a shape
    assert detect._ANY_START.search(value) is not None

