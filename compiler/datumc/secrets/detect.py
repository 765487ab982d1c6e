"""Recognise secrets in config values, and mask them for display.

Every diagnostic that has to mention a secret shows it through `mask()`: a few
characters from each end, never the whole value. The detectors here are shared by
the datum, LiteLLM YAML and .env rules, so "is this a key?" has one answer.

Three questions, from strict to loose:

- `key_shape(value)`: does the value carry the shape of a known provider key
  (`sk-…`, `sk-ant-…`, `gsk_…`, `AIza…`, `hf_…`, …) or of a long random token?
  Used on every string, so it must almost never fire on ordinary values.
- `is_dummy(value)`: is it one of the stand-in keys people give servers that
  ignore the key (`local`, `not-needed`, `dummy`, `EMPTY`, `local-vllm`, …)?
- `is_secret_name(key)`: does a key *name* say its value is a secret
  (`api_key`, `master_key`, `OPENAI_API_KEY`, `password`, `token`, …)?
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache, lru_cache
from typing import Final

# (description, how the key starts, the rest). Order matters: the first match names the key.
_SHAPE_PARTS: Final = (
    ("an Anthropic API key", "sk-ant-", r"[A-Za-z0-9_\-]{20,}"),
    ("an OpenAI project key", "sk-proj-", r"[A-Za-z0-9_\-]{20,}"),
    ("an OpenRouter API key", "sk-or-v1-", r"[A-Za-z0-9]{20,}"),
    ("an OpenAI-style API key", "sk-", r"[A-Za-z0-9_\-]{20,}"),
    ("a Groq API key", "gsk_", r"[A-Za-z0-9]{20,}"),
    ("a Google API key", "AIza", r"[0-9A-Za-z_\-]{30,}"),
    ("a Hugging Face token", "hf_", r"[A-Za-z0-9]{30,}"),
    ("an xAI API key", "xai-", r"[A-Za-z0-9]{30,}"),
    ("a Perplexity API key", "pplx-", r"[A-Za-z0-9]{30,}"),
    ("an NVIDIA API key", "nvapi-", r"[A-Za-z0-9_\-]{30,}"),
    ("a Replicate token", "r8_", r"[A-Za-z0-9]{30,}"),
    ("a GitHub token", "gh[pousr]_", r"[A-Za-z0-9]{30,}"),
    ("an AWS access key id", "(?:AKIA|ASIA)", r"[0-9A-Z]{16}"),
    ("a Slack token", "xox[abprs]-", r"[A-Za-z0-9\-]{10,}"),
)
_SHAPES: Final = tuple((what, start + rest) for what, start, rest in _SHAPE_PARTS)
_BOUNDARY = r"(?<![A-Za-z0-9_\-])"
# All the shapes in one pattern: one scan tells whether any matches (most values: none).
_ANY_SHAPE: Final = re.compile("|".join(f"(?:{_BOUNDARY}{pattern})" for _, pattern in _SHAPES))
# How any key starts, without the boundary look-behind: a scan several times quicker than
# _ANY_SHAPE's, and a value in which it finds nothing holds no key shape.
_ANY_START: Final = re.compile("|".join(start for _, start, _ in _SHAPE_PARTS))


@cache
def _shape_search() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each shape on its own, to name the one that matched: compiled only when a value
    looks like a key at all (most commands never see one)."""
    return tuple((what, re.compile(_BOUNDARY + pattern)) for what, pattern in _SHAPES)


# A standalone random token: one unbroken run of key-like characters.
_TOKEN_MIN: Final = 32
_TOKEN: Final = re.compile(rf"[A-Za-z0-9_\-+=.]{{{_TOKEN_MIN},}}")
_HASH_LENGTHS: Final = frozenset({40, 64})  # git/sha1 and sha256 digests are not keys
_MIN_ENTROPY: Final = 3.5  # bits per character
_ALNUM_RUN: Final = re.compile(r"[A-Za-z0-9]+")
_MIN_RUN: Final = 20
# No key shape nor random token is shorter (an AWS key id is 20, a Slack token 15):
# most values (names, regions, URLs' parts) are decided by their length alone.
_SHORTEST: Final = 15

# Words that mark a stand-in key for a server that does not check it.
_DUMMY_WORDS: Final = frozenset({
    "local", "localhost", "dummy", "fake", "none", "null", "nil", "na", "no", "nokey",
    "notneeded", "unused", "empty", "ignored", "ignore", "anything", "placeholder",
    "unset", "noauth", "not", "needed", "required", "test", "demo", "sample", "example",
    "x", "xx", "xxx", "vllm", "ollama", "lmstudio", "llamacpp", "tgi",
})
_FILLER_WORDS: Final = frozenset({"sk", "key", "api", "token", "my", "the"})
_PLACEHOLDER: Final = re.compile(
    r"(?<![a-z0-9])(your|change.?me|replace.?me|insert|todo|fixme|here)(?![a-z0-9])"
    r"|xxxx|\*\*\*\*|\.\.\.|…|<[^>]*>",
    re.IGNORECASE,
)
# Whole values that are template text, not a value (`${OPENAI_API_KEY}`, `none`, `-`).
_TEMPLATE_VALUE: Final = re.compile(
    r"""(
        \$\{[^}]*\} | \$[A-Z_][A-Z0-9_]*
      | x{3,} | \.{3,} | \*{3,} | -+
      | tbd | none | null | undefined | empty | placeholder | secret
      | (your|my)[-_ ].* | .*[-_ ](here|goes[-_ ]here)
      | sk-(x+|\.+|\*+|your.*)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SECRET_NAME: Final = re.compile(
    r"(^|[_\-.])(api[_-]?key|apikey|secret|token|password|passwd|pwd|bearer|master_?key"
    r"|access_?key|private_?key|secret_?key|authorization|proxy-authorization)($|[_\-.])"
    r"|[_\-]key$|^key$",
    re.IGNORECASE,
)
# Names that end in _KEY but hold no secret.
_NOT_SECRET_NAMES: Final = frozenset({
    "api_key_env", "master_key_env", "cache_key", "key_name", "key_alias", "sort_key",
    "partition_key", "idempotency_key", "primary_key", "tokenizer", "max_tokens",
    "tokens", "max_input_tokens", "max_output_tokens", "token_counter", "auth_type",
    "prompt_cache_key",
    # The shell's working directories, not passwords.
    "pwd", "oldpwd",
})


@lru_cache(maxsize=8192)  # a pure function of the value; a build asks about the same
def key_shape(value: str) -> str | None:  # model names and regions again and again
    """What kind of key `value` carries ("an OpenAI-style API key"), or None.

    Matches known provider prefixes anywhere in the value (a key pasted into a
    header string is still a key), and whole values that are long random tokens.
    Placeholders such as `sk-xxxxxxxxxxxxxxxxxxxxxxxx` are not keys.
    """
    if len(value) < _SHORTEST:
        return None  # shorter than any key shape or random token
    if (_ANY_START.search(value) is None or _ANY_SHAPE.search(value) is None) and \
            not looks_random(value.strip()):
        return None  # the common case, decided with two scans
    if is_placeholder(value):
        return None
    for what, pattern in _shape_search():
        if pattern.search(value):
            return what
    if looks_random(value.strip()):
        return "a long random token"
    return None


# Prefixes of provider keys, for places where only a variable NAME belongs.
KEY_PREFIXES: Final = ("sk-", "sk_", "gsk_", "AIza", "hf_", "xai-", "pplx-", "nvapi-", "r8_",
                       "ghp_", "AKIA", "Bearer ")


def secret_like(value: str) -> bool:
    """Looser than `key_shape`, for a field that must hold an env var NAME: a known key
    prefix, or a long token mixing letters and digits, is taken for a pasted secret."""
    stripped = value.strip()
    if key_shape(stripped) is not None or stripped.startswith(KEY_PREFIXES):
        return True
    return (
        len(stripped) >= 20
        and not any(c.isspace() for c in stripped)
        and any(c.isdigit() for c in stripped)
        and any(c.isalpha() for c in stripped)
        and entropy(stripped) >= 3.0
    )


def looks_random(value: str) -> bool:
    """A whole value that is one long run of key characters with high entropy.

    File names and identifiers (`Qwen3-Coder-30B-A3B-Q4_K_M.gguf`) are made of short
    words between separators; random tokens have a long unbroken alphanumeric run.
    Bare git/sha256 digests are not keys.
    """
    if len(value) < _TOKEN_MIN or _TOKEN.fullmatch(value) is None or (
            len(value) in _HASH_LENGTHS and _is_hex(value)):
        return False
    run = max(_ALNUM_RUN.findall(value), key=len, default="")
    if len(run) < _MIN_RUN:
        return False
    has_digit = any(c.isdigit() for c in run)
    has_alpha = any(c.isalpha() for c in run)
    return has_digit and has_alpha and entropy(run) >= _MIN_ENTROPY


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def is_dummy(value: str) -> bool:
    """A stand-in key for a server that ignores it (`local`, `not-needed`, `EMPTY`, ...)."""
    lowered = value.strip().lower()
    if not lowered:
        return True
    words = [w for w in re.split(r"[-_.\s/:]+", lowered) if w and w not in _FILLER_WORDS]
    if not words:
        return True
    if lowered.replace("-", "").replace("_", "") in _DUMMY_WORDS:
        return True
    return any(w in _DUMMY_WORDS for w in words) and key_shape(value) is None


def is_placeholder(value: str) -> bool:
    """Template text to be replaced (`your-api-key`, `change-me`, `<key>`, `sk-xxxx...`)."""
    stripped = value.strip()
    if not stripped:
        return False
    if _PLACEHOLDER.search(stripped) or _TEMPLATE_VALUE.fullmatch(stripped):
        return True
    body = re.sub(r"^[A-Za-z]{1,4}[-_]", "", stripped)
    return len(body) >= 6 and len(set(body.lower())) <= 2


# Example keys from LiteLLM's docs. The proxy refuses to start with them (it compares
# their SHA-256 digests). In a config they are still a committed literal key.
PUBLIC_EXAMPLE_KEYS: Final = frozenset({"sk-1234"})


def looks_secret(value: str) -> bool:
    """A value with the shape of a key or token (a pasted secret), whatever its key."""
    return key_shape(value) is not None or (secret_like(value) and "/" not in value)


_URL_PASSWORD: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:([^/@\s]+)@")
_EMBEDDED: Final = ("-----BEGIN", "hooks.slack.com/services/", '"private_key"')


def secret_value(value: str) -> bool:
    """Does the value itself carry a credential: a key shape, a URL with a password, a
    PEM key or a Slack webhook? (An `os.environ/` ref in the password is fine.)"""
    password = _URL_PASSWORD.match(value)
    if password is not None and not password.group(1).startswith("os.environ/"):
        return True
    return key_shape(value) is not None or any(s in value for s in _EMBEDDED)


def sensitive(key: str, value: object) -> bool:
    """Never copy it anywhere: its key names a secret, or it carries one itself.
    (Whether it is a *real* secret worth reporting is the lint rules' question.)"""
    if not isinstance(value, str) or not value or value.startswith("os.environ/"):
        return False
    return is_secret_name(key) or secret_value(value)


_TEMPLATE_MARK: Final = re.compile(
    r"<[^<>]+>|xxxx|(?<![a-z0-9])(your|change.?me|replace.?me|replace.?with)(?![a-z0-9])",
    re.IGNORECASE,
)


def template_marked(value: str) -> bool:
    """Text that says it is to be replaced (`<deployment>`, `your-...`, `xxxx`): stricter
    than `is_placeholder`, for names and URLs where `my-model` is a real name."""
    return _TEMPLATE_MARK.search(value) is not None


def unusable_env_value(value: str) -> bool:
    """A value in an env file that cannot be the real one: template text, or a public
    example key the proxy refuses (`sk-1234`). One answer for `.env` lint and doctor."""
    return is_placeholder(value) or value.strip() in PUBLIC_EXAMPLE_KEYS


def is_secret_name(key: str) -> bool:
    """True when a key *name* says its value is a secret (api_key, OPENAI_API_KEY, ...)."""
    lowered = key.lower()
    if lowered in _NOT_SECRET_NAMES or lowered.endswith("_env") or "public" in lowered:
        return False
    return _SECRET_NAME.search(lowered) is not None


def mask(value: str) -> str:
    """`sk-proj-abcd...3210` -> `sk-p…3210`. Shows at most a quarter of the value, and
    at most four characters from each end; short values are hidden entirely. A public
    example key (`sk-1234`, from LiteLLM's docs) is no secret and is shown as it is, so
    the reader sees which value is meant."""
    stripped = value.strip()
    if stripped in PUBLIC_EXAMPLE_KEYS:
        return stripped
    shown = min(4, len(stripped) // 8)
    if shown == 0:
        return "…"
    return f"{stripped[:shown]}…{stripped[-shown:]}"


def describe(value: str) -> str:
    """`an OpenAI-style API key ('sk-p…3210')`: for messages about a leaked value."""
    what = key_shape(value) or (
        "a URL with a password in it" if _URL_PASSWORD.match(value) else "a literal value")
    return f"{what} ('{mask(value)}')"


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in value)
