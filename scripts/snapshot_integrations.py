"""Snapshot what datumc checks about LiteLLM integrations: alert types, guardrail providers and
modes, and which Python package each integration imports (and whether the image has it).

    LITELLM_LOCAL_MODEL_COST_MAP=True python scripts/snapshot_integrations.py

Writes `compiler/datumc/data/integrations.json`. Alert types: LiteLLM's AlertType enum.
Guardrails: SupportedGuardrailIntegrations and the providers the guardrail registry can build
(`guardrail_initializer_registry`), the modes GuardrailEventHooks. The guardrail variables: the
environment reads of each guardrail class's module (the walk of snapshot_litellm_env.py).
Packages: IMPORTS cites the line of LiteLLM's source that imports each one (checked on every
run); the image's packages are litellm's Requires-Dist for the extras its Dockerfile installs.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from importlib.metadata import requires, version
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.proxy.guardrails import guardrail_registry
from litellm.types.guardrails import GuardrailEventHooks, SupportedGuardrailIntegrations
from litellm.types.integrations.slack_alerting import DEFAULT_ALERT_TYPES, AlertType
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "compiler" / "datumc" / "data" / "integrations.json"
SITE = Path(litellm.__file__).resolve().parent.parent
IMAGE = "ghcr.io/berriai/litellm:main-v1.106.0"
# The image installs LiteLLM with these extras: docker/Dockerfile.non_root of BerriAI/litellm
# (`uv sync --frozen ... --extra proxy --extra proxy-runtime --extra extra_proxy --extra
# semantic-router`, the newest stored version, 004c6b1b; the v1.106.0 tree itself is over the
# fetch size limit). What each extra holds is read from the installed litellm 1.106.0's own
# metadata (Requires-Dist), so the list is the pinned release's.
IMAGE_EXTRAS = ("proxy", "proxy-runtime", "extra_proxy", "semantic-router")
IMAGE_SOURCE = ("BerriAI/litellm docker/Dockerfile.non_root @ "
                "004c6b1b3ecc1c87480ec1aa74f8273d1840a151: uv sync --extra "
                f"{', --extra '.join(IMAGE_EXTRAS)}; their packages: the Requires-Dist of "
                "litellm 1.106.0")


def image_distributions() -> list[str]:
    """Distributions the image installs: litellm's own and those of IMAGE_EXTRAS."""
    out = set()
    for line in requires("litellm") or ():
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in IMAGE_EXTRAS):
            out.add(canonicalize_name(req.name))
    return sorted(out)


# callback -> (module imported, distribution that provides it, "file:line" of the import)
IMPORTS: dict[str, tuple[str, str, str]] = {
    "mlflow": ("mlflow", "mlflow", "litellm/integrations/mlflow.py:237"),
    "traceloop": ("traceloop.sdk", "traceloop-sdk", "litellm/integrations/traceloop.py:15"),
    "wandb": ("wandb", "wandb", "litellm/integrations/weights_biases.py:177"),
    "lunary": ("lunary", "lunary", "litellm/integrations/lunary.py:81"),
    "newrelic": ("newrelic.agent", "newrelic", "litellm/integrations/newrelic/newrelic.py:63"),
    "prometheus": ("prometheus_client", "prometheus-client",
                   "litellm/integrations/prometheus.py:384"),
    "otel": ("opentelemetry.sdk", "opentelemetry-sdk", "litellm/integrations/opentelemetry.py:464"),
    "sentry": ("sentry_sdk", "sentry-sdk", "litellm/litellm_core_utils/litellm_logging.py:4503"),
    "s3_v2": ("botocore", "boto3", "litellm/integrations/s3_v2.py:421"),
    "azure_storage": ("azure.storage.filedatalake", "azure-storage-file-datalake",
                      "litellm/integrations/azure_storage/azure_storage.py:348"),
}
NOTE = ("What datumc checks about LiteLLM integrations. alert_types: AlertType; guardrails: "
        "providers LiteLLM can build, their modes and the variables each reads; packages: the "
        "module each callback imports, and whether the pinned image installs it. From "
        "scripts/snapshot_integrations.py.")


def _env_walker() -> Any:
    spec = importlib.util.spec_from_file_location("snapshot_litellm_env",
                                                  HERE / "snapshot_litellm_env.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_import(name: str, module: str, cite: str) -> None:
    path, line = cite.rsplit(":", 1)
    text = (SITE / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    if "import" not in text or module.split(".")[0] not in text:
        sys.exit(f"{name}: {cite} does not import {module}: {text.strip()}")


def packages() -> dict[str, dict[str, Any]]:
    out, installed = {}, set(image_distributions())
    for name, (module, dist, cite) in sorted(IMPORTS.items()):
        _check_import(name, module, cite)
        out[name] = {"module": module, "distribution": dist, "source": cite,
                     "in_image": canonicalize_name(dist) in installed}
    return out


def guardrails() -> dict[str, dict[str, Any]]:
    walker = _env_walker()
    known = {g.value for g in SupportedGuardrailIntegrations}
    built = guardrail_registry.guardrail_initializer_registry
    classes = guardrail_registry.guardrail_class_registry
    out = {}
    for name in sorted(known | set(built)):
        entry: dict[str, Any] = {"buildable": name in built}
        cls = classes.get(name)
        if cls is not None:
            path = Path(inspect.getsourcefile(cls) or "")
            reads = walker.file_reads(path)
            entry["source"] = walker.rel(path)
            entry["reads"] = sorted(n for n in reads if n not in walker.NOISE)
        out[name] = entry
    return out


def build() -> dict[str, Any]:
    return {
        "litellm_version": version("litellm"), "note": NOTE, "image": IMAGE,
        "image_requirements": {"source": IMAGE_SOURCE, "distributions": image_distributions()},
        "alert_types": [a.value for a in AlertType],
        "default_alert_types": [a.value for a in DEFAULT_ALERT_TYPES],
        "guardrail_modes": sorted(h.value for h in GuardrailEventHooks),
        "guardrails": guardrails(),
        "packages": packages(),
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main() -> None:
    data = build()
    OUT.write_text(render(data), encoding="utf-8")
    print(f"alert_types={len(data['alert_types'])} guardrails={len(data['guardrails'])} "
          f"packages={len(data['packages'])} -> {OUT}")


if __name__ == "__main__":
    main()
