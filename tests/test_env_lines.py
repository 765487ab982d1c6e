"""`.env` files are split into lines as podman, docker and python-dotenv split them: at
`\\n` only (one `\\r` before it dropped). `str.splitlines` also breaks at a form feed,
`\\x1c`-`\\x1e`, `\\x85`, U+2028/U+2029 and a lone CR, which would hide a key or invent
one, in `.env` lint and in init-env alike."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from datumc.load.env_loader import env_lines, parse_env
from datumc.load.source import Source
from datumc.write import initenv

BREAKERS = ["\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r", "\x0b"]


def _doc(text: str) -> dict[str, str]:
    return {e.key: e.value for e in parse_env(Source(Path(".env"), ".env", text)).entries}


@given(value=st.text(st.characters(exclude_characters="\n\r", exclude_categories=("Cs",))),
       breaker=st.sampled_from(BREAKERS))
def test_a_value_holding_any_other_line_break_stays_one_value(value: str, breaker: str) -> None:
    raw = f"x{breaker}HIDDEN=1{value}"
    keys = _doc(f"A={raw}\nB=2\n")
    assert set(keys) == {"A", "B"}


def test_crlf_files_read_like_lf_files() -> None:
    assert env_lines("A=1\r\nB=2\r\n") == ["A=1", "B=2", ""]
    assert _doc("A=1\r\nB=2\r\n") == {"A": "1", "B": "2"}


def test_init_env_does_not_mistake_a_form_feed_for_a_new_key(tmp_path: Path) -> None:
    example = tmp_path / ".env.example"
    example.write_text("A=\nB=\n")
    env = tmp_path / ".env"
    env.write_text("A=x\x0cB=hidden\n")
    env.chmod(0o600)
    plan = initenv.plan(example, env)
    assert plan.added == ("B",)  # B is not set: the form feed is inside A's value
