"""Facts about a .env file that several rules share."""

from __future__ import annotations

from typing import Final

from datumc.load.env_loader import EnvDoc

# Names that mark a template to copy, not a file the proxy reads.
TEMPLATE_MARKERS: Final = ("example", "sample", "template", "dist", "tmpl")


def is_template(doc: EnvDoc) -> bool:
    """`.env.example`, `env.sample`, ...: placeholders and open modes are expected there."""
    name = doc.source.path.name.lower()
    return any(marker in name for marker in TEMPLATE_MARKERS)


def is_quoted(raw_value: str) -> bool:
    """The value starts with a quote that is closed later on the line."""
    value = raw_value.strip()
    return len(value) >= 2 and value[0] in "'\"" and value[0] in value[1:]
