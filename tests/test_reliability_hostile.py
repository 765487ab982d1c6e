"""Hostile input: every case gets a clear diagnostic and exit 1 (or builds, when it is
valid), never a traceback, never a hang, never a write outside the output directory.

Each case runs as a real `datumc` process with a timeout (a hang fails the test, a
crash shows as a signal), inside a sandbox whose files outside the project's output
directory are compared before and after.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from datumc.diagnostics import Diagnostic
from datumc.validate.limits import (
    MAX_DATUM_BYTES,
    MAX_ENV_BYTES,
    MAX_LIST_ITEMS,
    MAX_PARSE_DEPTH,
    MAX_PROJECT_BYTES,
    MAX_STRING_CHARS,
    MAX_YAML_BYTES,
)
from datumc.write.writer import LOCK, MANIFEST
from tests.conftest import datum
from tests.helpers.reliability import Sandbox

GOOD = datum("good", api_key_env="GOOD_API_KEY")
MB = 1024 * 1024


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    box.outside.mkdir()
    (box.outside / "victim.txt").write_text("precious\n")
    (box.outside / "outside.ai_model.toml").write_text(datum("outside"))
    box.datum("good.ai_model.toml", GOOD)
    return box


def _fails(box: Sandbox, code: str, *args: str, where: str = "") -> str:
    proc = box.run(*(args or ("build",)))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert code in proc.stderr + proc.stdout, proc.stderr + proc.stdout
    if where:
        assert where in proc.stderr + proc.stdout, proc.stderr + proc.stdout
    if not args or args[0] == "build":
        assert not (box.root / "build").exists(), "a failed first build created output"
    return proc.stderr + proc.stdout


def _builds(box: Sandbox) -> dict:
    proc = box.run("build")
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load((box.root / "build/litellm/config.yaml").read_text())


def _toml_header(name: str = "x") -> str:
    return (f'[b00t]\nname = "{name}"\ntype = "ai_model"\n[ai_model]\nprovider = "openai"\n'
            'litellm_model = "openai/x"\n')


# -- size ---------------------------------------------------------------------------------


def test_50_mb_datum(box: Sandbox) -> None:
    box.datum("big.ai_model.toml", _toml_header() + "# " + "x" * (50 * MB) + "\n")
    _fails(box, "DC014", where="datums/big.ai_model.toml")


def test_50_mb_project_file(box: Sandbox) -> None:
    (box.root / "datumc.toml").write_bytes(b"#" * (50 * MB))
    _fails(box, "DC014", where="datumc.toml")


def test_1_mb_string_value(box: Sandbox) -> None:
    box.datum("long.ai_model.toml", _toml_header() + f'api_base = "{"a" * MB}"\n')
    _fails(box, "DC014", where="larger than the 256 KiB limit")


@pytest.mark.parametrize("where", ["api_base", "hint", "parameters", "metadata"])
def test_string_over_the_value_limit(box: Sandbox, where: str) -> None:
    long = "a" * (MAX_STRING_CHARS + 1)
    text = {
        "api_base": datum("x", api_base=long),
        "hint": datum("x", b00t={"hint": long}),
        "parameters": datum("x", parameters={"p": long}),
        "metadata": datum("x", metadata={"m": [long]}),
    }[where]
    box.datum("x.ai_model.toml", text)
    _fails(box, "DC003", where="datums/x.ai_model.toml:")


# -- nesting and counts ----------------------------------------------------------------------


DEEP = 100_000
NESTINGS = {
    "arrays": "deep = " + "[" * DEEP + "]" * DEEP,
    "inline-tables": "deep = " + "{a = " * 20_000 + "1" + "}" * 20_000,
    "dotted-key": "deep." + ".".join(["a"] * 50_000) + " = 1",
    "table-header": "[deep." + ".".join(["a"] * 50_000) + "]\nx = 1",
    "array-of-tables": "[[deep." + ".".join(["a"] * 50_000) + "]]\nx = 1",
}


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_deep_nesting(box: Sandbox, kind: str) -> None:
    box.datum("deep.ai_model.toml", _toml_header() + NESTINGS[kind] + "\n")
    out = _fails(box, "DC014", where="TOML nests too deeply")
    assert f"{MAX_PARSE_DEPTH}" in out


def test_nesting_within_the_parser_limit_but_over_the_schema_limit(box: Sandbox) -> None:
    box.datum("deep.ai_model.toml", _toml_header() + "[ai_model.parameters]\np = "
              + "[" * 40 + "]" * 40 + "\n")
    _fails(box, "DC003", where="nests deeper than 16 levels")


@pytest.mark.parametrize("field", ["aliases", "capabilities", "parameters", "metadata",
                                   "access_groups", "fallbacks"])
def test_10000_array_items(box: Sandbox, field: str) -> None:
    items = [f"item-{i}" for i in range(10_000)]
    text = {
        "aliases": datum("x", b00t={"aliases": items}),
        "capabilities": datum("x", capabilities=["chat"] * 10_000),
        "parameters": datum("x", parameters={"stop": items}),
        "metadata": datum("x", metadata={f"k{i}": i for i in range(10_000)}),
        "access_groups": datum("x", access_groups=items),
        "fallbacks": datum("x", fallbacks=items),
    }[field]
    box.datum("x.ai_model.toml", text)
    out = _fails(box, "DC003", where="datums/x.ai_model.toml:")
    assert f"{MAX_LIST_ITEMS:,}" in out or "at most" in out or "64" in out


def test_many_unknown_tables_stay_fast(box: Sandbox) -> None:
    body = "\n".join(f"[[t{i}]]\nx = 1" for i in range(15_000))
    box.datum("x.ai_model.toml", _toml_header() + body + "\n")
    proc = box.run("build")
    assert proc.returncode == 0  # unknown keys are warnings
    assert "DC004" in proc.stderr


# -- encodings ----------------------------------------------------------------------------


def test_invalid_utf8(box: Sandbox) -> None:
    box.datum("latin1.ai_model.toml", _toml_header().encode() + b'api_version = "caf\xe9"\n')
    _fails(box, "DC002", where="datums/latin1.ai_model.toml:7:")


def test_nul_byte(box: Sandbox) -> None:
    box.datum("nul.ai_model.toml", _toml_header().encode() + b'api_version = "a\x00b"\n')
    _fails(box, "DC002", where="datums/nul.ai_model.toml:7:")


def test_utf16_file(box: Sandbox) -> None:
    box.datum("u16.ai_model.toml", _toml_header().encode("utf-16"))
    _fails(box, "DC002")


def test_bom_and_crlf_compile_to_the_same_bytes(box: Sandbox) -> None:
    plain = _builds(box)
    expected = (box.root / "build/litellm/config.yaml").read_bytes()
    crlf = GOOD.replace("\n", "\r\n").encode()
    box.datum("good.ai_model.toml", b"\xef\xbb\xbf" + crlf)
    assert _builds(box) == plain
    assert (box.root / "build/litellm/config.yaml").read_bytes() == expected


def test_crlf_diagnostics_keep_their_positions(box: Sandbox) -> None:
    box.datum("bad.ai_model.toml", datum("bad", rpm_limt=5).replace("\n", "\r\n"))
    proc = box.run("build")
    assert "datums/bad.ai_model.toml:8:1: warning DC004 unknown key 'rpm_limt'" in proc.stderr


# -- symlinks and special files ---------------------------------------------------------------


def test_symlinked_datum_outside_the_project(box: Sandbox) -> None:
    (box.root / "datums/link.ai_model.toml").symlink_to(box.outside / "outside.ai_model.toml")
    _fails(box, "DC010", where="outside the project")


def test_symlinked_datum_dir_is_not_followed(box: Sandbox) -> None:
    (box.root / "datums/linked").symlink_to(box.outside, target_is_directory=True)
    config = _builds(box)
    assert [d["model_name"] for d in config["model_list"]] == ["good"]


def test_symlink_inside_the_project_is_fine(box: Sandbox) -> None:
    (box.root / "shared").mkdir()
    (box.root / "shared/other.ai_model.toml").write_text(datum("other"))
    (box.root / "datums/other.ai_model.toml").symlink_to(box.root / "shared/other.ai_model.toml")
    config = _builds(box)
    assert sorted(d["model_name"] for d in config["model_list"]) == ["good", "other"]


def test_fifo_datum_does_not_hang(box: Sandbox) -> None:
    os.mkfifo(box.root / "datums/fifo.ai_model.toml")
    _fails(box, "DC002", where="not a regular file")


def test_project_file_that_is_a_fifo(box: Sandbox) -> None:
    os.mkfifo(box.root / "datumc.toml")
    _fails(box, "DC002", where="not a regular file")


def test_output_dir_is_a_symlink_elsewhere(box: Sandbox) -> None:
    (box.root / "build").symlink_to(box.outside, target_is_directory=True)
    proc = box.run("build")
    assert proc.returncode == 1 and "DC021" in proc.stderr
    assert sorted(p.name for p in box.outside.iterdir()) == ["outside.ai_model.toml",
                                                             "victim.txt"]


def test_output_subdir_is_a_symlink_elsewhere(box: Sandbox) -> None:
    (box.root / "build").mkdir()
    (box.root / "build/litellm").symlink_to(box.outside, target_is_directory=True)
    proc = box.run("build")
    assert proc.returncode == 1 and "DC021" in proc.stderr
    assert not (box.outside / "config.yaml").exists()


@pytest.mark.parametrize("name", ["litellm/config.yaml", "litellm/.env.example", MANIFEST,
                                  LOCK])
def test_symlinked_file_in_the_output_dir_is_not_followed(box: Sandbox, name: str) -> None:
    _builds(box)
    link = box.root / "build" / name
    link.unlink()
    link.symlink_to(box.outside / "victim.txt")
    proc = box.run("build")  # the sandbox asserts victim.txt is untouched
    if name in ("litellm/config.yaml", "litellm/.env.example"):
        assert proc.returncode == 1 and "DC021" in proc.stderr
    assert (box.outside / "victim.txt").read_text() == "precious\n"


def test_fifo_in_place_of_an_output(box: Sandbox) -> None:
    _builds(box)
    (box.root / "build/litellm/config.yaml").unlink()
    os.mkfifo(box.root / "build/litellm/config.yaml")
    proc = box.run("build")
    assert proc.returncode == 1 and "not a regular file" in proc.stderr


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../outside/pwned", "a/b", "/etc/passwd", "..", "x/../../y"])
def test_model_names_with_path_characters_are_only_ever_values(box: Sandbox, name: str) -> None:
    def written() -> set[str]:
        return {p.relative_to(box.root / "build").as_posix()
                for p in (box.root / "build").rglob("*") if p.is_file()}

    box.datum("odd.ai_model.toml", datum("plain-name"))
    _builds(box)
    expected = written()
    box.datum("odd.ai_model.toml", datum(name))
    config = _builds(box)
    assert name in [d["model_name"] for d in config["model_list"]]
    assert written() == expected, "a file was named after a model name"


@pytest.mark.parametrize("name", ["a\nb", "a\x00b", "a\rb", " padded", "a\tb"])
def test_model_names_with_control_characters(box: Sandbox, name: str) -> None:
    box.datum("odd.ai_model.toml", datum(name))
    _fails(box, "DC003", where="control characters" if name.strip() == name else "whitespace")


@pytest.mark.parametrize("out_dir", ["../outside", "/tmp/datumc-pwned", "build/../../outside",
                                     "a\nb"])
def test_out_dir_in_the_project_file_stays_inside(box: Sandbox, out_dir: str) -> None:
    import tomli_w

    (box.root / "datumc.toml").write_text(tomli_w.dumps({"datumc": {"out_dir": out_dir}}))
    _fails(box, "DC003", where="datumc.toml:2:")
    assert not Path("/tmp/datumc-pwned").exists()


@pytest.mark.parametrize("profile", ["../../outside", "a/b", "..", "x\ny"])
def test_profile_names_cannot_leave_the_output_dir(box: Sandbox, profile: str) -> None:
    import tomli_w

    (box.root / "datumc.toml").write_text(
        tomli_w.dumps({"profiles": {profile: {"proxy": {"port": 4001}}}}))
    _fails(box, "DC003", "build", "--profile", profile, where="not a valid profile name")


@pytest.mark.parametrize("filename", ["new\nline.ai_model.toml", "tab\there.ai_model.toml",
                                      "esc\x1b[31m.ai_model.toml"])
def test_control_characters_in_file_names_are_shown_escaped(box: Sandbox, filename: str) -> None:
    box.datum(filename, datum("weird", rpm_limit="x"))
    out = _fails(box, "DC003")
    error_lines = [line for line in out.splitlines() if "error DC003" in line]
    assert error_lines and all(line.startswith("datums/") for line in error_lines)
    assert "\x1b" not in out


def test_undecodable_file_name(box: Sandbox) -> None:
    raw = os.fsencode(box.root / "datums") + b"/caf\xe9.ai_model.toml"
    with open(raw, "wb") as fh:  # noqa: PTH123 - a bytes path pathlib cannot build
        fh.write(datum("cafe", rpm_limit="x").encode())
    out = _fails(box, "DC003")
    assert "caf\\udce9.ai_model.toml" in out or "caf\\xe9" in out


# -- hostile LiteLLM YAML for `datumc lint` ---------------------------------------------------


def _bomb(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_YAML: dict[str, tuple[str | bytes, str]] = {
    "alias-bomb": (_bomb(), "more than 1,000,000 nodes"),
    "merge-key-bomb": ("a: &a {x: 1}\n" + "".join(
        f"b{i}: &b{i}\n  <<: [" + ", ".join([f"*{'b' + str(i - 1) if i else 'a'}"] * 10)
        + f"]\n  k{i}: 1\n" for i in range(8)), "more than 1,000,000 nodes"),
    "recursive-alias": ("a: &a [*a]\n", "refers to itself"),
    "recursive-mapping": ("a: &a {b: *a}\n", "refers to itself"),
    "deep-flow": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nests deeper than"),
    "deep-flow-mapping": ("a: " + "{x: " * 100_000 + "1" + "}" * 100_000 + "\n",
                          "nests deeper than"),
    "deep-block": ("".join(f"{' ' * i}k:\n" for i in range(2000)) + " " * 2000 + "v: 1\n",
                   "nests deeper than"),
    "huge": ("model_list: []\n" + "# padding\n" * (MAX_YAML_BYTES // 10), "larger than"),
    "binary": (os.urandom(4096), "DC00"),
    "nul": (b"model_list:\n  - model_name: a\x00b\n", "NUL"),
    "tab-indent": ("model_list:\n\t- model_name: x\n", "DC009"),
    "unhashable-key": ("? [a, b]\n: 1\n", "DC009"),
    "python-tag": ("a: !!python/object/apply:os.system ['touch /tmp/datumc-pwned']\n", "DC009"),
    "many-documents": ("---\na: 1\n---\nb: 2\n", "DC009"),
    "undefined-alias": ("a: *nope\n", "DC009"),
    "scalar-top-level": ("just a string\n", ""),
    "empty": ("", ""),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_hostile_litellm_yaml(box: Sandbox, case: str) -> None:
    content, expected = HOSTILE_YAML[case]
    path = box.root / "hostile.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    proc = box.run("lint", path)
    assert proc.returncode in (0, 1), proc.stderr
    if expected:
        assert expected in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        assert proc.returncode == 1
    assert not Path("/tmp/datumc-pwned").exists()


def test_hostile_env_file(box: Sandbox) -> None:
    path = box.root / ".env"
    path.write_bytes(b"A=1\n" + b"B=" + b"x" * (MAX_ENV_BYTES + 10) + b"\n")
    proc = box.run("lint", path)
    assert proc.returncode == 1 and "DC014" in proc.stdout + proc.stderr


@pytest.mark.parametrize("limit_name, limit", [
    ("MAX_DATUM_BYTES", MAX_DATUM_BYTES), ("MAX_PROJECT_BYTES", MAX_PROJECT_BYTES),
    ("MAX_YAML_BYTES", MAX_YAML_BYTES), ("MAX_ENV_BYTES", MAX_ENV_BYTES),
])
def test_limits_are_documented(limit_name: str, limit: int) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs/reliability.md").read_text()
    assert limit_name in docs
    shown = f"{limit // MB} MiB" if limit >= MB else f"{limit // 1024} KiB"
    assert shown in docs, f"docs/reliability.md does not state {limit_name} = {shown}"



@pytest.mark.parametrize("relpath", ["../escape.yaml", "/etc/x.yaml", "a/../../b.yaml",
                                     "litellm/./c.yaml", "a//b.yaml", "x\n.yaml", MANIFEST,
                                     LOCK, "litellm/config.yaml.bak", "a\\..\\b.yaml"])
def test_writer_refuses_an_output_path_outside_the_output_dir(tmp_path: Path,
                                                              relpath: str) -> None:
    """Defence in depth: even a target that builds a bad file name cannot escape."""
    from datumc.targets.base import Output
    from datumc.write.writer import UNSAFE_DIR, plan_writes

    planned, diags = plan_writes(tmp_path / "build", [Output(relpath, b"x")])
    assert planned == []
    assert [d.code for d in diags] == [UNSAFE_DIR]
    assert not any(tmp_path.rglob("*"))


@pytest.mark.parametrize("where", ["b00t", "lint.severity"])
def test_a_quoted_key_cannot_forge_a_diagnostic_line(box: Sandbox, where: str) -> None:
    forged = "x\\ndatums/good.ai_model.toml:1:1: error DC999 forged"
    if where == "b00t":
        box.datum("k.ai_model.toml", _toml_header().replace(
            '[ai_model]', f'"{forged}" = 1\n[ai_model]'))
        proc = box.run("build")
    else:
        (box.root / "datumc.toml").write_text(f'[lint.severity]\n"{forged}" = "bogus"\n')
        proc = box.run("build")
    lines = (proc.stdout + proc.stderr).splitlines()
    assert not any(line.startswith("datums/good.ai_model.toml:1:1") for line in lines)
    assert any("DC999 forged" in line for line in lines), "the key is still named"


@pytest.mark.parametrize("setting, value", [
    ("host", "\u0080"), ("host", "a\u2028b"), ("image", "ghcr.io/x:1\\"),
    ("env_file", "x\u0085y"), ("image", "a\nb"), ("container_name", "../x"),
])
def test_deployment_settings_that_would_break_a_unit_file(box: Sandbox, setting: str,
                                                          value: str) -> None:
    """Settings copied into shell scripts, unit files and manifests: refused with a
    diagnostic (these used to crash the unit-file renderer with exit 3)."""
    import tomli_w

    (box.root / "datumc.toml").write_text(tomli_w.dumps({"proxy": {setting: value}}))
    _fails(box, "DC003", where="datumc.toml:2:")


@pytest.mark.parametrize("text", [
    "a: " + "[" * 5_000 + "]" * 5_000 + "\n",
    "a: " + "{x: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "".join(f"{' ' * i}k:\n" for i in range(200)) + " " * 200 + "v: 1\n",
])
def test_deep_yaml_is_the_same_finding_with_every_parser(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libyaml builds differ (PyYAML 6.0.4's stops at its own limit while scanning ahead);
    the finding, its position and its hint do not."""
    import yaml

    from datumc.load import yaml_loader
    from datumc.load.source import Source

    source = Source(Path("deep.yaml"), "deep.yaml", text)
    found = []
    for loader in {getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader}:
        monkeypatch.setattr(yaml_loader, "_loader", lambda loader=loader: loader)
        found.append(yaml_loader.parse_yaml(source))
    assert all(isinstance(d, Diagnostic) for d in found)
    first = found[0]
    assert isinstance(first, Diagnostic)
    assert first.code == "DC014" and f"deeper than {MAX_PARSE_DEPTH}" in first.message
    assert "indentation" not in first.hint and first.line >= 1
    assert all(d == first for d in found)
