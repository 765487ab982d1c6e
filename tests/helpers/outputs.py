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


def read_back(relpath: str, content: bytes, workdir: Path) -> Any:
    return READERS[kind_of(relpath)](content.decode("utf-8"), workdir)


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


def _shell(text: str, workdir: Path) -> Any:
    """`bash -n`, then run the script with stubs; the argv of every stubbed command."""
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed to check generated shell scripts"
    check = subprocess.run([bash, "-n"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, f"bash -n: {check.stderr}"
    run_dir = workdir / f"run-{os.getpid()}-{len(list(workdir.glob('run-*')))}"
    run_dir.mkdir(parents=True)
    script = run_dir / "script.sh"
    script.write_text(text)
    log = run_dir / "argv.jsonl"
    env = {
        "PATH": f"{_stub_dir(workdir)}:/usr/bin:/bin",
        "HOME": str(run_dir),
        "DATUMC_ARGV_LOG": str(log),
        "LANG": "C.UTF-8",
    }
    proc = subprocess.run([bash, str(script)], cwd=run_dir, env=env, capture_output=True,
                          text=True, timeout=60)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return {"exit": proc.returncode, "calls": calls}


# -- systemd / quadlet units ------------------------------------------------------------------


def _unit(text: str, _: Path) -> Any:
    """(section, key, words) for every assignment, as systemd reads a unit file."""
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
        key, value = stripped.split("=", 1)
        entries.append((section, key.strip(), tuple(systemd_words(value.strip()))))
    return entries


_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"', "'": "'", "s": " "}


def systemd_words(value: str) -> list[str]:
    """Split like systemd's extract_first_word(UNQUOTE|CUNESCAPE), then expand `%%`."""
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
        words.append("".join(word).replace("%%", "%"))
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
