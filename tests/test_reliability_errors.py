"""Bad input is never a traceback or exit 3: a message with file:line:col where there is
one, what is wrong and how to fix it; exit 1 for bad input, 2 for bad usage.

Each class found by the adversarial tester has its cases here, and a hypothesis fuzz of
every command's path, URL and number arguments (and of the loaders' integer and YAML
scalar handling) looks for more members of the class.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic
from datumc.load.source import Source
from datumc.load.toml_loader import INT_MAX, INT_MIN, TomlDoc, parse_toml
from datumc.load.yaml_loader import YamlDoc, parse_yaml
from datumc.runtime import http
from tests.conftest import Result, datum, datumc_env, run_cli

HEADER = ('[b00t]\nname = "x"\ntype = "ai_model"\n[ai_model]\nprovider = "openai"\n'
          'litellm_model = "openai/x"\n')  # six lines: line 7 is the case's own
LONG = "a" * 300  # a file name over the 255-byte limit
EXAMPLES = int(os.environ.get("DATUMC_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def clean(result: Result, code: int, *expected: str) -> str:
    """The exit code is `code`, nothing crashed, and every expected text is shown."""
    out = result.stdout + result.stderr
    assert result.code == code, out
    assert "Traceback" not in out and "internal error" not in out, out
    for text in expected:
        assert text in out, out
    return out


@pytest.fixture
def make(tmp_path: Path) -> Callable[..., Path]:
    """A project whose datum is HEADER + `extra`, with an optional datumc.toml."""
    def build(extra: str, project: str | None = None) -> Path:
        (tmp_path / "datums").mkdir(exist_ok=True)
        (tmp_path / "datums/x.ai_model.toml").write_text(HEADER + extra)
        if project is not None:
            (tmp_path / "datumc.toml").write_text(project)
        return tmp_path

    return build


# -- 1. integers past 64 bits (Python refuses to convert more than 4,300 digits) ------------

BIG_INTS = ["9" * 5000, "-" + "9" * 5000, "+" + "9" * 5000, "0x" + "f" * 5000,
            "9223372036854775808", "-9223372036854775809", "0o" + "7" * 30, "0b" + "1" * 64,
            "1_000_000_000_000_000_000_000"]


@pytest.mark.parametrize("literal", BIG_INTS, ids=lambda s: s[:24])
@pytest.mark.parametrize("command", ["lint", "build"])
def test_integer_out_of_range_in_a_datum(make: Callable[..., Path], literal: str,
                                         command: str) -> None:
    root = make(f"rpm_limit = {literal}\n")
    clean(run_cli(command, cwd=root), 1, "datums/x.ai_model.toml:7:13: error DC001",
          "integer out of range")
    assert not (root / "build").exists()


@pytest.mark.parametrize("value", [str(INT_MAX), str(INT_MIN), "0x7fffffffffffffff"])
def test_integers_at_the_64_bit_limits_are_fine(make: Callable[..., Path], value: str) -> None:
    root = make(f"[ai_model.metadata]\nn = {value}\n")
    clean(run_cli("lint", cwd=root), 0)


def test_integer_out_of_range_deep_in_an_array(make: Callable[..., Path]) -> None:
    root = make("[ai_model.parameters]\nx = [1, {a = [2, 0x" + "f" * 5000 + "]}]\n")
    clean(run_cli("lint", cwd=root), 1, "datums/x.ai_model.toml:8:18: error DC001")


def test_digits_in_a_string_are_not_mistaken_for_the_number(make: Callable[..., Path]) -> None:
    digits = "9" * 5000
    root = make(f'api_version = "{digits}"\n[ai_model.metadata]\nn = {digits}\n')
    clean(run_cli("lint", cwd=root), 1, "datums/x.ai_model.toml:9:5: error DC001")


@pytest.mark.parametrize("literal", ["9" * 5000, "0x" + "f" * 5000])
def test_integer_out_of_range_in_the_project_file(make: Callable[..., Path],
                                                  literal: str) -> None:
    root = make("", f"[router]\nnum_retries = {literal}\n")
    clean(run_cli("build", cwd=root), 1, "datumc.toml:2:15: error DC001")


@pytest.mark.parametrize("literal", ["1e" + "9" * 5000, "1." + "9" * 5000, "9" * 5000 + ".5"])
def test_huge_floats_are_values(make: Callable[..., Path], literal: str) -> None:
    root = make(f"[ai_model.metadata]\nf = {literal}\n")
    clean(run_cli("build", cwd=root), 0)


@pytest.mark.parametrize("literal", ["inf", "+inf", "-inf", "nan", "1e999"])
@pytest.mark.parametrize("key", ["timeout", "stream_timeout"])
def test_non_finite_seconds_are_one_clear_error(make: Callable[..., Path], literal: str,
                                                key: str) -> None:
    """`timeout = inf` would be written out as `.inf`; one error at the value, not one
    per member of the int | float union."""
    root = make(f"{key} = {literal}\n")
    out = clean(run_cli("build", cwd=root), 1, f"datums/x.ai_model.toml:7:{len(key) + 4}: "
                f"error DC003 ai_model.{key}: ")
    assert out.count("error DC003") == 1, out
    assert not (root / "build").exists()


@pytest.mark.parametrize("literal", ["inf", "nan"])
def test_non_finite_number_in_the_project_file(make: Callable[..., Path], literal: str) -> None:
    root = make("", f"[router]\ncooldown_time = {literal}\n")
    out = clean(run_cli("build", cwd=root), 1, "datumc.toml:2:17: error DC003 router.cooldown_time")
    assert out.count("error DC003") == 1, out


def test_a_quoted_number_is_one_error_that_names_the_type(make: Callable[..., Path]) -> None:
    root = make('timeout = "60"\n')
    out = clean(run_cli("lint", cwd=root), 1, "ai_model.timeout: must be a number, not a string",
                "remove the quotes")
    assert out.count("error DC003") == 1, out


def test_deeply_nested_value_in_the_project_file(make: Callable[..., Path]) -> None:
    root = make("", "[litellm_settings]\nx = " + "[" * 100 + "]" * 100 + "\n")
    clean(run_cli("lint", cwd=root), 1, "datumc.toml:2:69: error DC014", "nests too deeply")


@FUZZ
@given(st.integers(-(2**200), 2**200), st.sampled_from(["{:d}", "{:#x}", "{:#o}", "{:#b}"]))
def test_fuzz_integer_literals(value: int, form: str) -> None:
    literal = form.format(value) if value >= 0 or form == "{:d}" else str(value)
    doc = parse_toml(Source(Path("x.toml"), "x.toml", f"n = {literal}\n"))
    if INT_MIN <= value <= INT_MAX:
        assert isinstance(doc, TomlDoc) and doc.data == {"n": value}
    else:
        assert isinstance(doc, Diagnostic) and (doc.code, doc.line) == ("DC001", 1)


# -- 2. YAML values PyYAML's constructor cannot build ----------------------------------------

BAD_SCALARS = {
    "month-13": "2024-13-45", "feb-30": "2024-02-30", "hour-25": "2001-12-14 25:61:61",
    "tz-99": "2001-12-14t21:59:43.10-99:99", "year-0": "0000-01-01", "int": '!!int "abc"',
    "empty-int": '!!int ""', "hex-int": "!!int 0x", "float": '!!float "x"',
    "bool": '!!bool "maybe"', "timestamp": '!!timestamp "x"', "binary": "!!binary 1",
    "long-decimal": "9" * 5000, "long-hex": "0x" + "f" * 5000, "long-binary": "0b" + "1" * 20_000,
}


def litellm_yaml(value: str) -> str:
    return ("model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n"
            f"      created: {value}\n")  # the value is at line 5, column 16


@pytest.mark.parametrize("value", BAD_SCALARS.values(), ids=list(BAD_SCALARS))
def test_bad_yaml_value_in_lint(tmp_path: Path, value: str) -> None:
    (tmp_path / "config.yaml").write_text(litellm_yaml(value))
    clean(run_cli("lint", "config.yaml", cwd=tmp_path), 1, "config.yaml:5:16: error DC009")


@pytest.mark.parametrize("value", ["2024-13-45", '!!bool "maybe"', "0x" + "f" * 5000])
def test_bad_yaml_value_in_import(tmp_path: Path, value: str) -> None:
    (tmp_path / "config.yaml").write_text(litellm_yaml(value))
    clean(run_cli("import", "config.yaml", "-o", "out", cwd=tmp_path), 1,
          "config.yaml:5:16: error DC009")
    assert not (tmp_path / "out").exists()


def test_bad_date_says_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(litellm_yaml("2024-13-45"))
    clean(run_cli("lint", "config.yaml", cwd=tmp_path), 1, "month must be in 1..12",
          "quote it to keep it as a string")


YAML_TAGS = ["", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!null ",
             "!!str ", "!!set ", "!!omap ", "!!pairs ", "!!seq ", "!!map "]
YAML_VALUES = st.one_of(
    st.sampled_from(["2024-13-45", "0x", "1e", "", "~", "[1]", "{a: 1}", "[{a: 2024-99-01}]",
                     "1:99", "0o9", "0b2", ".inf", "@@", "'x'", '"\\x00"']),
    st.text(alphabet="0123456789-:.tTzZ+xob_ e", max_size=40))


@FUZZ
@given(st.sampled_from(YAML_TAGS), YAML_VALUES, st.sampled_from(["x: {}\n", "? {}\n: 1\n"]))
def test_fuzz_yaml_scalars_never_raise(tag: str, value: str, shape: str) -> None:
    doc = parse_yaml(Source(Path("c.yaml"), "c.yaml", shape.format(tag + value)))
    assert isinstance(doc, YamlDoc) or doc.code in ("DC009", "DC014")


# -- 3. init-env into a directory that does not exist -------------------------------------


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / ".env.example"
    path.write_text("OPENAI_API_KEY=\n")
    return path


def test_init_env_into_a_missing_directory(tmp_path: Path, example: Path) -> None:
    result = run_cli("init-env", "--from", example, "--env", "nosuchdir/.env", cwd=tmp_path)
    clean(result, 1, "cannot create nosuchdir/.env: nosuchdir does not exist",
          "create the directory first")
    assert not (tmp_path / "nosuchdir").exists()


def test_init_env_under_a_file(tmp_path: Path, example: Path) -> None:
    result = run_cli("init-env", "--from", example, "--env", ".env.example/.env", cwd=tmp_path)
    clean(result, 1, ".env.example is not a directory")
    assert example.read_text() == "OPENAI_API_KEY=\n"


# -- 4. schema --dir that is not a directory --------------------------------------------------


@pytest.mark.parametrize("check", [False, True])
def test_schema_dir_is_a_fifo(tmp_path: Path, check: bool) -> None:
    os.mkfifo(tmp_path / "fifo")
    args = ("schema", *(["--check"] if check else []), "--dir", "fifo")
    clean(run_cli(*args, cwd=tmp_path), 2, "--dir fifo is not a directory")


def test_schema_dir_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run_cli("schema", "--dir", "file/sub", cwd=tmp_path)
    clean(result, 2, "--dir file/sub: Not a directory")


@pytest.mark.parametrize(("args", "code", "said"), [
    (("--check",), 1, "stale: out/ai_model.schema.json"),
    ((), 2, "out/ai_model.schema.json is not a regular file"),
])
def test_schema_file_is_a_fifo(tmp_path: Path, args: tuple[str, ...], code: int,
                               said: str) -> None:
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out/ai_model.schema.json")
    result = _real("schema", *args, "--dir", "out", cwd=tmp_path)  # a hang fails
    clean(result, code, said)


def _real(*args: str | Path, cwd: Path) -> Result:
    proc = subprocess.run([sys.executable, "-m", "datumc", *map(str, args)], cwd=cwd,
                          env=datumc_env(), capture_output=True, text=True, timeout=60)
    return Result(proc.returncode, proc.stdout, proc.stderr)


# -- 5. malformed proxy URLs -------------------------------------------------------------------

BAD_URLS = ["http://[::1", "http://[zz]", "http://[::1]x", "http://a b", "http://x\n",
            "http://" + "a" * 64, "http://a..b", "http://x:0", "http://x:99999", "http://x:abc",
            "ftp://x", "http://", "localhost:4000", "http://x/é", "http://x\x00"]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("command", ["doctor", "models"])
def test_bad_url_is_a_usage_error(make: Callable[..., Path], command: str, url: str) -> None:
    root = make("")
    clean(run_cli(command, "--url", url, cwd=root), 2, "proxy URL")


class Refused:
    """A connection nobody answers."""

    def request(self, *args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("url", "port"), [("http://[::1]", 80), ("https://[::1]", 443),
                                           ("http://[::1]:4000", 4000)])
def test_a_bare_ipv6_address_gets_the_scheme_port(monkeypatch: pytest.MonkeyPatch, url: str,
                                                  port: int) -> None:
    seen: list[object] = []

    def connection(scheme: str, host: str, at: int, timeout: float) -> Refused:
        seen.append((host, at))
        return Refused()

    monkeypatch.setattr(http, "_connection", connection)
    with pytest.raises(http.ProxyUnreachable):
        http.request("GET", url)
    assert seen == [("::1", port)]  # not [::]:1, as http.client reads a bare "::1"


@pytest.mark.parametrize("host", ["a b", "x\ny", "-x", "[::1]", "host:4000", "a..b", "é.local",
                                  "a" * 64 + ".local", ""])
def test_bad_serve_host_is_a_usage_error(make: Callable[..., Path], host: str) -> None:
    root = make("")
    clean(run_cli("serve", "--dry-run", "--host", host, cwd=root), 2,
          "is not an IP address or a host name")


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost",
                                  "proxy-1.internal."])
def test_good_serve_host_passes_the_check(make: Callable[..., Path], host: str) -> None:
    root = make("")
    out = run_cli("serve", "--dry-run", "--host", host, cwd=root).output
    assert "is not an IP address or a host name" not in out, out


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "1e999"])
def test_bad_timeout_is_a_usage_error(make: Callable[..., Path], timeout: str) -> None:
    args = ("models", "--health", "--timeout", timeout, "--url", "http://127.0.0.1:1")
    clean(run_cli(*args, cwd=make("")), 2, "--timeout")


# -- 6. names the system refuses to look up -----------------------------------------------

LONG_ARGS = [("build", "-p", LONG), ("build", "-o", LONG), ("build", "-o", f"out/{LONG}"),
             ("lint", LONG), ("lint", f"{LONG}.yaml"), ("lint", "-p", LONG),
             ("import", f"{LONG}.yaml"), ("import", "c.yaml", "-o", LONG),
             ("init-env", "--from", LONG), ("init-env", "--env", LONG),
             ("schema", "--dir", LONG), ("doctor", "-p", LONG), ("models", "-p", LONG),
             ("serve", "--dry-run", "-p", LONG)]


@pytest.mark.parametrize("args", LONG_ARGS, ids=lambda a: " ".join(a).replace(LONG, "LONG"))
def test_file_name_over_255_bytes(tmp_path: Path, args: tuple[str, ...]) -> None:
    clean(run_cli(*args, cwd=tmp_path), 2, "bytes long; the limit is 255")


def test_path_over_path_max(tmp_path: Path) -> None:
    clean(run_cli("lint", "a/" * 2100, cwd=tmp_path), 2, "File name too long")


@pytest.mark.parametrize("args", [("lint", "loop"), ("build", "-o", "loop/x"),
                                  ("init-env", "--env", "loop"), ("lint", "-p", "loop")])
def test_symlink_loop_argument(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "loop").symlink_to("loop")
    clean(run_cli(*args, cwd=tmp_path), 2, "Too many levels of symbolic links")


@pytest.mark.parametrize(("key", "col"), [("datum_dirs = [\"{}\"]", 15), ('out_dir = "{}"', 11)])
def test_project_dir_name_over_255_bytes(make: Callable[..., Path], key: str, col: int) -> None:
    root = make("", "[datumc]\n" + key.format(LONG) + "\n")
    clean(run_cli("build", cwd=root), 1, f"datumc.toml:2:{col}: error DC003",
          "has a name of 300 bytes")


def test_datum_dir_over_path_max(make: Callable[..., Path]) -> None:
    root = make("", f'[datumc]\ndatum_dirs = ["{"a/" * 2100}"]\n')
    clean(run_cli("build", cwd=root), 1, "error DC002 cannot read: File name too long")


def test_datum_that_is_a_symlink_loop(make: Callable[..., Path]) -> None:
    root = make("")
    (root / "datums/loop.ai_model.toml").symlink_to("loop.ai_model.toml")
    clean(run_cli("build", cwd=root), 1, "datums/loop.ai_model.toml: error DC002",
          "Too many levels of symbolic links")


# -- 7. Ctrl-C at any moment: exit 130, no traceback -----------------------------------------


def interrupt(cwd: Path, marker: str, delay: float) -> tuple[int, str]:
    """Run `datumc lint`, send SIGINT `delay` s after the import of `marker` finished."""
    env = datumc_env({"PYTHONPROFILEIMPORTTIME": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "datumc", "lint"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = any(line.rstrip().endswith(f" {marker}") for line in _until(proc.stderr, marker))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert seen, f"never imported {marker}"
    return proc.wait(timeout=60), rest


def _until(lines: Iterator[str], marker: str) -> Iterator[str]:
    for line in lines:
        yield line
        if line.rstrip().endswith(f" {marker}"):
            return


# errno: the first import after the handler; click and pydantic: the slow imports that
# used to print a KeyboardInterrupt traceback; datumc.commands.lint: inside main().
MOMENTS = [("errno", 0.0), ("errno", 0.002), ("errno", 0.005), ("errno", 0.01),
           ("click.exceptions", 0.0), ("click", 0.0), ("pydantic", 0.0),
           ("datumc.console", 0.0), ("datumc.commands.lint", 0.0)]


@pytest.mark.parametrize(("marker", "delay"), MOMENTS)
def test_ctrl_c_early_is_exit_130_without_traceback(make: Callable[..., Path], marker: str,
                                                     delay: float) -> None:
    code, err = interrupt(make(""), marker, delay)
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "datumc: interrupted" in err


def test_datumc_in_process_leaves_sigint_alone(make: Callable[..., Path]) -> None:
    before = signal.getsignal(signal.SIGINT)
    clean(run_cli("lint", cwd=make("")), 0)
    assert signal.getsignal(signal.SIGINT) is before


# -- fuzz: every command's path, URL and number arguments ------------------------------------

PARTS = ["proj", "proj/datums", "fifo", "file", "file/x", "loop", "nosuch", LONG, "a" * 255,
         "é", "a\nb", " ", ".", "c.yaml", "x.env", "proj/datums/x.ai_model.toml", "-", "\x1b[1m"]
PATHS = st.one_of(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map("/".join),
                  st.sampled_from(["/dev/null", "/dev/zero", "/proc/self/mem"]))
URLS = st.tuples(
    st.sampled_from(["http://", "https://", "ftp://", "", "http:/"]),
    st.sampled_from(["127.0.0.1", "[::1", "[::1]", "[zz]", "a..b", "a" * 70, "", " ", "\n",
                     "[::1]x", "u@", "[127.0.0.1]", "[::1%25lo]"]),
    st.sampled_from([":1", ":0", ":99999", ":abc", ":", "", ":-1", ":1:2"]),
    st.sampled_from(["/", "/a b", "/é", "?x", "#f", "", "/%zz"])).map("".join)
NUMBERS = st.one_of(st.sampled_from(["nan", "inf", "-inf", "1e999", "0", "-1", "abc", "",
                                     "1" * 5000, "0x10", "5", "65536"]), st.text(max_size=5))
COMMANDS = st.one_of(
    st.tuples(st.just("build"), st.sampled_from(["-p", "-o", "--profile"]), PATHS),
    st.tuples(st.just("lint"), PATHS), st.tuples(st.just("lint"), st.just("-p"), PATHS),
    st.tuples(st.just("import"), PATHS, st.just("-o"), PATHS),
    st.tuples(st.just("init-env"), st.sampled_from(["--from", "--env"]), PATHS),
    st.tuples(st.just("schema"), st.sampled_from(["--check", "--dir"]), st.just("--dir"), PATHS),
    st.tuples(st.sampled_from(["doctor", "models"]), st.just("--url"), URLS, st.just("-p"),
              st.just("proj")),
    st.tuples(st.just("models"), st.just("--health"), st.just("--timeout"), NUMBERS,
              st.just("--url"), st.just("http://127.0.0.1:1")),
    st.tuples(st.just("serve"), st.just("--dry-run"), st.just("--port"), NUMBERS),
    st.tuples(st.just("explain"), st.text(max_size=20)),
)


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Files of every awkward kind, and a project; the keys the runtime commands need."""
    base = tmp_path_factory.mktemp("playground")
    (base / "proj/datums").mkdir(parents=True)
    (base / "proj/datums/x.ai_model.toml").write_text(datum("x"))
    os.mkfifo(base / "fifo")
    (base / "file").write_text("x")
    (base / "loop").symlink_to("loop")
    (base / "c.yaml").write_text(litellm_yaml("2024-13-45"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LITELLM_MASTER_KEY", "sk-" + "ab12" * 10)
        yield base


@FUZZ
@given(COMMANDS)
def test_fuzz_command_arguments(playground: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=playground)
    assert result.code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
