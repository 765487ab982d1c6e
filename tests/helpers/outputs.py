"""Read generated files back the way their consumers do, for the injection properties.

`read_back(relpath, content, workdir)` turns an output into plain data: YAML documents
(PyYAML's pure and libyaml loaders, which must agree), compose files after compose's `$`
interpolation, Kubernetes manifests after the kubelet's `$(VAR)` expansion of container
command, args and env values, the assignments of an env file, the argv of every command a
shell script runs (with podman, docker, kubectl and systemctl replaced by a stub that
records its argv; `podman run` split into options, image and arguments as podman parses
it), or the (section, key, words) entries of a systemd/quadlet unit, after quadlet's key
reading, systemd's specifiers and `$VAR` expansion (tests/helpers/interpreters.py).

An output of a kind not listed here fails the property with a message saying what to
add: a new target must not escape the injection check by inventing a new file type.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.helpers.interpreters import (
    compose_doc,
    exec_word,
    is_manifest,
    kube_doc,
    load_yaml_all,
    podman_run,
    quadlet_value,
    specifiers,
    split_words,
)

STUBBED = ("podman", "docker", "kubectl", "systemctl", "podman-compose", "docker-compose",
           "curl", "sudo")
_STUB = """#!{python}
import json, os, sys
with open(os.environ["DATUMC_ARGV_LOG"], "a", encoding="utf-8") as fh:
    fh.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
UNIT_SUFFIXES = (".container", ".network", ".volume", ".pod", ".kube", ".service", ".image",
                 ".build")
COMPOSE_FILES = frozenset({"compose.yaml", "compose.yml", "docker-compose.yaml",
                           "docker-compose.yml"})


class UnknownOutputError(AssertionError):
    pass


def kind_of(relpath: str) -> str:
    name = relpath.rsplit("/", 1)[-1]
    if name in COMPOSE_FILES:
        return "compose"
    if relpath.startswith("helm/") and name == "values.yaml":
        return "helm"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".lua"):
        return "lua"
    if name.endswith(".sh"):
        return "shell"
    if name.endswith(UNIT_SUFFIXES):
        return "unit"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    raise UnknownOutputError(
        f"no reader for generated file {relpath!r}: add one to tests/helpers/outputs.py so "
        "the injection property covers it"
    )


def read_back(relpath: str, content: bytes, workdir: Path, *, tree: Path | None = None) -> Any:
    """`content` read as its consumer reads it. `tree`: a project directory holding every
    output under build/ (and an env file), where scripts are run in place."""
    kind = kind_of(relpath)
    if kind == "shell":
        return _shell(content.decode("utf-8"), workdir, tree=tree, relpath=relpath)
    return READERS[kind](content.decode("utf-8"), workdir)


def materialise(outputs: dict[str, bytes], root: Path, env_file: str = ".env") -> Path:
    """Lay out outputs as a built project (root/build/<relpath>, and its env file)."""
    for relpath, content in outputs.items():
        path = root / "build" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / env_file).write_text("LITELLM_MASTER_KEY=sk-placeholder-for-the-stub\n")
    return root


# -- YAML, JSON ----------------------------------------------------------------------------


def _yaml(text: str, _: Path) -> Any:
    """YAML documents; a Kubernetes manifest's containers as the kubelet runs them."""
    return [kube_doc(doc) if is_manifest(doc) else doc for doc in load_yaml_all(text)]


def _helm_values(text: str, _: Path) -> Any:
    """Chart values as litellm-helm uses them: its Deployment runs the image
    `{{ .Values.image.repository }}:{{ .Values.image.tag }}`."""
    docs = load_yaml_all(text)
    for doc in docs:
        image = doc.get("image") if isinstance(doc, dict) else None
        if isinstance(image, dict) and {"repository", "tag"} <= image.keys():
            doc["image"] = {**{k: v for k, v in image.items()
                               if k not in ("repository", "tag")},
                            "reference": f"{image['repository']}:{image['tag']}"}
    return docs


def image_as_run(image: str) -> str:
    """The reference a container engine runs for `image`: an image with neither tag nor
    digest is `:latest`."""
    last = image.rsplit("/", 1)[-1]
    return image if ":" in last or "@" in last else f"{image}:latest"


# Prints the chunk's returned value with every string hex-encoded: nothing in it can be
# misread on the way back. Tables become {"t": [[key, value], ...]} sorted by key.
_LUA_DUMP = r"""
local function hex(s) return '"' .. (s:gsub(".", function(c)
  return string.format("%02x", c:byte()) end)) .. '"' end
local function dump(v)
  local kind = type(v)
  if kind == "string" then return hex(v) end
  if kind ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = "[" .. hex(tostring(k)) .. "," .. dump(v[k]) .. "]"
  end
  return '{"t":[' .. table.concat(parts, ",") .. "]}"
end
io.stdout:write(dump(dofile(arg[1])))
"""


def _lua(text: str, workdir: Path) -> Any:
    """A Lua chunk's value as the real Lua 5.4 reads it (avante.nvim's snippet)."""
    chunk = workdir / "chunk.lua"
    chunk.write_text(text, encoding="utf-8")
    dumper = workdir / "dump.lua"
    dumper.write_text(_LUA_DUMP, encoding="utf-8")
    lua = shutil.which("lua5.4")
    assert lua is not None, "lua5.4 is needed to read generated Lua (Debian lua5.4)"
    proc = subprocess.run([lua, str(dumper), str(chunk)], capture_output=True, text=True,
                          timeout=60, check=True)
    return _unhex(json.loads(proc.stdout))


def _unhex(value: Any) -> Any:
    if isinstance(value, str):
        return bytes.fromhex(value).decode("utf-8", errors="surrogateescape")
    if isinstance(value, dict):
        return {_unhex(k): _unhex(v) for k, v in value["t"]}
    return value


def _compose(text: str, _: Path) -> Any:
    return [compose_doc(doc) for doc in load_yaml_all(text)]


def _json(text: str, _: Path) -> Any:
    return json.loads(text)


# -- env files -----------------------------------------------------------------------------


def _env(text: str, _: Path) -> Any:
    """Assignments as podman/docker --env-file read them: one per '\\n'-separated line."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        assert match is not None, f"line {number} is neither a comment nor KEY=value: {line!r}"
        out.append((match.group(1), match.group(2)))
    return out


# -- shell scripts ---------------------------------------------------------------------------


def _stub_dir(workdir: Path) -> Path:
    stubs = workdir / "stub-bin"
    if not stubs.is_dir():
        stubs.mkdir(parents=True)
        for name in STUBBED:
            path = stubs / name
            path.write_text(_STUB.format(python=sys.executable))
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return stubs


# The default run ("up") carries every setting; DATUMC_SHELL_COMMANDS=all also runs the
# other subcommands a generated script offers (slower: one bash per command).
_ALL_COMMANDS = ("", "up", "down", "restart", "logs", "status", "health", "models", "rm", "help")
SHELL_COMMANDS = _ALL_COMMANDS if os.environ.get("DATUMC_SHELL_COMMANDS") == "all" else ("",)


def _shell(text: str, workdir: Path, *, tree: Path | None = None,
           relpath: str = "script.sh") -> Any:
    """`bash -n`, then run the script (with each common subcommand) against stubs; the
    exit status and the argv of every stubbed command, per subcommand."""
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed to check generated shell scripts"
    check = subprocess.run([bash, "-n"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, f"bash -n: {check.stderr}"
    if tree is None:
        tree = workdir / f"run-{os.getpid()}-{len(list(workdir.glob('run-*')))}"
        (tree / "build" / relpath).parent.mkdir(parents=True)
        (tree / "build" / relpath).write_text(text)
    script = tree / "build" / relpath
    return {command or "(none)": _run(bash, script, command, tree, workdir)
            for command in SHELL_COMMANDS}


def _run(bash: str, script: Path, command: str, cwd: Path, workdir: Path) -> dict[str, Any]:
    log = cwd / "argv.jsonl"
    log.unlink(missing_ok=True)
    env = {
        "PATH": f"{_stub_dir(workdir)}:/usr/bin:/bin",
        "HOME": str(cwd),
        "DATUMC_ARGV_LOG": str(log),
        "LANG": "C.UTF-8",
    }
    args = [bash, str(script), *([command] if command else [])]
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    stdout = proc.stdout.replace(str(cwd), "<tree>")
    calls = _relative(calls, cwd)
    runs = [podman_run(call[2:]) for call in calls if call[:2] == ["podman", "run"]]
    return {"exit": proc.returncode, "calls": calls, "runs": runs, "stdout": stdout}


def _relative(calls: list[list[str]], root: Path) -> list[list[str]]:
    """Absolute paths into the scratch tree differ between runs: make them relative."""
    return [[arg.replace(str(root), "<tree>") for arg in call] for call in calls]


# -- systemd / quadlet units ------------------------------------------------------------------


# Keys of [Unit]/[Service]/[Install] whose value systemd splits into words (quotes and C
# escapes apply); every other key is one raw string. Exec* words also get `$` expansion.
EXEC_KEYS = frozenset({"ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop",
                       "ExecStopPost", "ExecReload", "ExecCondition"})
SPLIT_KEYS = EXEC_KEYS | {"Environment"}


def _unit(text: str, _: Path) -> Any:
    """(section, key, value) for every assignment, as the unit's real readers see it:
    [Container] keys as quadlet turns them into podman arguments on the generated
    ExecStart= line (then specifiers, then `$VAR`), other keys as systemd reads them."""
    return [(section, key, unit_value(section, key, value))
            for section, key, value in unit_assignments(text)]


def unit_value(section: str | None, key: str, value: str) -> Any:
    if section == "Container":
        return quadlet_value(key, value)
    if key in EXEC_KEYS:
        return tuple(exec_word(w) for w in split_words(value))
    if key in SPLIT_KEYS:  # Environment=: specifiers, but `$` has no meaning
        return tuple(systemd_words(value))
    return specifiers(value)


def unit_assignments(text: str) -> list[tuple[str | None, str, str]]:
    """Sections and `Key=value` lines, with systemd's line continuation and comments."""
    entries = []
    section = None
    for line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        assert "=" in stripped, f"not a unit assignment: {line!r}"
        key, value = (part.strip() for part in stripped.split("=", 1))
        entries.append((section, key, value))
    return entries


def _logical_lines(text: str) -> Iterator[str]:
    """Lines with a trailing backslash joined to the next one (comments too)."""
    logical = ""
    for raw in text.split("\n"):
        line = logical + raw
        logical = line[:-1] + " " if line.endswith("\\") else ""
        if not logical:
            yield line


def systemd_words(value: str) -> list[str]:
    """Split like systemd's extract_first_word(UNQUOTE|CUNESCAPE), then read specifiers."""
    return [specifiers(word) for word in split_words(value)]


READERS: dict[str, Callable[[str, Path], Any]] = {
    "yaml": _yaml,
    "compose": _compose,
    "helm": _helm_values,
    "lua": _lua,
    "json": _json,
    "env": _env,
    "shell": _shell,
    "unit": _unit,
}


def substitute(value: Any, mapping: dict[str, str]) -> Any:
    """`value` with every placeholder replaced by its real value, in keys and strings."""
    if isinstance(value, str):
        for placeholder, real in mapping.items():
            if placeholder in value:
                value = value.replace(placeholder, real)
        return value
    if isinstance(value, dict):
        return {substitute(k, mapping): substitute(v, mapping) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(substitute(v, mapping) for v in value)
    return value
