"""Size limits on input. Anything past these is reported, never processed."""

from __future__ import annotations

from typing import Final

from datumc.diagnostics import Code, Severity

MAX_DATUM_BYTES: Final = 256 * 1024
"""A datum is a few hundred bytes; 256 KiB leaves room for long comments."""

MAX_PROJECT_BYTES: Final = 1024 * 1024
MAX_YAML_BYTES: Final = 8 * 1024 * 1024
"""Hand-written LiteLLM configs with thousands of deployments stay well under this."""

MAX_ENV_BYTES: Final = 1024 * 1024
MAX_STRING_CHARS: Final = 16 * 1024
"""No single datum value (a URL, a hint, a parameter) needs more."""

MAX_LIST_ITEMS: Final = 1000
MAX_NESTING: Final = 16
MAX_NAME_CHARS: Final = 256
MAX_DATUM_FILES: Final = 100_000
MAX_PARSE_DEPTH: Final = 64
"""Nesting refused before parsing (brackets, dotted-key parts, YAML collections): the
parsers recurse per level, and long dotted keys cost tomllib quadratic time."""

TOO_LARGE = Code("DC014", "input-too-large", Severity.ERROR, """
An input is past a size limit: a datum over 256 KiB, a string over 16 KiB, an
array over 1,000 items, nesting deeper than 16, a LiteLLM YAML over 8 MiB, or more
than 100,000 datum files.

Why: limits keep a hostile or corrupt file from exhausting memory or time.

Good: datums are small; split anything larger.
""")
