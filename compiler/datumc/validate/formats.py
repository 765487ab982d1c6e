"""Values with a grammar of their own: container image references, listen addresses and
paths inside the project.

Both reach command lines (podman, quadlet, the LiteLLM CLI, Kubernetes args), where a
value outside its grammar is read as something else: an image `--privileged` is a podman
option, `x.image` is another quadlet unit, a host `$(LITELLM_MASTER_KEY)` is expanded by
the kubelet. Checking the grammar up front gives the error at the value's line; the
emitters still escape or refuse what reaches them.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Final

NAME_MAX: Final = 255  # bytes in one file name
OUTSIDE_PROJECT: Final = "must be a relative path inside the project (no leading /, no ..)"

# The reference grammar of the container distribution spec (distribution/reference):
# [domain[:port]/]path[:tag][@digest], with lowercase path components.
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
IMAGE_PATTERN = (
    rf"(?:{_DOMAIN}/)?{_PATH_PART}(?:/{_PATH_PART})*(?::{_TAG})?(?:@{_DIGEST})?"
)
_IMAGE = re.compile(IMAGE_PATTERN)
_MAX_IMAGE = 255 + 1 + 128 + 1 + 71 + 64  # name, tag and a sha512 digest

# RFC 1123 host names: labels of letters, digits and '-', not starting or ending with '-'.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def image_problem(value: str) -> str | None:
    """Why `value` is not an image reference podman and quadlet read as one; None if it is."""
    if len(value) > _MAX_IMAGE or _IMAGE.fullmatch(value) is None:
        return ("is not a container image reference such as "
                "ghcr.io/berriai/litellm:<tag> (a lowercase name, then an optional "
                ":tag and @sha256:digest)")
    if value.endswith((".image", ".build")):
        return ("ends in .image or .build, which quadlet reads as another unit; add a tag, "
                "e.g. :latest")
    return None


def host_problem(value: str) -> str | None:
    """Why `value` is not an IP address or host name to listen on; None if it is."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        labels = value.removesuffix(".").split(".")
        if len(value) <= 253 and all(_LABEL.fullmatch(label) for label in labels):
            return None
        return "is not an IP address or a host name; e.g. 127.0.0.1, 0.0.0.0 or ::"
    return None


__all__ = ["IMAGE_PATTERN", "host_problem", "image_problem"]


def project_path_problem(value: str) -> str | None:
    """What keeps `value` from being a relative path inside the project, if anything: a
    repository someone clones cannot make datumc write to ~/.config or /etc, nor read
    from the whole disk (symlinks are checked where the path is used)."""
    posix, windows = PurePosixPath(value), PureWindowsPath(value)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or ".." in posix.parts:
        return OUTSIDE_PROJECT
    for part in posix.parts:
        size = len(part.encode(errors="replace"))
        if size > NAME_MAX:  # else every use of the path fails with ENAMETOOLONG
            return f"has a name of {size} bytes; file names are at most {NAME_MAX} bytes"
    return None
