"""compose target: golden files, the official Compose Specification schema, a real compose
implementation (podman-compose's `config`, which needs no container engine), and the
health check run for real against a local HTTP server."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.targets import SCALED_TOML, assert_tree_golden, build, copy_bundled, tool


def _compose(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((out / "compose" / "compose.yaml").read_text())
    return data


def test_compose_golden(tmp_path: Path) -> None:
    assert_tree_golden(build(copy_bundled(tmp_path / "bundled")), "bundled", "compose/")
    assert_tree_golden(build(copy_bundled(tmp_path / "scaled", SCALED_TOML)), "scaled",
                       "compose/")


@pytest.mark.parametrize("toml", [None, SCALED_TOML], ids=["bundled", "scaled"])
def test_compose_validates_against_the_compose_spec(tmp_path: Path, toml: str | None) -> None:
    out = build(copy_bundled(tmp_path / "proj", toml))
    tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec",
         out / "compose" / "compose.yaml")


def test_compose_spec_check_rejects_a_broken_file(tmp_path: Path) -> None:
    """The validator is real: a file the spec forbids fails."""
    out = build(copy_bundled(tmp_path / "proj"))
    bad = tmp_path / "bad.yaml"
    data = _compose(out)
    data["services"]["litellm"]["restart"] = ["always"]
    data["services"]["litellm"]["healthcheck"]["retires"] = 3
    bad.write_text(yaml.safe_dump(data))
    result = tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", bad,
                  check=False)
    assert result.returncode != 0


@pytest.mark.parametrize("toml", [None, SCALED_TOML], ids=["bundled", "scaled"])
def test_podman_compose_parses_it(tmp_path: Path, toml: str | None) -> None:
    root = copy_bundled(tmp_path / "proj", toml)
    out = build(root)
    (root / ".env").write_text("LITELLM_MASTER_KEY=sk-test\n")
    compose_file = out / "compose" / "compose.yaml"
    result = tool("podman-compose", "--dry-run", "-f", compose_file, "config", cwd=tmp_path)
    parsed = yaml.safe_load(result.stdout)
    ours = _compose(out)
    assert parsed["name"] == ours["name"] == "litellm"
    assert set(parsed["services"]) == set(ours["services"])
    litellm = parsed["services"]["litellm"]
    assert litellm["image"] == "ghcr.io/berriai/litellm:main-v1.106.0"
    assert litellm["command"] == ours["services"]["litellm"]["command"]
    assert litellm["volumes"] == ours["services"]["litellm"]["volumes"]
    if "redis" in parsed["services"]:
        # compose reads `$$` as a literal `$`: the container's shell sees $REDIS_PASSWORD.
        command = parsed["services"]["redis"]["command"][2]
        assert '"$REDIS_PASSWORD"' in command and "$$" not in command


def test_litellm_service(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "proj")
    out = build(root)
    compose = _compose(out)
    assert set(compose["services"]) == {"litellm"}, "no redis/postgres unless configured"
    svc = compose["services"]["litellm"]
    here = out / "compose"
    (volume,) = svc["volumes"]
    assert volume["read_only"] is True and volume["target"] == "/app/config.yaml"
    assert (here / volume["source"]).resolve() == (out / "litellm" / "config.yaml").resolve()
    (env_file,) = svc["env_file"]
    assert (here / env_file).resolve() == (root / ".env").resolve()
    assert svc["ports"] == ["4000:4000"]
    assert svc["command"][:2] == ["--config", "/app/config.yaml"]
    test = svc["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "/health/liveliness" in test[3]
    assert svc["restart"] == "unless-stopped"


def test_redis_and_postgres_when_configured(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "proj", SCALED_TOML))
    compose = _compose(out)
    services = compose["services"]
    assert set(services) == {"litellm", "redis", "postgres"}
    litellm = services["litellm"]
    assert litellm["environment"] == {"REDIS_HOST": "redis", "REDIS_PORT": "6379"}
    assert litellm["depends_on"] == {"redis": {"condition": "service_healthy"},
                                     "postgres": {"condition": "service_healthy"}}
    assert "--num_workers" in litellm["command"]
    assert "requirepass" in services["redis"]["command"][2]
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "litellm"
    assert "postgres-data" in compose["volumes"]
    config = yaml.safe_load((out / "litellm" / "config.yaml").read_text())
    router = config["router_settings"]
    assert router["redis_host"] == "os.environ/REDIS_HOST"
    assert router["redis_port"] == "os.environ/REDIS_PORT"
    assert router["redis_password"] == "os.environ/REDIS_PASSWORD"
    env_example = (out / "litellm" / ".env.example").read_text()
    for name in ("REDIS_PASSWORD", "DATABASE_URL", "POSTGRES_PASSWORD"):
        assert f"\n{name}=\n" in env_example


@pytest.mark.parametrize(("toml", "redis"), [
    ("[router]\nredis = true\n", True),
    ("[proxy]\nworkers = 2\n", True),
    ('[cache]\ntype = "redis"\n', True),
    ("[kubernetes]\nreplicas = 2\nredis = \"external\"\n", True),
    ("[proxy]\nworkers = 1\n", False),
])
def test_redis_service_follows_the_config(tmp_path: Path, toml: str, redis: bool) -> None:
    out = build(copy_bundled(tmp_path / "proj", toml))
    assert ("redis" in _compose(out)["services"]) == redis
    config = yaml.safe_load((out / "litellm" / "config.yaml").read_text())
    assert ("redis_host" in config.get("router_settings", {})
            or "host" in config.get("litellm_settings", {}).get("cache_params", {})) == redis


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/health/liveliness" else 404)
        self.end_headers()
        self.wfile.write(b'"I\'m alive!"')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_healthcheck_command_works(tmp_path: Path, health_server: http.server.HTTPServer) -> None:
    """Run the exact healthcheck `test` with python, as the container would."""
    port = health_server.server_address[1]
    out = build(copy_bundled(tmp_path / "proj", f"[proxy]\nport = {port}\n"))
    cmd, python, flag, code = _compose(out)["services"]["litellm"]["healthcheck"]["test"]
    assert (cmd, python, flag) == ("CMD", "python", "-c")
    ok = subprocess.run([sys.executable, flag, code], capture_output=True, text=True, timeout=30,
                        check=False)
    assert ok.returncode == 0, ok.stderr
    _Health.status = 503
    try:
        failing = subprocess.run([sys.executable, flag, code], capture_output=True, timeout=30,
                                 check=False)
    finally:
        _Health.status = 200
    assert failing.returncode != 0
