"""clients target: the configs of OpenCode, Claude Code, Continue, aider, avante.nvim,
LibreChat and Kait, and Open WebUI in compose, from the same datums.

What is checked, and how:

* golden files for the bundled datums with a [clients] fixture (tests/golden/targets/clients/);
* each file parses as its client reads it (JSON, YAML, Lua with the real `lua5.4` or
  `nvim`, an env file) and names the models config.yaml serves, the picks, the base URL
  and the key's env var, never its value; the leak check reads every file;
* the Lua emitter: hostile strings read back unchanged by a real Lua;
* the default build: clients only with [clients]; compose unchanged without Open WebUI;
* DC406 (a pick naming no model, no model left) at its datumc.toml line; DC407 and the
  settings planned for Claude Code on an `openai/` deployment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from datumc.render import luatext
from datumc.secrets.leaks import readings_of
from datumc.write.output import Output
from tests.conftest import datum, run_cli, write_project
from tests.helpers.golden import assert_golden
from tests.helpers.targets import copy_bundled, tree

CLIENTS_TOML = """\
[proxy]
port = 4000

[clients]
base_url = "https://llm.example.com"
default = "claude-default"
small = "claude-haiku-4-5"
opus = "claude-strong"
sonnet = "claude-sonnet-4-5"
haiku = "claude-fast"
access_groups = ["default"]
open_webui = true
"""

FILES = ("opencode.json", "claude-code/settings.json", "continue/config.yaml",
         "aider/.aider.conf.yml", "aider/.aider.model.metadata.json", "avante.lua",
         "librechat.yaml", "kait.env")


def build(root: Path, *args: str) -> Path:
    result = run_cli("build", *args, cwd=root)
    assert result.code == 0, result.output
    return root / "build"


def served(out: Path) -> set[str]:
    config = yaml.safe_load((out / "litellm" / "config.yaml").read_text())
    return {d["model_name"] for d in config["model_list"]}


def lua_values(path: Path) -> dict[str, str] | None:
    """The avante table as a real Lua reads it (lua5.4, else nvim's LuaJIT)."""
    script = ('local t = dofile(arg and arg[1] or _G.AVANTE)\n'
              'local p = t.providers[t.provider]\n'
              'for _, k in ipairs({"__inherited_from", "endpoint", "api_key_name", "model"}) do\n'
              '  io.stdout:write(k, "=", p[k]:gsub(".", function(c) return '
              'string.format("%02x", c:byte()) end), "\\n") end\n')
    runner = path.parent / "read.lua"
    runner.write_text(script)
    if shutil.which("lua5.4"):
        cmd = ["lua5.4", str(runner), str(path)]
    elif shutil.which("nvim"):
        cmd = ["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-c",
               f"lua _G.AVANTE = {luatext.string(str(path))}", "-c", f"luafile {runner}",
               "-c", "qa!"]
    else:
        return None
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    pairs = (line.split("=", 1) for line in (proc.stdout + proc.stderr).splitlines()
             if "=" in line)
    return {k: bytes.fromhex(v).decode() for k, v in pairs}


# --- the files ---


def test_clients_golden(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "p", CLIENTS_TOML))
    files = {k: v for k, v in tree(out).items() if k.startswith("clients/")}
    assert sorted(files) == sorted(f"clients/{f}" for f in FILES)
    for relpath, content in files.items():
        assert_golden(content, f"targets/clients/{relpath.removeprefix('clients/')}")
    assert_golden((out / "compose" / "compose.yaml").read_bytes(),
                  "targets/clients/compose.yaml")


def test_files_read_as_their_clients_read_them(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "p", CLIENTS_TOML)) / "clients"
    names = served(out.parent)
    opencode = json.loads((out / "opencode.json").read_text())
    provider = opencode["provider"]["litellm"]
    assert opencode["$schema"] == "https://opencode.ai/config.json"
    assert provider["npm"] == "@ai-sdk/openai-compatible"
    assert provider["options"] == {"baseURL": "https://llm.example.com/v1",
                                   "apiKey": "{env:LITELLM_MASTER_KEY}"}
    assert set(provider["models"]) <= names
    assert "claude-opus-4-5" not in provider["models"]  # only in access group "premium"
    assert opencode["model"] == "litellm/claude-sonnet-4-5"  # the alias, resolved
    assert opencode["small_model"] == "litellm/claude-haiku-4-5"

    claude = json.loads((out / "claude-code" / "settings.json").read_text())
    assert claude["env"] == {
        "ANTHROPIC_BASE_URL": "https://llm.example.com",
        "ANTHROPIC_MODEL": "claude-sonnet-4-5",
        "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-5",
        "ANTHROPIC_DEFAULT_SONNET_MODEL": "claude-sonnet-4-5",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5",
    }
    assert claude["apiKeyHelper"] == 'printf %s "$LITELLM_MASTER_KEY"'
    helper = subprocess.run(["sh", "-c", claude["apiKeyHelper"]], capture_output=True,
                            text=True, env={"LITELLM_MASTER_KEY": "sk-x y$z"}, check=True)
    assert helper.stdout == "sk-x y$z"

    cont = yaml.safe_load((out / "continue" / "config.yaml").read_text())
    assert cont["schema"] == "v1" and isinstance(cont["name"], str)
    assert isinstance(cont["version"], str)
    allowed = {"chat", "autocomplete", "embed", "rerank", "edit", "apply", "summarize"}
    for model in cont["models"]:
        assert model["provider"] == "openai" and model["model"] in names
        assert model["apiBase"] == "https://llm.example.com/v1"
        assert model["apiKey"] == "${{ secrets.LITELLM_MASTER_KEY }}"
        assert set(model["roles"]) <= allowed and model["roles"]

    aider = yaml.safe_load((out / "aider" / ".aider.conf.yml").read_text())
    assert aider == {"openai-api-base": "https://llm.example.com/v1",
                     "model": "openai/claude-sonnet-4-5",
                     "weak-model": "openai/claude-haiku-4-5"}
    meta = json.loads((out / "aider" / ".aider.model.metadata.json").read_text())
    for key, entry in meta.items():
        assert key.startswith("openai/") and key.removeprefix("openai/") in names
        assert entry["litellm_provider"] == "openai" and entry["mode"] == "chat"

    libre = yaml.safe_load((out / "librechat.yaml").read_text())
    (endpoint,) = libre["endpoints"]["custom"]
    assert endpoint["apiKey"] == "${LITELLM_MASTER_KEY}"
    assert endpoint["baseURL"] == "https://llm.example.com/v1"
    assert set(endpoint["models"]["default"]) <= names

    kait = dict(line.split("=", 1) for line in (out / "kait.env").read_text().splitlines()
                if line and not line.startswith("#"))
    assert kait == {"KAIT_LITELLM_ENABLED": "true", "KAIT_LITELLM_PORT": "4000",
                    "KAIT_LITELLM_CLAUDE_MODEL": "claude-sonnet-4-5",
                    "KAIT_LITELLM_OPENAI_MODEL": "claude-sonnet-4-5"}

    avante = lua_values(out / "avante.lua")
    if avante is not None:
        assert avante == {"__inherited_from": "openai", "endpoint": "https://llm.example.com/v1",
                          "api_key_name": "LITELLM_MASTER_KEY", "model": "claude-sonnet-4-5"}


def test_open_webui_in_compose(tmp_path: Path) -> None:
    out = build(copy_bundled(tmp_path / "p", CLIENTS_TOML))
    compose = yaml.safe_load((out / "compose" / "compose.yaml").read_text())
    webui = compose["services"]["open-webui"]
    assert webui["environment"]["OPENAI_API_BASE_URL"] == "http://litellm:4000/v1"
    assert webui["environment"]["ENABLE_PERSISTENT_CONFIG"] == "false"
    assert ":" in webui["image"] and not webui["image"].endswith(":latest")
    assert "open-webui-data" in compose["volumes"]
    # the key comes from the env file through the container's shell ($$ is compose's $)
    assert '"$$LITELLM_MASTER_KEY"' in webui["command"][-1]


def test_default_build(tmp_path: Path) -> None:
    plain = build(copy_bundled(tmp_path / "plain"))
    assert not (plain / "clients").exists()
    root = copy_bundled(tmp_path / "with")
    with_clients = root / "datumc.toml"
    with_clients.write_text(with_clients.read_text() + "\n[clients]\n")
    out = build(root)
    assert (out / "clients" / "opencode.json").is_file()
    # compose is byte for byte the same without Open WebUI
    assert (out / "compose" / "compose.yaml").read_bytes() == (
        plain / "compose" / "compose.yaml").read_bytes()
    # an explicit targets list is kept; --target clients builds it
    only = copy_bundled(tmp_path / "only", '[datumc]\ntargets = ["litellm"]\n[clients]\n')
    assert not (build(only) / "clients").exists()
    assert (build(only, "--target", "clients") / "clients" / "kait.env").is_file()


def test_enabled_chooses_the_files(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "p", '[clients]\nenabled = ["avante", "kait"]\n')
    files = sorted(k for k in tree(build(root)) if k.startswith("clients/"))
    assert files == ["clients/avante.lua", "clients/kait.env"]


# --- secrets ---


def test_a_secret_never_reaches_a_client_file(tmp_path: Path) -> None:
    secret = "sk-proj-" + "Q7x" * 12
    toml = f'[clients]\nbase_url = "http://{secret}@llm.example.com"\n'
    root = copy_bundled(tmp_path / "p", toml)
    (root / ".env").write_text(f"LITELLM_MASTER_KEY={secret}\n")
    result = run_cli("build", "--target", "clients", cwd=root)
    assert result.code == 1 and "DC" in result.output
    assert not (root / "build" / "clients").exists()


@pytest.mark.parametrize("relpath,content", [
    ("clients/a.json", json.dumps({"k": "s\u0065cr\\et"}, ensure_ascii=True)),
    ("clients/a.lua", "return { k = " + luatext.string("s\"e]]cr\net") + " }\n"),
])
def test_leak_check_reads_json_and_lua(relpath: str, content: str) -> None:
    readings = readings_of(Output(relpath, content.encode()))
    assert any(r in ("s\u0065cr\\et", "s\"e]]cr\net") for r in readings[1:])


# --- the Lua emitter ---

HOSTILE = ["", "plain", 'q"uote', "back\\slash", "]]", "[==[", "line\nbreak\r", "\x00nul",
           "é€😀", "--comment", "\\0659", "%s%d", "\u2028", "'single'", "a\\z  b"]


def test_lua_strings_read_back() -> None:
    data: dict[str, Any] = {f"k{i}": v for i, v in enumerate(HOSTILE)}
    data["more"] = {"nested": HOSTILE}
    text = "return " + luatext.table(data) + "\n"
    assert list(luatext.strings(text)) == [*HOSTILE, *HOSTILE]
    lua = shutil.which("lua5.4")
    if lua is None:
        pytest.skip("lua5.4 not installed")
    tmp = Path(subprocess.run(["mktemp", "-d"], capture_output=True, text=True,
                              check=True).stdout.strip())
    (tmp / "t.lua").write_text(text)
    script = (f'local t = dofile(arg[1])\nfor i = 0, {len(HOSTILE) - 1} do local v = t["k" .. i]\n'
              'io.stdout:write((v:gsub(".", function(c) return string.format("%02x", '
              'c:byte()) end)), "\\n") end\n')
    (tmp / "r.lua").write_text(script)
    proc = subprocess.run([lua, str(tmp / "r.lua"), str(tmp / "t.lua")], capture_output=True,
                          text=True, check=True)
    assert [bytes.fromhex(x).decode() for x in proc.stdout.splitlines()] == HOSTILE
    shutil.rmtree(tmp)


def test_lua_keys() -> None:
    assert luatext.key("end") == '["end"]'
    assert luatext.key("__inherited_from") == "__inherited_from"
    assert luatext.key("a-b") == '["a-b"]'


# --- lint ---


def _project(tmp_path: Path, clients: str, **datums: str) -> Path:
    return write_project(tmp_path / "p", datums or {"a": datum("a", api_base="http://h/v1")},
                         f"[clients]\n{clients}")


def test_dc406_unknown_pick(tmp_path: Path) -> None:
    root = _project(tmp_path, 'default = "nope"\nmodels = ["a", "gone"]\n')
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "datumc.toml:2:11: error DC406" in result.output
    assert "datumc.toml:3:16: error DC406" in result.output


def test_dc406_no_model(tmp_path: Path) -> None:
    root = _project(tmp_path, 'access_groups = ["none"]\n')
    result = run_cli("build", cwd=root)
    assert result.code == 1 and "DC406" in result.output and "no model" in result.output


def test_claude_code_on_openai_deployment(tmp_path: Path) -> None:
    plain = datum("local", api_base="http://gpu:8000/v1", capabilities=["chat"])
    root = _project(tmp_path, 'enabled = ["claude-code"]\n', local=plain)
    out = build(root)
    config = yaml.safe_load((out / "litellm" / "config.yaml").read_text())
    assert config["litellm_settings"]["use_chat_completions_url_for_anthropic_messages"] is True
    assert config["model_list"][0]["model_info"]["supports_reasoning"] is False
    lint = run_cli("lint", cwd=root)
    assert "DC407" not in lint.output and "DC202" not in lint.output

    thinking = datum("local", api_base="http://gpu:8000/v1", capabilities=["chat", "reasoning"])
    root = _project(tmp_path / "r", 'enabled = ["claude-code"]\n', local=thinking)
    result = run_cli("lint", cwd=root)
    assert "warning DC407" in result.output


def test_no_claude_code_settings_without_it(tmp_path: Path) -> None:
    root = _project(tmp_path, 'enabled = ["opencode"]\n',
                    local=datum("local", api_base="http://gpu:8000/v1"))
    config = yaml.safe_load((build(root) / "litellm" / "config.yaml").read_text())
    assert "use_chat_completions_url_for_anthropic_messages" not in config.get(
        "litellm_settings", {})
