"""The pieces behind serve / models / doctor, without a proxy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datumc.commands.models import table
from datumc.errors import DatumcError
from datumc.runtime import checks
from datumc.runtime.environment import EnvFile, gaps, mask, merged
from datumc.runtime.health import Health
from datumc.runtime.http import Response, check_url
from datumc.runtime.served import Expected, compare
from datumc.secrets.detect import unusable_env_value as is_placeholder
from datumc.validate.project import Project


@pytest.mark.parametrize("value", [
    "", "changeme", "CHANGE_ME", "replace-me", "<your key>", "${OPENAI_API_KEY}", "$KEY",
    "xxxx", "...", "***", "sk-xxxxxxxx", "sk-...", "sk-1234", "your-api-key", "your_key_here",
    "api-key-here", "TODO", "placeholder", "-",
])
def test_placeholders_are_recognised(value: str) -> None:
    """One test for `.env` lint (DC304) and doctor."""
    assert is_placeholder(value) or not value.strip()


@pytest.mark.parametrize("value", [
    "sk-proj-9f8e7d6c5b4a39281706", "local-vllm", "gsk_abcdef0123456789", "hunter2-but-long",
    "http://127.0.0.1:8000/v1", "sk-or-v1-0123456789abcdef",
])
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@given(st.text(min_size=0, max_size=200))
def test_mask_never_shows_more_than_eight_characters_of_a_value(value: str) -> None:
    shown = mask(value)
    revealed = shown.replace("…", "")
    assert len(revealed) <= min(8, len(value.strip()) // 4)
    if len(value.strip()) >= 16:
        assert shown.startswith(value.strip()[:2]) and shown.endswith(value.strip()[-2:])


def test_merged_env_prefers_the_shell(tmp_path: Path) -> None:
    from datumc.load.env_loader import parse_env
    from datumc.load.source import Source

    path = tmp_path / ".env"
    doc = parse_env(Source(path, ".env", "A=file\nB='quoted'\nexport C=c\n"))
    env = merged({"A": "shell"}, EnvFile(path, doc))
    assert env.values["A"] == "shell"
    assert env.values["B"] == "quoted"
    assert env.from_file == {"B", "C"}


def test_gaps_separates_missing_from_placeholders() -> None:
    found = gaps({"A": "", "B": "changeme", "C": "real-value-123"}, ["A", "B", "C", "D"])
    assert found.missing == ["A", "D"]
    assert found.placeholders == ["B"]


def test_compare_finds_dropped_extra_and_alias_problems() -> None:
    want = Expected(Counter({("pool", "openai/a"): 1, ("pool", "openai/b"): 1,
                             ("solo", "openai/s"): 1}), frozenset({"alias"}))
    info = [
        {"model_name": "pool", "litellm_params": {"model": "openai/a"}},
        {"model_name": "solo", "litellm_params": {"model": "openai/s"}},
        {"model_name": "stale", "litellm_params": {"model": "openai/x"}},
    ]
    diff = compare(want, info)
    assert diff.missing == [("pool", "openai/b")]
    assert diff.unexpected == [("stale", "openai/x")]
    assert diff.missing_aliases == ["alias"]
    full = [*info[:2], {"model_name": "pool", "litellm_params": {"model": "openai/b"}},
            {"model_name": "alias", "litellm_params": {"model": "openai/s"}}]
    assert not compare(want, full)


@pytest.mark.parametrize(("image", "pinned"), [
    ("ghcr.io/berriai/litellm:main-v1.106.0", True),
    ("ghcr.io/berriai/litellm@sha256:" + "a" * 64, True),
    ("registry.local:5000/litellm:v1.106.0", True),
    ("ghcr.io/berriai/litellm", False),
    ("ghcr.io/berriai/litellm:latest", False),
    ("ghcr.io/berriai/litellm:main-latest", False),
    ("registry.local:5000/litellm", False),
])
def test_image_pinning(image: str, pinned: bool) -> None:
    project = Project.model_validate({"proxy": {"image": image}})
    first = checks.image(project)[0]
    assert (first.status is checks.Status.OK) is pinned, first


@pytest.mark.parametrize("url", ["localhost:4000", "ftp://x", "http://", "http://h:99999"])
def test_bad_urls_are_rejected(url: str) -> None:
    with pytest.raises(DatumcError):
        check_url(url)


def test_error_message_reads_openai_errors_and_plain_bodies() -> None:
    body = b'{"error": {"message": "No connected db.\\n\\nmore detail"}}'
    assert Response(400, body, 0.1).error_message() == "No connected db."
    assert Response(500, b"Internal Server Error", 0.1).error_message() == \
        "Internal Server Error"
    assert Response(500, b"x" * 500, 0.1).error_message(limit=20).endswith("…")


def test_health_table_lines_up() -> None:
    text = table([Health("alpha", True, 0.023, 200),
                  Health("a-much-longer-name", False, 2.5, 500, "Connection error.")])
    lines = text.splitlines()
    assert lines[0].split() == ["MODEL", "STATUS", "LATENCY", "DETAIL"]
    assert lines[1].split()[:3] == ["alpha", "ok", "23"]
    assert lines[2].split()[:4] == ["a-much-longer-name", "FAIL", "500", "2500"]
    assert len({line.index("ms") for line in lines[1:]}) == 1
