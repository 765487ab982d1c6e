""".gitignore entries a datumc project needs, added only where missing.

An existing file keeps every byte: the missing entries are appended at its end, under
one comment line. An entry counts as present in any spelling git reads the same way
for the project root (`build/`, `/build/`, `build`).
"""

from __future__ import annotations

from typing import Final

# entry -> the spellings that already cover it
ENTRIES: Final[dict[str, frozenset[str]]] = {
    ".env": frozenset({".env", "/.env"}),
    "build/": frozenset({"build/", "/build/", "build", "/build", "build/*", "/build/*"}),
    "*.datumc-tmp": frozenset({"*.datumc-tmp", "**/*.datumc-tmp"}),
}
COMMENT: Final = ("# datumc: the secrets file, the build output, and temp files "
                  "(a temp copy of .env holds its secrets)")


def missing(current: bytes | None) -> list[str]:
    """The entries `current` (a .gitignore's bytes, None: no file) does not have."""
    present = set() if current is None else {
        line.strip() for line in current.decode("utf-8", "replace").splitlines()
    }
    return [entry for entry, spellings in ENTRIES.items() if not spellings & present]


def with_entries(current: bytes | None) -> bytes | None:
    """The .gitignore with the missing entries appended; None when none is missing."""
    lines = missing(current)
    if not lines:
        return None
    newline = b"\r\n" if current is not None and b"\r\n" in current else b"\n"
    before = current or b""
    if before and not before.endswith(b"\n"):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline  # a blank line between the user's lines and ours
    block = newline.join(line.encode() for line in [COMMENT, *lines]) + newline
    return before + block
