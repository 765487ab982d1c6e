"""`datumc lsp`: the language server driven over stdio as an editor drives it."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import datumc_env, require_tool

if os.environ.get("DATUMC_REQUIRE_TOOLS") != "1":  # CI: a missing pygls fails the tests
    pytest.importorskip("pygls")

# The server as an editor starts it: the `datumc lsp` command.
SERVER = [sys.executable, "-m", "datumc", "lsp"]

FAST = """\
[b00t]
name = "fast"
type = "ai_model"
aliases = ["quick"]

[ai_model]
provider = "openai"
litellm_model = "openai/gpt-4o"
api_key_env = "OPENAI_API_KEY"
"""

MAIN = """\
[b00t]
name = "main"
type = "ai_model"

[ai_model]
provider = "anthropic"
litellm_model = "anthropic/claude-haiku-4-5"
api_key_env = "ANTHROPIC_API_KEY"
fallbacks = ["fast"]

[ai_model.parameters]
temprature = 0.2
"""


class Client:
    """A JSON-RPC client with Content-Length framing over the server's stdin/stdout."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(SERVER, cwd=cwd, env=datumc_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pending: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(out.read(length)))

    def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"method": method, "params": params or {}})

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params or {}})
        found = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in found, found
        return found.get("result")

    def wait(self, match: Any, timeout: float = 60) -> dict[str, Any]:
        for index, message in enumerate(self.pending):
            if match(message):
                return self.pending.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
            if match(message):
                return message
            self.pending.append(message)

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        found = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri)
        result: list[dict[str, Any]] = found["params"]["diagnostics"]
        return result

    def close(self) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.proc.wait(timeout=30)


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    (tmp_path / "datums").mkdir()
    (tmp_path / "datums" / "fast.ai_model.toml").write_text(FAST)
    (tmp_path / "datums" / "main.ai_model.toml").write_text(MAIN)
    return tmp_path


@pytest.fixture
def client(stack: Path) -> Any:
    c = Client(stack)
    c.request("initialize", {"processId": None, "rootUri": stack.as_uri(), "capabilities": {}})
    c.notify("initialized")
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait()


def _open(client: Client, path: Path, text: str) -> list[dict[str, Any]]:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "toml", "version": 1, "text": text}})
    return client.diagnostics(uri)


def _at(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def test_diagnostics_follow_the_unsaved_buffer(client: Client, stack: Path) -> None:
    path = stack / "datums" / "main.ai_model.toml"
    uri = path.as_uri()
    diags = _open(client, path, MAIN)
    typo = [d for d in diags if d["code"] == "DC203"]
    assert len(typo) == 1
    assert typo[0]["source"] == "datumc"
    assert typo[0]["severity"] == 2
    assert typo[0]["range"] == {"start": {"line": 11, "character": 0},
                                "end": {"line": 11, "character": 10}}
    assert "temprature" in typo[0]["message"]

    # Unsaved text wins over the file: the typo fixed, a fallback to nothing added.
    changed = MAIN.replace("temprature", "temperature").replace('["fast"]', '["nope"]')
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": changed}]})
    diags = client.diagnostics(uri)
    assert [d["code"] for d in diags if d["code"] == "DC203"] == []
    unknown = [d for d in diags if d["code"] == "DC108"]
    assert unknown and unknown[0]["severity"] == 1
    assert unknown[0]["range"]["start"]["line"] == 8
    assert path.read_text() == MAIN  # nothing written
    assert client.close() == 0


def test_a_change_in_one_datum_rechecks_the_others(client: Client, stack: Path) -> None:
    main = stack / "datums" / "main.ai_model.toml"
    fast = stack / "datums" / "fast.ai_model.toml"
    assert not [d for d in _open(client, main, MAIN) if d["code"] == "DC108"]
    _open(client, fast, FAST)
    # Rename "fast" in its buffer: main's fallback now points at nothing.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": fast.as_uri(), "version": 2},
        "contentChanges": [{"text": FAST.replace('name = "fast"', 'name = "speedy"')}]})
    found = client.diagnostics(main.as_uri())
    while not [d for d in found if d["code"] == "DC108"]:
        found = client.diagnostics(main.as_uri())
    assert any("fast" in d["message"] for d in found if d["code"] == "DC108")


def test_hover_key_code_and_model(client: Client, stack: Path) -> None:
    path = stack / "datums" / "main.ai_model.toml"
    uri = path.as_uri()
    _open(client, path, MAIN + "# datumc: disable-next-line=DC203\n")
    key = client.request("textDocument/hover", _at(uri, 7, 3))
    assert "api_key_env" in key["contents"]["value"]
    assert "env var" in key["contents"]["value"].lower()
    code = client.request("textDocument/hover", _at(uri, 12, 30))
    assert "DC203 unknown-litellm-param" in code["contents"]["value"]
    model = client.request("textDocument/hover", _at(uri, 6, 25))
    text = model["contents"]["value"]
    assert "context window" in text and "capabilities" in text
    assert client.request("textDocument/hover", _at(uri, 3, 0)) is None


def test_completion(client: Client, stack: Path) -> None:
    path = stack / "datums" / "main.ai_model.toml"
    uri = path.as_uri()
    text = MAIN.replace('fallbacks = ["fast"]', 'fallbacks = ["fast", ""]')
    text = text.replace('litellm_model = "anthropic/claude-haiku-4-5"', 'litellm_model = ""')
    text += 'capabilities = [""]\n'
    _open(client, path, text.replace('provider = "anthropic"', 'provider = "anthropic"'))

    def labels(line: int, character: int) -> list[str]:
        result = client.request("textDocument/completion", _at(uri, line, character))
        return [i["label"] for i in result["items"]]

    assert {"anthropic", "openai", "openrouter", "ollama"} <= set(labels(5, 12))
    models = labels(6, 17)
    assert models and all(m.startswith("anthropic/") for m in models)
    assert "anthropic/claude-haiku-4-5" in models
    assert {"fast", "quick"} <= set(labels(8, 22))
    assert {"vision", "tools", "reasoning"} <= set(labels(12, 17))


def test_definition_of_a_fallback_and_an_alias(client: Client, stack: Path) -> None:
    path = stack / "datums" / "main.ai_model.toml"
    uri = path.as_uri()
    _open(client, path, MAIN.replace('["fast"]', '["fast", "quick"]'))
    found = client.request("textDocument/definition", _at(uri, 8, 15))
    target = stack / "datums" / "fast.ai_model.toml"
    assert found["uri"] == target.as_uri()
    assert found["range"]["start"] == {"line": 1, "character": 8}
    alias = client.request("textDocument/definition", _at(uri, 8, 24))
    assert alias["uri"] == target.as_uri()
    assert alias["range"]["start"]["line"] == 3
    assert client.request("textDocument/definition", _at(uri, 0, 2)) is None


def test_credential_completion_and_definition(stack: Path) -> None:
    """A datum's `credential` completes to the project's [credentials.NAME] tables and
    jumps to the name in the table header that defines it (a quoted key too)."""
    project = stack / "datumc.toml"
    project.write_text(
        '[datumc]\ntargets = ["litellm"]\n\n'
        '[credentials.shared-openai]\napi_key_env = "OPENAI_API_KEY"\n'
        'description = "the team\'s OpenAI key"\n\n'
        '[credentials."azure-eu"]\napi_base = "https://eu.example.com"\n'
        'api_key_env = "AZURE_EU_KEY"\n')
    c = Client(stack)
    try:
        c.request("initialize", {"processId": None, "rootUri": stack.as_uri(), "capabilities": {}})
        c.notify("initialized")
        path = stack / "datums" / "fast.ai_model.toml"
        uri = path.as_uri()
        text = FAST.replace('api_key_env = "OPENAI_API_KEY"', 'credential = "azure-eu"')
        _open(c, path, text)
        row = text.splitlines().index('credential = "azure-eu"')
        result = c.request("textDocument/completion", _at(uri, row, 14))
        items = {i["label"]: i for i in result["items"]}
        assert set(items) == {"azure-eu", "shared-openai"}
        assert items["shared-openai"]["detail"] == "the team's OpenAI key"
        assert "api_key_env" in items["shared-openai"]["documentation"]["value"]
        found = c.request("textDocument/definition", _at(uri, row, 16))
        assert found["uri"] == project.as_uri()
        header = project.read_text().splitlines().index('[credentials."azure-eu"]')
        assert found["range"]["start"] == {"line": header, "character": 14}
        assert found["range"]["end"] == {"line": header, "character": 22}
        # A name no credential has: nowhere to go (and not a model of that name either).
        c.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": text.replace('"azure-eu"', '"nope"')}]})
        assert "DC228" in {d["code"] for d in c.diagnostics(uri)}  # unknown credential
        assert c.request("textDocument/definition", _at(uri, row, 15)) is None
    finally:
        c.proc.kill()
        c.proc.wait()


def test_unsaved_text_is_checked_as_the_file_it_would_be(client: Client, stack: Path) -> None:
    """A buffer the editor has not saved gets what `datumc lint` says of that file on
    disk: a NUL byte or text no UTF-8 file can hold is DC002 at its place, not parsed."""
    env = stack / ".env"
    diags = _open(client, env, "A=1\nB=\x00\n")
    assert [(d["code"], d["range"]["start"]) for d in diags] == [
        ("DC002", {"line": 1, "character": 2})]
    datum = stack / "datums" / "main.ai_model.toml"
    diags = _open(client, datum, MAIN.replace('name = "main"', 'name = "ma\ud800in"'))
    assert [(d["code"], d["range"]["start"]["line"]) for d in diags] == [("DC002", 1)]


def test_code_action_replaces_the_misspelled_key(client: Client, stack: Path) -> None:
    path = stack / "datums" / "main.ai_model.toml"
    uri = path.as_uri()
    diags = _open(client, path, MAIN)
    typo = next(d for d in diags if d["code"] == "DC203")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": typo["range"],
        "context": {"diagnostics": [typo]}})
    assert len(actions) == 1
    edit = actions[0]["edit"]["changes"][uri]
    assert edit == [{"range": typo["range"], "newText": "temperature"}]
    # Applied, the finding goes away.
    fixed = MAIN.replace("temprature", "temperature")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    assert not [d for d in client.diagnostics(uri) if d["code"] == "DC203"]


def test_env_and_yaml_files(client: Client, stack: Path) -> None:
    env = stack / ".env"
    diags = _open(client, env, 'OPENAI_API_KEY="sk-real"\n')
    assert "DC301" in {d["code"] for d in diags}
    yaml = stack / "config.yaml"
    diags = _open(client, yaml, "model_list:\n  - model_name: x\n    litellm_params:\n"
                  "      model: openai/gpt-4o\n      max_token: 3\n")
    typo = next(d for d in diags if d["code"] == "DC203")
    assert typo["range"]["start"]["line"] == 4


YAML_CREDENTIALS = """\
model_list:
  - model_name: eu
    litellm_params:
      model: azure/gpt-4o
      litellm_credential_name: azure-eu
credential_list:
  - credential_name: "azure-eu"   # quoted
    credential_values: {api_key: os.environ/AZURE_EU_KEY}
    credential_info: {}
  - credential_name: openai-team
    credential_values: {api_key: os.environ/OPENAI_API_KEY}
    credential_info: {}
"""


def test_yaml_credential_completion_and_definition(client: Client, stack: Path) -> None:
    """In a LiteLLM YAML, `litellm_credential_name` completes to the file's own
    credential_list names and goes to the item that defines the one it names."""
    path = stack / "config.yaml"
    uri = path.as_uri()
    _open(client, path, YAML_CREDENTIALS)
    result = client.request("textDocument/completion", _at(uri, 4, 31))
    assert [i["label"] for i in result["items"]] == ["azure-eu", "openai-team"]
    found = client.request("textDocument/definition", _at(uri, 4, 33))
    assert found["uri"] == uri
    assert found["range"] == {"start": {"line": 6, "character": 22},
                              "end": {"line": 6, "character": 30}}


_CRED_NAMES = st.text(alphabet=st.sampled_from("az09-_ .:#'&*!%@`|>{}[],?é"),
                      min_size=1, max_size=12).filter(lambda n: n == n.strip())


@given(st.lists(_CRED_NAMES, min_size=1, max_size=4))
def test_the_credential_scan_reads_what_yaml_reads(names: list[str]) -> None:
    """The scan used while a file is edited (it may not parse) finds, in a config datumc
    writes, exactly the names a YAML reader finds."""
    import yaml

    from datumc.lsp.completion import yaml_credentials
    from datumc.render import yamltext

    items = [{"credential_name": n, "credential_values": {"api_key": "os.environ/K"},
              "credential_info": {}} for n in names]
    text = yamltext.block({"credential_list": items}, 0) + "\n"
    read = [c["credential_name"] for c in yaml.safe_load(text)["credential_list"]]
    assert [name for _, name in yaml_credentials(text)] == read == names


NVIM_SCRIPT = """
local out = vim.env.DATUMC_NVIM_OUT
local config = { name = "datumc", cmd = vim.fn.json_decode(vim.env.DATUMC_LSP_CMD),
                 root_dir = vim.env.DATUMC_ROOT }
if vim.lsp.start then
  vim.lsp.start(config)
else  -- Neovim 0.7
  vim.lsp.buf_attach_client(0, vim.lsp.start_client(config))
end
local ok = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local items = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(items, { code = d.code, lnum = d.lnum, col = d.col, source = d.source,
                        message = d.message, severity = d.severity })
end
vim.fn.writefile({ vim.fn.json_encode({ ok = ok, diagnostics = items }) }, out)
vim.cmd("qall!")
"""


def test_neovim_receives_the_diagnostic(stack: Path, tmp_path: Path) -> None:
    nvim = require_tool("nvim")
    script = tmp_path / "lsp.lua"
    script.write_text(NVIM_SCRIPT)
    out = tmp_path / "diags.json"
    datum = stack / "datums" / "main.ai_model.toml"
    env = datumc_env({"DATUMC_NVIM_OUT": str(out), "DATUMC_LSP_CMD": json.dumps(SERVER),
                      "DATUMC_ROOT": str(stack), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                      "XDG_DATA_HOME": str(tmp_path / "data"),
                      "XDG_STATE_HOME": str(tmp_path / "state")})
    subprocess.run([nvim, "--headless", "--clean", str(datum), "-c",
                    f"lua local ok, e = pcall(dofile, '{script}') if not ok then "
                    f"vim.fn.writefile({{e}}, '{out}') vim.cmd('qall!') end"],
                   cwd=stack, env=env, timeout=120, check=True, capture_output=True)
    result = json.loads(out.read_text())
    assert result["ok"] is True
    typo = [d for d in result["diagnostics"] if d["code"] == "DC203"]
    assert len(typo) == 1
    assert (typo[0]["lnum"], typo[0]["col"]) == (11, 0)
    assert typo[0]["source"] == "datumc"
    assert "temprature" in typo[0]["message"]


def test_a_failing_check_is_shown_not_swallowed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Should checking a file fail inside datumc, the editor shows one error saying so
    (rather than no findings, which reads as a clean file) and the log gets the traceback."""
    from datumc.lsp.server import _checked
    from datumc.lsp.workspace import Workspace

    class Broken(Workspace):
        def diagnostics(self, path: Path) -> list[Any]:
            raise KeyError("boom")

    found = _checked(Broken(tmp_path), tmp_path / "x.ai_model.toml", "")
    assert len(found) == 1
    assert found[0].severity == 1 and "internal error KeyError" in found[0].message
    assert "datumc lint x.ai_model.toml" in found[0].message
    assert "KeyError: 'boom'" in capsys.readouterr().err
    ok = _checked(Workspace(tmp_path), tmp_path / "x.ai_model.toml", "")
    assert ok == []
