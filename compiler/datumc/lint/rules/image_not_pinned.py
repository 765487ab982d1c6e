"""The proxy image is not pinned to a release: no tag, or a tag that moves.

Why: `ghcr.io/berriai/litellm:main-latest` (or no tag at all, which means
`latest`) is whatever was pushed last. Two machines pulling a day apart run
different proxies; a restart can upgrade you into a regression, or into a
compromised release (see DC402), without any change in your repository.
A tag with a version (`main-v1.106.0`) names one release; a digest
(`@sha256:...`) names one exact image and is the strongest pin.

Bad:
    [proxy]
    image = "ghcr.io/berriai/litellm:main-latest"

Good:
    [proxy]
    image = "ghcr.io/berriai/litellm:main-v1.106.0"
    # or, pinned to the exact bytes:
    # image = "ghcr.io/berriai/litellm:main-v1.106.0@sha256:<digest>"
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.images import ImageRef, configured_images
from datumc.validate.project import DEFAULT_IMAGE

CODE = "DC401"
NAME = "image-not-pinned"
SEVERITY = Severity.WARNING
SCOPE = Scope.PROJECT

_HINT = (
    f'pin a release, e.g. image = "{DEFAULT_IMAGE}", or a digest (image = "...@sha256:...")'
)


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    for setting in configured_images(stack):
        ref = ImageRef.parse(setting.image)
        if ref.pinned_by_digest or ref.versioned_tag:
            continue
        if ref.tag is None:
            message = f"image '{setting.image}' has no tag: it runs whatever 'latest' is"
        else:
            message = (f"image tag '{ref.tag}' is not a release: it moves, so every pull "
                       "may run a different proxy")
        yield doc.diag(CODE, SEVERITY, message, setting.path, _HINT, value=True)
