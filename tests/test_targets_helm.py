"""helm target: values.yaml for LiteLLM's chart (litellm-helm).

What is checked, and how:

* golden files for the bundled and the scaled project;
* every key path written exists in the chart's values (tests/data/litellm-helm/keys.json,
  read from the chart's default values.yaml; the chart has no values.schema.json), with
  the type of the chart's default;
* `proxy_config` is the data of build/litellm/config.yaml, and the header names every
  variable of the env inventory, never a value; the leak check covers values.yaml;
* with real `helm` (a tool, like kubectl: skipped without it, required in CI): Helm reads
  values.yaml and writes `proxy_config` back with `toYaml`, as the chart's ConfigMap
  does, and LiteLLM's YAML reader gets the config unchanged; values the model in
  datumc.targets.helm accepts survive, values it refuses really do not;
* with DATUMC_LITELLM_HELM_CHART set to a copy of the chart, `helm template` of the real
  chart: the Deployment runs the pinned image with the config and the Secret.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from datumc.pipeline import analyse, compile_project
from datumc.render import yamltext
from datumc.secrets import SECRET_IN_OUTPUT
from datumc.targets import helm
from datumc.targets.base import RenderContext
from tests.conftest import REPO, datum, require_tool, run_cli, write_project
from tests.helpers.targets import SCALED_TOML, assert_tree_golden, copy_bundled

KEYS = json.loads((REPO / "tests" / "data" / "litellm-helm" / "keys.json").read_text())
CHART_ENV = "DATUMC_LITELLM_HELM_CHART"

OPTIONS_TOML = """\
[proxy]
image = "ghcr.io/berriai/litellm:main-v1.106.0"

[kubernetes]
replicas = 2
redis = "external"
hpa = { max = 6, memory = 75 }
pdb = { min_available = 1 }

[kubernetes.ingress]
host = "llm.example.com"
tls_secret = "llm-tls"
annotations = { "nginx.ingress.kubernetes.io/proxy-read-timeout" = "600" }
"""


def build_helm(root: Path) -> Path:
    result = run_cli("build", "--target", "helm", cwd=root)
    assert result.code == 0, result.output
    return root / "build"


def values_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((out / "helm" / "values.yaml").read_text())
    return data


def config_of(out: Path) -> Any:
    return yaml.safe_load((out / "litellm" / "config.yaml").read_text())


# --- the files ---


def test_helm_golden(tmp_path: Path) -> None:
    assert_tree_golden(build_helm(copy_bundled(tmp_path / "bundled")), "bundled", "helm/")
    assert_tree_golden(build_helm(copy_bundled(tmp_path / "scaled", SCALED_TOML)), "scaled",
                       "helm/")


def test_helm_is_not_a_default_target(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    assert run_cli("build", cwd=root).code == 0
    assert not (root / "build" / "helm").exists()
    (root / "datumc.toml").write_text('[datumc]\ntargets = ["helm"]\n')
    assert run_cli("build", cwd=root).code == 0
    assert (root / "build" / "helm" / "values.yaml").is_file()


def _paths(values: dict[str, Any], at: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        path = f"{at}.{key}" if at else str(key)
        yield path, value
        if isinstance(value, dict) and path not in KEYS["free_form"]:
            yield from _paths(value, path)


_TYPES: dict[str, tuple[type, ...]] = {"map": (dict,), "list": (list,), "str": (str,),
                                       "int": (int,), "bool": (bool,), "int|str": (int, str)}


def _check_keys(values: dict[str, Any]) -> None:
    known = {**KEYS["keys"], **KEYS["commented_keys"], **KEYS["template_keys"]}
    for path, value in _paths(values):
        assert path in known, f"{path}: not a key of the litellm-helm chart"
        if value is None:
            continue  # null removes the chart's default
        expected = _TYPES[known[path]]
        assert isinstance(value, expected) and not (
            isinstance(value, bool) and bool not in expected), f"{path}: {value!r}"


@pytest.mark.parametrize("toml", [None, SCALED_TOML, OPTIONS_TOML,
                                  '[proxy]\nhost = "::"\nimage = "ghcr.io/berriai/litellm@sha256:'
                                  + "a" * 64 + '"\n'],
                         ids=["bundled", "scaled", "options", "host-digest"])
def test_every_key_is_one_the_chart_reads(tmp_path: Path, toml: str | None) -> None:
    _check_keys(values_of(build_helm(copy_bundled(tmp_path / "proj", toml))))


def test_the_key_check_is_real() -> None:
    with pytest.raises(AssertionError, match="replicaCount"):
        _check_keys({"replicaCount": "3"})
    with pytest.raises(AssertionError, match="not a key"):
        _check_keys({"replicas": 3})
    with pytest.raises(AssertionError, match="not a key"):
        _check_keys({"db": {"useexisting": True}})
    _check_keys({"proxy_config": {"anything": {"goes": 1}}, "autoscaling": {"enabled": None}})


@pytest.mark.parametrize("toml", [None, SCALED_TOML], ids=["bundled", "scaled"])
def test_proxy_config_is_the_litellm_config(tmp_path: Path, toml: str | None) -> None:
    out = build_helm(copy_bundled(tmp_path / "proj", toml))
    assert values_of(out)["proxy_config"] == config_of(out)


def _header_names(out: Path) -> set[str]:
    text = (out / "helm" / "values.yaml").read_text()
    head = text.split("\nfullnameOverride:")[0]
    return {line.split(":")[0].strip("# ") for line in head.splitlines()
            if line.startswith("#      ") and ":" in line and "kubectl" not in line}


def _env_example(out: Path) -> set[str]:
    lines = (out / "litellm" / ".env.example").read_text().splitlines()
    return {line[:-1] for line in lines if line.endswith("=") and not line.startswith("#")}


def test_the_secret_holds_the_env_inventory(tmp_path: Path) -> None:
    out = build_helm(copy_bundled(tmp_path / "proj"))
    values = values_of(out)
    assert values["environmentSecrets"] == ["litellm-env"]
    assert values["masterkeySecretName"] == "litellm-env"
    assert values["masterkeySecretKey"] == "LITELLM_MASTER_KEY"
    assert _header_names(out) == _env_example(out)
    assert "kubectl -n litellm create secret generic litellm-env --from-env-file=.env" in (
        out / "helm" / "values.yaml").read_text()


def test_scaled_project(tmp_path: Path) -> None:
    """Replicas, the chart's Redis, and an existing database whose URL is in the Secret."""
    out = build_helm(copy_bundled(tmp_path / "proj", SCALED_TOML))
    values = values_of(out)
    assert values["replicaCount"] == 3
    assert values["service"] == {"type": "LoadBalancer", "port": 4100}
    assert values["envVars"] == {"NUM_WORKERS": "2"}
    assert values["redis"] == {"enabled": True}
    assert values["db"] == {"deployStandalone": False, "useExisting": False}
    assert values["migrationJob"] == {"enabled": True}
    assert values["extraEnvVars"] == [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "litellm-env", "key": "DATABASE_URL"}}}]
    assert values["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                                   "limits": {"cpu": "2", "memory": "2Gi"}}
    names = _header_names(out)
    assert "DATABASE_URL" in names
    assert not names & {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "POSTGRES_PASSWORD"}, \
        "the chart's Redis sets its own address and password; postgres is compose's"
    assert _env_example(out) - names == {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD",
                                         "POSTGRES_PASSWORD"}


def test_bundled_project_needs_no_database_and_no_redis(tmp_path: Path) -> None:
    values = values_of(build_helm(copy_bundled(tmp_path / "proj")))
    assert values["db"] == {"deployStandalone": False, "useExisting": False}
    assert values["migrationJob"] == {"enabled": False}
    assert values["redis"] == {"enabled": False}
    assert values["image"] == {"repository": "ghcr.io/berriai/litellm", "tag": "main-v1.106.0",
                               "pullPolicy": "IfNotPresent"}
    assert "autoscaling" not in values and "envVars" not in values


def test_external_redis_comes_from_the_secret(tmp_path: Path) -> None:
    out = build_helm(copy_bundled(tmp_path / "proj", '[kubernetes]\nreplicas = 2\n'
                                                     'redis = "external"\n'))
    assert values_of(out)["redis"] == {"enabled": False}
    assert {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"} <= _header_names(out)


def test_chart_redis_under_other_env_names(tmp_path: Path) -> None:
    toml = ('[router]\nredis_host_env = "CACHE_HOST"\n[kubernetes]\nreplicas = 2\n'
            'redis = "bundled"\n')
    values = values_of(build_helm(copy_bundled(tmp_path / "proj", toml)))
    assert {"name": "CACHE_HOST", "value": "$(REDIS_HOST)"} in values["extraEnvVars"]
    assert values["proxy_config"]["router_settings"]["redis_host"] == "os.environ/CACHE_HOST"


def test_kubernetes_options(tmp_path: Path) -> None:
    values = values_of(build_helm(copy_bundled(tmp_path / "proj", OPTIONS_TOML)))
    assert values["autoscaling"] == {"enabled": True, "minReplicas": 2, "maxReplicas": 6,
                                     "targetCPUUtilizationPercentage": None,
                                     "targetMemoryUtilizationPercentage": 75}
    assert values["pdb"] == {"enabled": True, "minAvailable": 1}
    assert values["ingress"] == {
        "enabled": True, "className": None,
        "annotations": {"nginx.ingress.kubernetes.io/proxy-read-timeout": "600"},
        "hosts": [{"host": "llm.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}],
        "tls": [{"hosts": ["llm.example.com"], "secretName": "llm-tls"}],
    }


def test_image_reference_survives_the_chart_format() -> None:
    """The chart writes `repository:tag`; every pinned form comes out as written."""
    digest = "sha256:" + "b" * 64
    for image in ("ghcr.io/berriai/litellm:main-v1.106.0", f"ghcr.io/berriai/litellm@{digest}",
                  f"ghcr.io/berriai/litellm:main-v1.106.0@{digest}",
                  "registry.local:5000/litellm:1.106.0"):
        repository, tag, pinned = helm.chart_image(image)
        assert f"{repository}:{tag}" == image and pinned
    assert helm.chart_image("ghcr.io/berriai/litellm") == ("ghcr.io/berriai/litellm", "latest",
                                                           False)


# --- secrets ---


def test_values_are_leak_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """values.yaml is an output like any other: a secret value in it stops the build."""
    secret = "Zq9mVt4Lp8Rw2Xn6Kc3Hb7Jd5"
    root = write_project(tmp_path / "proj", {"m": datum("m", api_key_env="OPENAI_API_KEY",
                                                         metadata={"note": secret})})
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    result = compile_project(root, targets=["helm"])
    assert not result.outputs
    leaked = [d.message for d in result.diagnostics if d.code == SECRET_IN_OUTPUT]
    assert any("helm/values.yaml" in message for message in leaked), leaked
    assert all(secret not in message for message in leaked)


def test_no_value_reaches_values_yaml(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj", SCALED_TOML)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-Qw8Zr2Lp5Xc9Vb3Nm7Ty4\n"
                               "DATABASE_URL=postgresql://u:Pw9Xk2Lm5Qz8@db/litellm\n")
    text = (build_helm(root) / "helm" / "values.yaml").read_text()
    assert "Qw8Zr2Lp5Xc9Vb3Nm7Ty4" not in text and "Pw9Xk2Lm5Qz8" not in text


# --- what survives Helm ---

# (value, what LiteLLM reads after Helm), as helm 4.1 renders them.
HELM_NUMBERS: list[tuple[Any, Any]] = [
    (600, 600), (600.0, 600), (0.5, 0.5), (-0.0, 0), (0.0001, 0.0001), (1.2e-05, 1.2e-05),
    (1234567.5, 1234567.5), (1.5e21, 1.5e21), (2 ** 53, 2 ** 53),
    (3e-06, "3e-06"), (1e-05, "1e-05"), (1e20, "1e+20"), (1e21, "1e+21"),
    (2 ** 53 + 1, 2 ** 53), (2 ** 62, 4611686018427388000), (10 ** 18 + 1, 10 ** 18),
]


@pytest.mark.parametrize(("value", "after"), HELM_NUMBERS, ids=[repr(v) for v, _ in HELM_NUMBERS])
def test_the_number_model(value: Any, after: Any) -> None:
    got = helm.through_helm(value)
    assert got == after and type(got) is type(after)
    assert (helm.helm_problem(value) is None) == (after == value and not isinstance(after, str))


def test_a_value_helm_would_change_stops_the_build(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"m": datum("m", api_key_env="OPENAI_API_KEY",
                                                         metadata={"input_cost_per_token": 3e-6})})
    assert run_cli("build", cwd=root).code == 0, "every other target carries it"
    result = run_cli("build", "--target", "helm", cwd=root)
    assert result.code == 1
    assert "proxy_config.model_list[0].model_info.input_cost_per_token" in result.output
    assert "kubernetes target" in result.output
    assert not (root / "build" / "helm").exists()


@pytest.mark.parametrize("text", ["=", "<<", "a\x7fb", "a\x85b", "a\u2028b", "\n", "a\n\n",
                                  "a\u3000", "\xa0"])
def test_the_string_model_refuses(text: str) -> None:
    assert helm.helm_problem(text) is not None


def _helm(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "helm-home"
    env = {**os.environ, "HELM_CACHE_HOME": str(home / "cache"),
           "HELM_CONFIG_HOME": str(home / "config"), "HELM_DATA_HOME": str(home / "data")}
    return subprocess.run([require_tool("helm"), *map(str, args)], capture_output=True,
                          text=True, timeout=120, check=False, env=env)


def _toyaml_chart(tmp_path: Path) -> Path:
    """The smallest chart that does what litellm-helm's ConfigMap does with proxy_config:
    Helm's values, then `toYaml`."""
    chart = tmp_path / "toyaml"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: toyaml\nversion: 0.1.0\n")
    (chart / "templates" / "config.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n"
        "  config.yaml: |\n{{ .Values.proxy_config | toYaml | indent 4 }}\n")
    return chart


def _through_real_helm(tmp_path: Path, values_file: Path) -> Any:
    proc = _helm(tmp_path, "template", "t", _toyaml_chart(tmp_path), "-f", values_file)
    assert proc.returncode == 0, proc.stderr
    configmap = yaml.safe_load(proc.stdout)
    return yaml.safe_load(configmap["data"]["config.yaml"])


def _values_file(tmp_path: Path, proxy_config: dict[str, Any]) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text("proxy_config:\n" + yamltext.block(proxy_config, 2) + "\n")
    return path


@pytest.mark.parametrize("toml", [None, SCALED_TOML, OPTIONS_TOML],
                         ids=["bundled", "scaled", "options"])
def test_real_helm_hands_litellm_the_config(tmp_path: Path, toml: str | None) -> None:
    out = build_helm(copy_bundled(tmp_path / "proj", toml))
    assert _through_real_helm(tmp_path, out / "helm" / "values.yaml") == config_of(out)


def _random_values(seed: int, count: int) -> list[Any]:
    rng = random.Random(seed)
    alphabet = [" ", "\n", "\t", "\r", "a", "Z", "0", "1", ".", "e", "-", "+", "=", "<", ">", "&",
                "#", ":", "?", "|", "!", "*", "%", "@", "`", "'", '"', "\\", "{", "}", "[",
                "]", ",", "~", "$", "(", "\x00", "\x1b", "\x7f", "\x85", "\xa0", "é", "\u2028",
                "\u3000", "\ufeff", "\U0001f600"]
    out: list[Any] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))))
        elif kind < 0.8:
            digits = rng.randint(1, 17)
            mantissa = rng.randint(10 ** (digits - 1), 10 ** digits - 1)
            out.append(float(f"{mantissa}e{rng.randint(-30, 25)}") * rng.choice((1, -1)))
        else:
            out.append(rng.randint(-(2 ** 63), 2 ** 63 - 1) >> rng.randint(0, 63))
    return out


def test_what_the_model_accepts_survives_real_helm(tmp_path: Path) -> None:
    values = [v for v in _random_values(7, 3000) if helm.helm_problem(v) is None]
    keys = [v for v in values if isinstance(v, str)]
    proxy_config = {"values": values, "keys": {k: i for i, k in enumerate(keys)}}
    got = _through_real_helm(tmp_path, _values_file(tmp_path, proxy_config))
    assert got == proxy_config


@pytest.mark.parametrize("value", ["=", "<<", "a\x7fb", "a\x85b", "a\u2028b", "\n", "a\n\n",
                                   "a\u3000", 3e-06, 1e20, 2 ** 53 + 1],
                         ids=repr)
def test_what_the_model_refuses_really_changes(tmp_path: Path, value: Any) -> None:
    assert helm.helm_problem(value) is not None
    proc = _helm(tmp_path, "template", "t", _toyaml_chart(tmp_path), "-f",
                 _values_file(tmp_path, {"v": value}))
    if proc.returncode != 0:
        return  # Helm refuses the YAML it rendered: changed indeed
    try:
        data = yaml.safe_load(yaml.safe_load(proc.stdout)["data"]["config.yaml"])
    except yaml.YAMLError:
        return  # LiteLLM's reader refuses it
    assert data != {"v": value}


# --- the real chart (opt-in) ---


def _real_chart() -> Path:
    chart = os.environ.get(CHART_ENV)
    if not chart:
        pytest.skip(f"{CHART_ENV} is not set (a copy of deploy/charts/litellm-helm)")
    return Path(chart)


@pytest.mark.parametrize("toml", [None, OPTIONS_TOML, '[proxy]\nworkers = 2\n'
                                  'database_url_env = "PG_URL"\n[router]\nredis = true\n'],
                         ids=["bundled", "options", "database"])
def test_real_chart_renders_the_proxy(tmp_path: Path, toml: str | None) -> None:
    chart = _real_chart()
    out = build_helm(copy_bundled(tmp_path / "proj", toml))
    proc = _helm(tmp_path, "template", "litellm", chart, "-f", out / "helm" / "values.yaml")
    assert proc.returncode == 0, proc.stderr
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    kinds = {d["kind"] for d in docs}
    assert "Secret" not in kinds, "the chart generated a master key of its own"
    configmap = next(d for d in docs if d["kind"] == "ConfigMap")
    assert yaml.safe_load(configmap["data"]["config.yaml"]) == config_of(out)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "ghcr.io/berriai/litellm:main-v1.106.0"
    assert container["envFrom"] == [{"secretRef": {"name": "litellm-env"}}]
    env = {e["name"]: e for e in container["env"]}
    assert env["PROXY_MASTER_KEY"]["valueFrom"] == {
        "secretKeyRef": {"name": "litellm-env", "key": "LITELLM_MASTER_KEY"}}
    assert any(v.get("configMap", {}).get("name") == configmap["metadata"]["name"]
               for v in pod["volumes"])
    values = values_of(out)
    if "autoscaling" in values:
        assert "replicas" not in deployment["spec"]
        assert any(d["kind"] == "HorizontalPodAutoscaler" for d in docs)
    else:
        assert deployment["spec"]["replicas"] == values["replicaCount"]
    database = values["migrationJob"]["enabled"]
    assert ("Job" in kinds) == database
    if database:
        assert env["DATABASE_URL"]["valueFrom"] == {
            "secretKeyRef": {"name": "litellm-env", "key": "PG_URL"}}
        assert env["NUM_WORKERS"]["value"] == "2"


def test_render_context_gives_one_output(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    compilation = analyse(root)
    assert compilation.stack is not None and compilation.config is not None
    outputs = helm.outputs(RenderContext(compilation.stack, compilation.config))
    assert [o.relpath for o in outputs] == ["helm/values.yaml"]


def _first_problem(data: Any) -> bool:
    """The definition _all_carried answers early: some key or scalar, in the ordered walk
    that names it, has a problem (or the walk refuses a key)."""
    try:
        return any(helm.helm_problem(value) is not None for _, value in helm._leaves(data, ()))
    except helm.CannotCarryError:
        return True


_HELM_TEXT = st.text(alphabet=st.sampled_from(
    ["a", "Z", "-", " ", "\n", "=", "<", "\x7f", "\x85", "\u2028", "\ufffe", "\xa0", "é"]),
    max_size=6)
# Finite numbers only: datums and datumc.toml refuse inf and nan before any target runs.
_HELM_SCALAR = (_HELM_TEXT | st.sampled_from(["=", "<<", "\n", "x\n\n", "k" * 400])
                | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                | st.booleans() | st.none()
                | st.dates())
_HELM_DATA = st.recursive(
    _HELM_SCALAR,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(_HELM_TEXT | st.sampled_from(["k" * 200]) | st.integers(), inner,
                      max_size=4),
    max_leaves=12)


@given(_HELM_DATA)
def test_the_quick_check_answers_as_the_ordered_walk(data: Any) -> None:
    """The quick check over a whole config passes exactly what the walk that names each
    key and value passes: no value the chart would change goes through unnoticed."""
    assert helm._all_carried(data) is not _first_problem(data)
