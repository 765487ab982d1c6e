"""The proxy image is a LiteLLM 1.107.x release, which was compromised.

Why: the LiteLLM 1.107.x releases were published with malicious code. Do not
run them, not even briefly: the image runs with your provider API keys and the
proxy master key in its environment. Use a release before or after that line,
and rotate every key that a 1.107.x container could read.

Bad:
    [proxy]
    image = "ghcr.io/berriai/litellm:main-v1.107.0"

Good:
    [proxy]
    image = "ghcr.io/berriai/litellm:main-v1.106.0"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.load.stack import Stack
from datumc.plan.images import ImageRef, configured_images

CODE = "DC402"
NAME = "compromised-image"
SEVERITY = Severity.ERROR
SCOPE = Scope.PROJECT

# 1.107, 1.107.0, v1.107.3-stable, main-v1.107.1 ... but not 11.107 or 1.1070.
COMPROMISED = re.compile(r"(?<![0-9.])1\.107(?![0-9])(\.[0-9]+)?")


def is_compromised(image: str) -> bool:
    ref = ImageRef.parse(image)
    return (
        "litellm" in ref.repository.lower()
        and ref.tag is not None
        and COMPROMISED.search(ref.tag) is not None
    )


def check(stack: Stack) -> Iterator[Diagnostic]:
    doc = stack.project_doc
    if doc is None:
        return
    for setting in configured_images(stack):
        if is_compromised(setting.image):
            yield doc.diag(
                CODE, SEVERITY,
                f"image '{setting.image}' is a LiteLLM 1.107.x release, which was compromised",
                setting.path,
                hint="use another release (e.g. main-v1.106.0) and rotate every key a "
                "1.107.x container could read",
                value=True,
            )
