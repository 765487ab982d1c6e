"""Datum names and file names for imported deployments.

A model_name served by one deployment becomes that datum's name. Several deployments
under one model_name become a model_group whose members are named `<group>-1`,
`<group>-2`, ..., skipping any name already taken by a model, a group or an alias, so
a fallback or alias naming a model can never resolve to the wrong datum.

File names are `NN-<slug>.ai_model.toml`: the number keeps model_list order (the
build reads datums in path order), the slug is ASCII letters, digits, `.`, `_` and
`-` only, so a model name can never climb out of the datums directory.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

from datumc.importer.models import Draft
from datumc.validate.limits import MAX_NAME_CHARS

DATUM_SUFFIX: Final = ".ai_model.toml"
_SLUG_CHARS: Final = 60


def assign_names(drafts: Sequence[Draft], reserved: Iterable[str] = ()) -> None:
    """Set each draft's datum name and whether it is a model_group member."""
    counts = Counter(d.public for d in drafts)
    taken = {d.public for d in drafts} | set(reserved)
    seq: Counter[str] = Counter()
    for draft in drafts:
        if counts[draft.public] == 1:
            draft.name = draft.public
            continue
        draft.group = True
        while True:
            seq[draft.public] += 1
            candidate = _suffixed(draft.public, seq[draft.public])
            if candidate not in taken:
                break
        taken.add(candidate)
        draft.name = candidate


def _suffixed(name: str, n: int) -> str:
    suffix = f"-{n}"
    return name[: MAX_NAME_CHARS - len(suffix)] + suffix


def slug(text: str) -> str:
    """A file-name-safe form of `text`; 'model' when nothing usable is left."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", folded)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-._")
    return cleaned[:_SLUG_CHARS].rstrip("-._") or "model"


def file_names(drafts: Sequence[Draft]) -> list[str]:
    """`01-gpt-4o.ai_model.toml`, ... in model_list order. Unique by their number."""
    width = max(2, len(str(len(drafts))))
    return [f"{i:0{width}d}-{slug(d.name)}{DATUM_SUFFIX}" for i, d in enumerate(drafts, 1)]
