"""[kubernetes] options for a platform team: hpa, pdb, ingress, metrics, hardened, and the
database wiring. Each manifest set is built by `kubectl kustomize` and validated, strict,
by kubernetes-validate; the ServiceMonitor, a custom resource that kubernetes-validate has
no schema for, against the fields of its CRD. With no option set, the output is the
bundled golden (tests/test_targets_kubernetes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.plan.scale import max_replicas, max_replicas_path, min_replicas
from datumc.validate.project import Project
from tests.conftest import run_cli
from tests.helpers.targets import (
    assert_tree_golden,
    build,
    by_kind,
    copy_bundled,
    kustomize,
    require_module,
    yaml_docs,
)
from tests.test_targets_kubernetes import K8S_VERSIONS

# Every option on, with the database under a name of its own and Redis for the pods.
OPTIONS_TOML = """\
[proxy]
database_url_env = "LITELLM_DATABASE_URL"

[router]
redis = true

[litellm_settings]
callbacks = ["prometheus"]

[kubernetes]
namespace = "llm-gateway"
redis = "bundled"
hpa = { min = 2, max = 10, cpu = 70, memory = 80 }
pdb = { min_available = 1 }
metrics = "servicemonitor"

[kubernetes.ingress]
host = "llm.example.com"
tls_secret = "llm-tls"
class = "nginx"
annotations = { "nginx.ingress.kubernetes.io/proxy-read-timeout" = "600" }
"""

# The other way of each: pod annotations (metrics without auth), max_unavailable as a
# percentage, a wildcard host without TLS or class, and the image's own user.
ANNOTATIONS_TOML = """\
[litellm_settings]
success_callback = ["prometheus"]
require_auth_for_metrics_endpoint = false

[kubernetes]
hardened = false
pdb = { max_unavailable = "25%" }
metrics = "annotations"

[kubernetes.ingress]
host = "*.llm.example.com"
"""

FIXTURES = {"options": OPTIONS_TOML, "options-annotations": ANNOTATIONS_TOML}

# The ServiceMonitor fields datumc writes, from the monitoring.coreos.com/v1 CRD
# (prometheus-operator 0.84, example/prometheus-operator-crd/
# monitoring.coreos.com_servicemonitors.yaml). Every property the CRD allows is listed,
# and anything else is refused, as kubernetes-validate's strict mode does for built-ins.
_SECRET_KEY = {"type": "object", "required": ["key"], "additionalProperties": False,
               "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                              "optional": {"type": "boolean"}}}
_ENDPOINT_OTHER = (
    "basicAuth", "bearerTokenFile", "bearerTokenSecret", "enableHttp2", "filterRunning",
    "followRedirects", "honorLabels", "honorTimestamps", "interval", "metricRelabelings",
    "noProxy", "oauth2", "params", "proxyConnectHeader", "proxyFromEnvironment", "proxyUrl",
    "relabelings", "scrapeTimeout", "targetPort", "tlsConfig", "trackTimestampsStaleness",
)
_SPEC_OTHER = (
    "attachMetadata", "bodySizeLimit", "convertClassicHistogramsToNHCB",
    "fallbackScrapeProtocol", "jobLabel", "keepDroppedTargets", "labelLimit",
    "labelNameLengthLimit", "labelValueLengthLimit", "namespaceSelector",
    "nativeHistogramBucketLimit", "nativeHistogramMinBucketFactor", "podTargetLabels",
    "sampleLimit", "scrapeClass", "scrapeClassicHistograms", "scrapeProtocols",
    "selectorMechanism", "targetLabels", "targetLimit",
)
SERVICE_MONITOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["endpoints", "selector"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object", "additionalProperties": False,
                    "properties": {
                        "matchLabels": {"type": "object",
                                        "additionalProperties": {"type": "string"}},
                        "matchExpressions": {"type": "array"},
                    },
                },
                "endpoints": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "properties": {
                        "port": {"type": "string"},
                        "path": {"type": "string"},
                        "scheme": {"enum": ["http", "https"]},
                        "authorization": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"type": {"type": "string"},
                                           "credentials": _SECRET_KEY},
                        },
                        **{name: {} for name in _ENDPOINT_OTHER},
                    },
                }},
                **{name: {} for name in _SPEC_OTHER},
            },
        },
    },
}


def _validate(doc: dict[str, Any]) -> None:
    if doc["kind"] == "ServiceMonitor":
        jsonschema = require_module("jsonschema")
        jsonschema.validate(doc, SERVICE_MONITOR_SCHEMA)
        return
    kubernetes_validate = require_module("kubernetes_validate")
    for version in K8S_VERSIONS:
        if version == "latest":
            version = kubernetes_validate.latest_version()
        kubernetes_validate.validate(doc, version, strict=True)


def _options(tmp_path: Path, toml: str = OPTIONS_TOML) -> tuple[Path, list[dict[str, Any]]]:
    out = build(copy_bundled(tmp_path / "proj", toml))
    return out, kustomize(out / "kubernetes")


def _pod(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return by_kind(docs, "Deployment", "litellm")["spec"]["template"]


def _litellm(docs: list[dict[str, Any]]) -> dict[str, Any]:
    containers = _pod(docs)["spec"]["containers"]
    return next(c for c in containers if c["name"] == "litellm")


def _build_fails(tmp_path: Path, toml: str) -> str:
    result = run_cli("build", cwd=copy_bundled(tmp_path / "proj", toml))
    assert result.code == 1, result.output
    assert not (tmp_path / "proj" / "build").exists(), "nothing is written on an error"
    return result.output


@pytest.mark.parametrize("name", FIXTURES)
def test_options_golden(tmp_path: Path, name: str) -> None:
    out = build(copy_bundled(tmp_path / name, FIXTURES[name]))
    assert_tree_golden(out, name, "kubernetes/")


@pytest.mark.parametrize("name", FIXTURES)
def test_kustomize_builds_and_every_manifest_validates(tmp_path: Path, name: str) -> None:
    out, docs = _options(tmp_path, FIXTURES[name])
    kinds = {d["kind"] for d in docs}
    assert {"HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress"} & kinds
    for doc in docs:
        _validate(doc)
    for doc in yaml_docs((out / "kubernetes" / "secret.template.yaml").read_text()):
        _validate(doc)


def test_the_service_monitor_check_is_real(tmp_path: Path) -> None:
    """The transcribed CRD fields refuse what the CRD refuses."""
    jsonschema = require_module("jsonschema")
    monitor = by_kind(_options(tmp_path)[1], "ServiceMonitor")
    jsonschema.validate(monitor, SERVICE_MONITOR_SCHEMA)
    monitor["spec"]["endpoints"][0]["bearerTokenSecrett"] = {"key": "x"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(monitor, SERVICE_MONITOR_SCHEMA)


def test_hpa_scales_the_deployment_which_leaves_the_count_to_it(tmp_path: Path) -> None:
    _, docs = _options(tmp_path)
    deployment = by_kind(docs, "Deployment", "litellm")
    assert "replicas" not in deployment["spec"], "kubectl apply would reset the HPA's count"
    hpa = by_kind(docs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["metadata"]["namespace"] == "llm-gateway"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "litellm"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["spec"]["metrics"]}
    assert targets == {"cpu": {"type": "Utilization", "averageUtilization": 70},
                       "memory": {"type": "Utilization", "averageUtilization": 80}}
    requests = _litellm(docs)["resources"]["requests"]
    assert set(targets) <= set(requests), "utilization is measured against the request"


def test_hpa_defaults(tmp_path: Path) -> None:
    """min defaults to replicas; no target means cpu 80 (the HPA controller's own)."""
    toml = '[router]\nredis = true\n\n[kubernetes]\nreplicas = 3\nredis = "external"\n' \
           'hpa = { max = 6 }\n'
    hpa = by_kind(_options(tmp_path, toml)[1], "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 6)
    assert hpa["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


def test_pdb_selects_the_proxy_pods(tmp_path: Path) -> None:
    _, docs = _options(tmp_path)
    pdb = by_kind(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == _pod(docs)["metadata"]["labels"]
    redis = by_kind(docs, "Deployment", "litellm-redis")["spec"]["template"]["metadata"]
    assert pdb["spec"]["selector"]["matchLabels"] != redis["labels"], "not the Redis pod"
    _, docs = _options(tmp_path / "pct", ANNOTATIONS_TOML)
    assert by_kind(docs, "PodDisruptionBudget")["spec"] == {
        "maxUnavailable": "25%",
        "selector": {"matchLabels": _pod(docs)["metadata"]["labels"]}}


def test_ingress_routes_to_the_service(tmp_path: Path) -> None:
    _, docs = _options(tmp_path)
    ingress = by_kind(docs, "Ingress")
    service = by_kind(docs, "Service", "litellm")
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["tls"] == [{"hosts": ["llm.example.com"], "secretName": "llm-tls"}]
    assert ingress["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "600"}
    [rule] = spec["rules"]
    assert rule["host"] == "llm.example.com"
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    _, docs = _options(tmp_path / "plain", ANNOTATIONS_TOML)
    spec = by_kind(docs, "Ingress")["spec"]
    assert "tls" not in spec and "ingressClassName" not in spec
    assert spec["rules"][0]["host"] == "*.llm.example.com"


def test_service_monitor_scrapes_metrics_with_the_master_key(tmp_path: Path) -> None:
    out, docs = _options(tmp_path)
    monitor = by_kind(docs, "ServiceMonitor")
    service = by_kind(docs, "Service", "litellm")
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"], \
        "the operator reads the Secret from the ServiceMonitor's namespace"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= \
        service["metadata"]["labels"].items()
    redis = by_kind(docs, "Service", "litellm-redis")
    assert not monitor["spec"]["selector"]["matchLabels"].items() <= \
        redis["metadata"]["labels"].items()
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics/"
    assert endpoint["authorization"] == {
        "type": "Bearer", "credentials": {"name": "litellm-env", "key": "LITELLM_MASTER_KEY"}}
    secret = yaml.safe_load((out / "kubernetes" / "secret.template.yaml").read_text())
    assert "LITELLM_MASTER_KEY" in secret["stringData"]
    assert "annotations" not in _pod(docs)["metadata"]


def test_service_monitor_without_auth_when_litellm_asks_none(tmp_path: Path) -> None:
    toml = OPTIONS_TOML.replace('callbacks = ["prometheus"]',
                                'callbacks = ["prometheus"]\n'
                                "require_auth_for_metrics_endpoint = false")
    [endpoint] = by_kind(_options(tmp_path, toml)[1], "ServiceMonitor")["spec"]["endpoints"]
    assert endpoint == {"port": "http", "path": "/metrics/"}


def test_metrics_annotations_on_the_pods(tmp_path: Path) -> None:
    _, docs = _options(tmp_path, ANNOTATIONS_TOML)
    assert "ServiceMonitor" not in {d["kind"] for d in docs}
    assert _pod(docs)["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true", "prometheus.io/port": "4000",
        "prometheus.io/path": "/metrics/"}
    assert "annotations" not in by_kind(docs, "Service", "litellm")["metadata"], \
        "on the pods only: a service-endpoints job would scrape every pod a second time"


def test_metrics_need_the_prometheus_callback(tmp_path: Path) -> None:
    output = _build_fails(tmp_path, '[kubernetes]\nmetrics = "servicemonitor"\n')
    assert 'callbacks = ["prometheus"]' in output and "/metrics/" in output


def test_metrics_annotations_cannot_carry_the_key(tmp_path: Path) -> None:
    output = _build_fails(tmp_path, '[litellm_settings]\ncallbacks = ["prometheus"]\n\n'
                                    '[kubernetes]\nmetrics = "annotations"\n')
    assert "require_auth_for_metrics_endpoint = false" in output
    assert 'metrics = "servicemonitor"' in output


def test_database_url_comes_from_the_secret(tmp_path: Path) -> None:
    out, docs = _options(tmp_path)
    container = _litellm(docs)
    assert {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "litellm-env", "key": "LITELLM_DATABASE_URL"}}} in container["env"]
    secret = yaml.safe_load((out / "kubernetes" / "secret.template.yaml").read_text())
    assert "LITELLM_DATABASE_URL" in secret["stringData"]
    config = yaml.safe_load((out / "kubernetes" / "config.yaml").read_text())
    assert config["general_settings"]["database_url"] == "os.environ/LITELLM_DATABASE_URL"
    # Migrations: a writable copy of the migrations, and time to wait for another pod's.
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["LITELLM_MIGRATION_DIR"].startswith("/tmp/")
    probe = container["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] > 600, \
        "LITELLM_MIGRATION_LOCK_TIMEOUT is 600 s by default"


def test_without_database_nothing_changes(tmp_path: Path) -> None:
    _, docs = _options(tmp_path, ANNOTATIONS_TOML)
    container = _litellm(docs)
    assert "env" not in container
    assert container["startupProbe"]["failureThreshold"] == 60


def test_hardened_by_default_and_writable_only_under_tmp(tmp_path: Path) -> None:
    _, docs = _options(tmp_path)
    pod = _pod(docs)["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 65532,
                                      "runAsGroup": 65532, "fsGroup": 65532,
                                      "seccompProfile": {"type": "RuntimeDefault"}}
    container = _litellm(docs)
    assert container["securityContext"] == {"allowPrivilegeEscalation": False,
                                            "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    writable = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    assert [p for p, m in mounts.items() if m["name"] in writable] == ["/tmp"]
    paths = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    for name in ("HOME", "XDG_CACHE_HOME", "LITELLM_UI_PATH", "LITELLM_ASSETS_PATH",
                 "LITELLM_MIGRATION_DIR"):
        assert paths[name] == "/tmp" or paths[name].startswith("/tmp/"), name


def test_hardened_false_runs_as_the_image_user(tmp_path: Path) -> None:
    _, docs = _options(tmp_path, ANNOTATIONS_TOML)
    pod = _pod(docs)["spec"]
    assert pod["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert pod["automountServiceAccountToken"] is False
    assert _litellm(docs)["securityContext"] == {"allowPrivilegeEscalation": False,
                                                 "readOnlyRootFilesystem": False,
                                                 "capabilities": {"drop": ["ALL"]}}


def test_config_change_still_rolls_the_pods(tmp_path: Path) -> None:
    """kustomize names the ConfigMap after its content: a new config is a new pod template,
    so no checksum annotation is needed (and none is written)."""
    root = copy_bundled(tmp_path / "proj", OPTIONS_TOML)
    out = build(root)
    first = _pod(kustomize(out / "kubernetes"))
    datum = root / "datums" / "openai-gpt4o.ai_model.toml"
    datum.write_text(datum.read_text().replace("rpm_limit = 500", "rpm_limit = 400"))
    build(root)
    second = _pod(kustomize(out / "kubernetes"))
    assert first["spec"]["volumes"] != second["spec"]["volumes"]
    assert "annotations" not in first["metadata"]


@pytest.mark.parametrize(("toml", "where", "says"), [
    ('[kubernetes]\nhpa = { min = 5, max = 2 }\n', "datumc.toml:2:7:",
     "min = 5 is above max = 2"),
    ('[kubernetes]\nreplicas = 3\nhpa = { min = 2, max = 4 }\n', "datumc.toml:3:7:",
     "disagree"),
    ('[kubernetes.resources.requests]\nmemory = "1Gi"\n\n[kubernetes]\nhpa = { max = 4 }\n',
     "datumc.toml:5:7:", "a cpu target needs [kubernetes.resources.requests] cpu"),
    ('[kubernetes]\nhpa = { max = 4, cpuu = 70 }\n', "datumc.toml:2:25:", "kubernetes.hpa.cpuu"),
    ('[kubernetes]\npdb = { min_available = 1 }\n', "datumc.toml:2:7:", "every node drain"),
    ('[kubernetes]\npdb = { max_unavailable = 0 }\n', "datumc.toml:2:7:", "every node drain"),
    ('[kubernetes]\npdb = { min_available = 1, max_unavailable = 1 }\n', "datumc.toml:2:7:",
     "set one of min_available and max_unavailable"),
    ('[kubernetes.ingress]\nhost = "https://llm.example.com"\n', "datumc.toml:2:8:",
     "is not a host name"),
    ('[kubernetes]\nmetrics = "grafana"\n', "datumc.toml:2:11:", "kubernetes.metrics"),
], ids=["hpa-range", "hpa-vs-replicas", "hpa-request", "hpa-typo", "pdb-blocks",
        "pdb-zero", "pdb-both", "ingress-host", "metrics-kind"])
def test_bad_options_are_refused_at_their_line(tmp_path: Path, toml: str, where: str,
                                               says: str) -> None:
    output = _build_fails(tmp_path, toml)
    line = next(x for x in output.splitlines() if x.startswith(where))
    assert " error DC003 " in line and says in line, output


def test_replicas_without_redis_is_an_error_at_its_line(tmp_path: Path) -> None:
    """The bundled datums set rpm limits and datumc.toml cooldowns: shared state."""
    output = _build_fails(tmp_path, '[kubernetes]\nnamespace = "llm"\nreplicas = 2\n')
    assert any(x.startswith("datumc.toml:3:12: error DC403 ") for x in output.splitlines()), \
        output


def test_hpa_max_without_redis_is_an_error_at_its_line(tmp_path: Path) -> None:
    output = _build_fails(tmp_path, '[kubernetes]\nhpa = { min = 1, max = 4 }\n')
    assert any(x.startswith("datumc.toml:2:24: error DC403 ") for x in output.splitlines()), \
        output


def test_hpa_with_bundled_redis_runs_it(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", '[kubernetes]\nredis = "bundled"\n'
                                                'hpa = { max = 4 }\n'))
    assert (out / "kubernetes" / "redis.yaml").exists()


def test_most_pods_a_project_runs() -> None:
    data: dict[str, Any] = {"kubernetes": {"replicas": 2},
                            "profiles": {"prod": {"kubernetes": {"hpa": {"min": 2, "max": 8}}}}}
    base = Project.model_validate({"kubernetes": {"replicas": 2}})
    prod = Project.model_validate({"kubernetes": {"replicas": 2, "hpa": {"min": 2, "max": 8}}})
    assert (max_replicas(base), min_replicas(base)) == (2, 2)
    assert (max_replicas(prod), min_replicas(prod)) == (8, 2)
    assert max_replicas_path(base, data) == ("kubernetes", "replicas")
    assert max_replicas_path(prod, data, ("profiles", "prod")) == (
        "profiles", "prod", "kubernetes", "hpa", "max")
    assert max_replicas(Project()) == 1
