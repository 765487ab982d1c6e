"""kubernetes target: `kubectl kustomize` builds it, every manifest validates offline against
the Kubernetes schemas (kubernetes-validate, strict), and the Deployment does what
[kubernetes] says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.targets import (
    SCALED_TOML,
    assert_tree_golden,
    build,
    by_kind,
    copy_bundled,
    kustomize,
    require_module,
    yaml_docs,
)

# The oldest Kubernetes still commonly run, and the newest the validator knows.
K8S_VERSIONS = ("1.29.0", "latest")


def _validate(doc: dict[str, Any]) -> None:
    kubernetes_validate = require_module("kubernetes_validate")
    for version in K8S_VERSIONS:
        if version == "latest":
            version = kubernetes_validate.latest_version()
        kubernetes_validate.validate(doc, version, strict=True)


def _container(deployment: dict[str, Any], name: str = "litellm") -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == name)


def test_kubernetes_golden(tmp_path: Path) -> None:
    assert_tree_golden(build(copy_bundled(tmp_path / "bundled")), "bundled", "kubernetes/")
    assert_tree_golden(build(copy_bundled(tmp_path / "scaled", SCALED_TOML)), "scaled",
                       "kubernetes/")


@pytest.mark.parametrize("toml", [None, SCALED_TOML, '[kubernetes]\nreplicas = 2\n'
                                  'redis = "external"\n'], ids=["bundled", "scaled", "external"])
def test_kustomize_builds_and_every_manifest_validates(tmp_path: Path, toml: str | None) -> None:
    out = build(copy_bundled(tmp_path / "proj", toml))
    docs = kustomize(out / "kubernetes")
    kinds = sorted(d["kind"] for d in docs)
    assert kinds.count("Deployment") == kinds.count("Service") >= 1
    assert "ConfigMap" in kinds and "Secret" not in kinds, "the Secret is a template only"
    for doc in docs:
        _validate(doc)
    for doc in yaml_docs((out / "kubernetes" / "secret.template.yaml").read_text()):
        _validate(doc)


def test_kubernetes_validate_rejects_a_broken_manifest(tmp_path: Path) -> None:
    """The validator is real: a field Kubernetes does not know fails in strict mode."""
    kubernetes_validate = require_module("kubernetes_validate")
    out = build(copy_bundled(tmp_path / "proj"))
    deployment = by_kind(kustomize(out / "kubernetes"), "Deployment")
    deployment["spec"]["replicaz"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)


def test_config_is_the_shared_config_and_its_hash_rolls_the_pods(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    shared = (out / "litellm" / "config.yaml").read_bytes()
    assert (out / "kubernetes" / "config.yaml").read_bytes() == shared
    first = kustomize(out / "kubernetes")
    configmap = by_kind(first, "ConfigMap")
    assert configmap["data"]["config.yaml"] == shared.decode()
    name = configmap["metadata"]["name"]
    assert name.startswith("litellm-config-")
    volumes = by_kind(first, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": name}} in volumes
    datum = root / "datums" / "openai-gpt4o.ai_model.toml"
    datum.write_text(datum.read_text().replace("rpm_limit = 500", "rpm_limit = 400"))
    build(root)
    second = kustomize(out / "kubernetes")
    renamed = by_kind(second, "ConfigMap")["metadata"]["name"]
    assert renamed != name and renamed.startswith("litellm-config-")
    volumes = by_kind(second, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": renamed}} in volumes


def test_deployment_follows_the_project(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", SCALED_TOML))
    docs = kustomize(out / "kubernetes")
    deployment = by_kind(docs, "Deployment", "litellm")
    assert deployment["metadata"]["namespace"] == "llm-gateway"
    assert deployment["spec"]["replicas"] == 3
    container = _container(deployment)
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                                      "limits": {"cpu": "2", "memory": "2Gi"}}
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert container["ports"] == [{"name": "http", "containerPort": 4100}]
    assert container["args"] == ["--config", "/etc/litellm/config.yaml", "--host", "0.0.0.0",
                                 "--port", "4100", "--num_workers", "2"]
    assert container["envFrom"] == [{"secretRef": {"name": "litellm-env"}}]
    service = by_kind(docs, "Service", "litellm")
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["ports"][0]["port"] == 4100


def test_pods_run_non_root_on_a_read_only_root_filesystem(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", SCALED_TOML))
    for deployment in (d for d in kustomize(out / "kubernetes") if d["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"] == {"drop": ["ALL"]}
        writable = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        mounted = {m["name"] for c in pod["containers"] for m in c["volumeMounts"]}
        assert writable and writable <= mounted
    litellm = _container(by_kind(kustomize(out / "kubernetes"), "Deployment", "litellm"))
    assert {"mountPath": "/tmp", "name": "tmp"} in litellm["volumeMounts"]
    assert {"name": "HOME", "value": "/tmp"} in litellm["env"]


def test_bundled_redis(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", SCALED_TOML))
    docs = kustomize(out / "kubernetes")
    redis = by_kind(docs, "Deployment", "litellm-redis")
    by_kind(docs, "Service", "litellm-redis")
    container = _container(redis, "redis")
    assert container["args"][-2:] == ["--requirepass", "$(REDIS_PASSWORD)"]
    assert container["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "litellm-env",
                                                                "key": "REDIS_PASSWORD"}
    litellm = _container(by_kind(docs, "Deployment", "litellm"))
    assert {"name": "REDIS_HOST", "value": "litellm-redis"} in litellm["env"]
    assert {"name": "REDIS_PORT", "value": "6379"} in litellm["env"]
    secret = yaml.safe_load((out / "kubernetes" / "secret.template.yaml").read_text())
    assert "REDIS_PASSWORD" in secret["stringData"]
    assert "REDIS_HOST" not in secret["stringData"], "set by the Deployment"


def test_external_redis_comes_from_the_secret(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", '[kubernetes]\nreplicas = 2\n'
                                                'redis = "external"\n'))
    assert not (out / "kubernetes" / "redis.yaml").exists()
    docs = kustomize(out / "kubernetes")
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"] == ["litellm"]
    secret = yaml.safe_load((out / "kubernetes" / "secret.template.yaml").read_text())
    assert {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"} <= set(secret["stringData"])


def test_secret_template_has_every_name_and_no_value(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj"))
    secret = yaml.safe_load((out / "kubernetes" / "secret.template.yaml").read_text())
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == "litellm-env"
    assert secret["metadata"]["namespace"] == "litellm"
    example = (out / "litellm" / ".env.example").read_text().splitlines()
    names = {line[:-1] for line in example if line.endswith("=") and not line.startswith("#")}
    assert set(secret["stringData"]) == names
    assert set(secret["stringData"].values()) == {""}
    kustomization = yaml.safe_load((out / "kubernetes" / "kustomization.yaml").read_text())
    assert "secret.template.yaml" not in kustomization["resources"]
