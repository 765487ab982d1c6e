"""A callback whose Python package the pinned proxy image does not install: it never logs.

Why: some LiteLLM integrations import a package of their own (`mlflow`, `wandb`, `lunary`,
`traceloop-sdk`, `newrelic`). The image ghcr.io/berriai/litellm:main-v1.106.0 installs LiteLLM
with its proxy, proxy-runtime, extra_proxy and semantic-router extras: langfuse,
prometheus-client, opentelemetry, sentry-sdk and boto3, but not these. Without the package
the callback fails at its first log (ImportError in the proxy's log) and nothing reaches the
service. The facts (which module each callback imports, at which line of LiteLLM's source,
and the image's packages) are in data/integrations.json, from scripts/snapshot_integrations.py.

Bad:
    litellm_settings:
      success_callback: ["mlflow"]     # image: ghcr.io/berriai/litellm:main-v1.106.0

Good:
    # an image built FROM the pinned one with `pip install mlflow`, in [proxy] image (then
    # [lint] disable = ["DC234"]); or a callback the image supports, e.g. otel
    litellm_settings:
      success_callback: ["otel"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.data.integrations import integration_facts, missing_package
from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.plan.env import CALLBACK_KEYS
from datumc.plan.model import ConfigModel

CODE = "DC234"
NAME = "integration-package-missing"
SEVERITY = Severity.WARNING
SCOPE = Scope.CONFIG


def check(config: ConfigModel) -> Iterator[Diagnostic]:
    settings = config.section("litellm_settings")
    image = integration_facts()["image"]
    for key in CALLBACK_KEYS:
        names = settings.get(key)
        for index, name in enumerate(names if isinstance(names, list) else [names]):
            package = missing_package(name) if isinstance(name, str) else None
            if package is None:
                continue
            path = ("litellm_settings", key) if not isinstance(names, list) else (
                "litellm_settings", key, index)
            yield config.diag(
                CODE, SEVERITY,
                f"{config.where(path)}: the {name} callback imports {package['module']} "
                f"({package['source']}), which the image {image} does not install; it fails "
                "at its first log", path,
                hint=f"run an image with `pip install {package['distribution']}` ([proxy] "
                "image), or use a callback the image supports", value=True)
