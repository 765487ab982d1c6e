"""An editor's unsaved text is checked as the file it would be saved as: the language
server reports for a buffer exactly what `datumc lint` reports for that file on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic
from datumc.load.source import read_source, source_from_text

LIMIT = 64
_TEXT = st.text(alphabet=st.sampled_from(["a", "\n", "\x00", "\ufeff", "é", "😀", "\r", " "]),
                max_size=40)


@given(_TEXT, st.booleans())
def test_a_buffer_reads_as_its_file(text: str, bom: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.ai_model.toml"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        from_disk = read_source(path, limit=LIMIT, display="x.ai_model.toml")
        buffer = ("\ufeff" if bom else "") + text
        from_buffer = source_from_text(path, buffer, limit=LIMIT, display="x.ai_model.toml")
    if isinstance(from_disk, Diagnostic):
        assert from_buffer == from_disk
    else:
        assert not isinstance(from_buffer, Diagnostic)
        assert from_buffer.text == from_disk.text


def test_a_lone_surrogate_is_refused_at_its_place() -> None:
    found = source_from_text(Path("x.ai_model.toml"), 'a = 1\nb = "x\ud800"\n', limit=LIMIT,
                             display="x.ai_model.toml")
    assert isinstance(found, Diagnostic)
    assert (found.code, found.line, found.column) == ("DC002", 2, 7)
    assert "U+D800" in found.message
