"""Read generated files back the way their consumers do, for the injection properties.

`read_back(relpath, content, workdir)` turns an output into plain data: YAML documents
(yaml.safe_load_all), the assignments of an env file, the argv of every command a
shell script runs (with podman, docker, kubectl and systemctl replaced by a stub that
records its argv), or the (section, key, words) entries of a systemd/quadlet unit.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

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


class UnknownOutputError(AssertionError):
    pass


def kind_of(relpath: str) -> str:
    name = relpath.rsplit("/", 1)[-1]
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
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
    return list(yaml.safe_load_all(text))


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
    return {"exit": proc.returncode, "calls": _relative(calls, cwd), "stdout": stdout}


def _relative(calls: list[list[str]], root: Path) -> list[list[str]]:
    """Absolute paths into the scratch tree differ between runs: make them relative."""
    return [[arg.replace(str(root), "<tree>") for arg in call] for call in calls]


# -- systemd / quadlet units ------------------------------------------------------------------


# Quadlet/systemd keys whose value is a list of words (quotes and escapes apply);
# every other key takes its value as one raw string.
SPLIT_KEYS = frozenset({"Exec", "PodmanArgs", "GlobalArgs", "Environment", "Label",
                        "Annotation", "ExecStart", "ExecStartPre", "ExecStartPost",
                        "ExecStop", "ExecStopPost", "ExecReload", "ExecCondition"})


def _unit(text: str, _: Path) -> Any:
    """(section, key, value) for every assignment, as systemd/quadlet reads a unit file:
    words for list-valued keys, one decoded string for the others."""
    entries = []
    section = None
    logical = ""
    for raw in text.split("\n"):
        line = logical + raw
        if line.endswith("\\"):  # continuation
            logical = line[:-1] + " "
            continue
        logical = ""
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        assert "=" in stripped, f"not a unit assignment: {line!r}"
        key, value = (part.strip() for part in stripped.split("=", 1))
        if key in COMMAND_KEYS:
            read: Any = tuple(dollars(w) for w in systemd_words(value))
        elif key in SPLIT_KEYS:
            read = tuple(systemd_words(value))
        else:
            read = specifiers(value)
        entries.append((section, key, read))
    return entries


# Keys that end up on the generated service's command line, where systemd expands
# `$VAR` and `${VAR}` and reads `$$` as a literal `$`.
COMMAND_KEYS = frozenset({"Exec", "PodmanArgs", "GlobalArgs", "ExecStart", "ExecStartPre",
                          "ExecStartPost", "ExecStop", "ExecStopPost", "ExecReload",
                          "ExecCondition"})
_DOLLAR = re.compile(r"\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def dollars(word: str) -> str:
    """A command-line word as systemd passes it: `$$` -> `$`, variables marked."""
    return _DOLLAR.sub(lambda m: "$" if m.group() == "$$" else f"<variable {m.group()}>", word)


def specifiers(value: str) -> str:
    """`%%` is a literal `%`; any other `%x` is a specifier systemd replaces (marked)."""
    out = []
    i = 0
    while i < len(value):
        if value[i] == "%" and i + 1 < len(value):
            out.append("%" if value[i + 1] == "%" else f"<specifier %{value[i + 1]}>")
            i += 2
            continue
        out.append(value[i])
        i += 1
    return "".join(out)


_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"', "'": "'", "s": " "}


def systemd_words(value: str) -> list[str]:
    """Split like systemd's extract_first_word(UNQUOTE|CUNESCAPE), then read specifiers."""
    words: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t":
            i += 1
        if i >= n:
            break
        word = []
        quote = None
        while i < n:
            ch = value[i]
            if quote is None and ch in " \t":
                break
            if ch == "\\" and i + 1 < n:
                nxt = value[i + 1]
                if nxt == "x" and i + 3 < n:
                    word.append(chr(int(value[i + 2:i + 4], 16)))
                    i += 4
                    continue
                if nxt == "u" and i + 5 < n:
                    word.append(chr(int(value[i + 2:i + 6], 16)))
                    i += 6
                    continue
                word.append(_C_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            if quote is None and ch in "\"'":
                quote = ch
            elif ch == quote:
                quote = None
            else:
                word.append(ch)
            i += 1
        assert quote is None, f"unterminated quote in {value!r}"
        words.append(specifiers("".join(word)))
    return words


READERS: dict[str, Callable[[str, Path], Any]] = {
    "yaml": _yaml,
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
