"""Container image references: `[registry[:port]/]repository[:tag][@digest]`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from datumc.load.positions import Key
from datumc.load.stack import Stack

# A tag names a release when it carries a version with at least major.minor.
_VERSION = re.compile(r"\d+\.\d+")


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        rest, _, digest = text.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            return cls(rest[:colon], rest[colon + 1:], digest or None)
        return cls(rest, None, digest or None)

    @property
    def pinned_by_digest(self) -> bool:
        return self.digest is not None

    @property
    def versioned_tag(self) -> bool:
        return self.tag is not None and _VERSION.search(self.tag) is not None


@dataclass(frozen=True, slots=True)
class ImageSetting:
    """An image named in datumc.toml, and the key path that names it."""

    image: str
    path: tuple[Key, ...]


def configured_images(stack: Stack) -> Iterator[ImageSetting]:
    """[proxy] image and every [profiles.NAME.proxy] image that datumc.toml sets.

    Every profile is checked whichever one is being built: a bad image in
    [profiles.prod] is worth knowing about while working on dev.
    """
    doc = stack.project_doc
    if doc is None:
        return
    image = _get(doc.data, "proxy", "image")
    if isinstance(image, str):
        yield ImageSetting(image, ("proxy", "image"))
    profiles = doc.data.get("profiles")
    if not isinstance(profiles, dict):
        return
    for name, overlay in profiles.items():
        image = _get(overlay, "proxy", "image")
        if isinstance(image, str):
            yield ImageSetting(image, ("profiles", name, "proxy", "image"))


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
