"""Fuzzing the loaders: random and mutated TOML, YAML and env text never raises.

Each target takes text (or raw bytes) the way datumc reads a file and runs every stage
that would see it: read -> parse -> key positions -> validate -> (when valid) plan the
LiteLLM config and render it; YAML and .env text also go through every lint rule of
their scope. Whatever the input, the result is a value or diagnostics, never an
exception.

The default suite runs a short pass. The long run is `scripts/fuzz` (or
DATUMC_FUZZ_EXAMPLES=N); it records how many inputs each target tried in
$DATUMC_FUZZ_REPORT.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datumc.diagnostics import Diagnostic
from datumc.lint.registry import env_checks
from datumc.lint.run import lint_stack, lint_yaml
from datumc.load.env_loader import EnvDoc, parse_env
from datumc.load.source import Source, read_source
from datumc.load.stack import Entry, Stack
from datumc.load.toml_loader import parse_toml
from datumc.load.tomlpos import toml_positions
from datumc.load.yaml_loader import YamlDoc, parse_yaml
from datumc.plan.config import build_config
from datumc.plan.model import is_litellm_config
from datumc.targets import litellm as litellm_target
from datumc.targets.base import RenderContext
from datumc.validate.check import validate_datum, validate_model
from datumc.validate.limits import MAX_DATUM_BYTES
from datumc.validate.project import Project

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
EXAMPLES = int(os.environ.get("DATUMC_FUZZ_EXAMPLES", "100"))
TRIED: Counter[str] = Counter()
REACHED: Counter[str] = Counter()  # how deep inputs got: proof the fuzzing is not shallow

FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    figures = {**dict(sorted(TRIED.items())), "total": sum(TRIED.values()),
               "reached": dict(sorted(REACHED.items()))}
    print(f"\nfuzz inputs tried: {json.dumps(figures)}")
    target = os.environ.get("DATUMC_FUZZ_REPORT")
    if target:
        Path(target).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


# -- seeds and mutations ---------------------------------------------------------------------


def _read_all(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(paths)]


BUNDLED_DATUMS = _read_all(list((REPO / "datums").glob("*.toml")))
BUNDLED_PROJECT = (REPO / "datumc.toml").read_text(encoding="utf-8")
CORPUS_DATUMS = _read_all(list((CORPUS / "b00t").rglob("*.toml"))) if CORPUS.is_dir() else []
CORPUS_YAML = (
    _read_all(list((CORPUS / "litellm-configs").glob("*.y*ml"))) if CORPUS.is_dir() else []
)

TOML_TOKENS = ["[", "]", "[[", "]]", "{", "}", "=", ".", ",", '"', "'", '"""', "'''", "\\",
               "\\u0000", "\\U0010ffff", "\n", "\r\n", "#", " ", "\t", "0x", "inf", "nan",
               "-0", "1e400", "1979-05-27T07:32:00Z", "07:32:00", "true", "a.b.c", "\x00",
               "\ufeff", "ai_model", "b00t", "parameters", "metadata"]
YAML_TOKENS = ["- ", ": ", "? ", "&a ", "*a", "<<: *a", "!!str ", "!!python/object ", "{", "}",
               "[", "]", "'", '"', "|", ">-", "#", "\n", "\n  ", "\t", "---\n", "...\n",
               "%YAML 1.1\n", "~", "null", "os.environ/", "model_list", "litellm_params",
               "\x85", "\u2028", "\x00"]
ENV_TOKENS = ["=", "export ", "#", "'", '"', "\\", "\n", "\r\n", " ", "$", "${A}", "\x00"]


def mutated(seeds: list[str], tokens: list[str]) -> st.SearchStrategy[str]:
    """A seed document with a few insertions, deletions, duplications or truncations."""

    @st.composite
    def build(draw: Callable[..., Any]) -> str:
        text = draw(st.sampled_from(seeds))
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(text)))
            op = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "swap"]))
            if op == "insert":
                piece = draw(st.one_of(st.sampled_from(tokens), st.text(max_size=8)))
                text = text[:at] + piece + text[at:]
            elif op == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 40)):]
            elif op == "duplicate":
                text = text[:at] + text[at:at + draw(st.integers(1, 200))] + text[at:]
            elif op == "truncate":
                text = text[:at]
            else:
                other = draw(st.sampled_from(seeds))
                text = text[:at] + other[draw(st.integers(0, len(other))):]
        return text

    return build()


def token_soup(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(tokens), st.text(max_size=6)), max_size=60).map(
        "".join)


# Random TOML documents that parse, with datum-shaped keys: they reach validation.
toml_keys = st.one_of(st.sampled_from(["name", "type", "provider", "litellm_model", "size",
                                       "capabilities", "rpm_limit", "api_key_env", "enabled",
                                       "fallbacks", "parameters", "metadata", "aliases"]),
                      st.text(max_size=8))
toml_scalars = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
                         st.integers(-(2**63), 2**63 - 1), st.booleans(), st.floats(),
                         st.dates(), st.datetimes(), st.times())
toml_values = st.recursive(toml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(toml_keys, inner, max_size=4)), max_leaves=12)
toml_docs = st.fixed_dictionaries(
    {}, optional={"b00t": st.dictionaries(toml_keys, toml_values, max_size=5),
                  "ai_model": st.dictionaries(toml_keys, toml_values, max_size=8)},
).map(lambda d: tomli_w.dumps(d))


# -- what one input goes through ---------------------------------------------------------------


def _source(text: str, name: str) -> Source:
    return Source(Path(name), name, text)


def run_datum(text: str) -> None:
    doc = parse_toml(_source(text, "fuzz.ai_model.toml"))
    if isinstance(doc, Diagnostic):
        return
    toml_positions(text)  # the position scanner sees every valid document
    datum, diags = validate_datum(doc)
    for diag in diags:
        assert diag.line >= 0 and diag.column >= 0
    if datum is None:
        lint_stack(Stack(Path(), Project(), None, (), rejected=(doc,)))  # raw-text rules
        return
    REACHED["valid datums rendered"] += 1
    stack = Stack(Path(), Project(), None, (Entry(doc, datum),))
    lint_stack(stack)
    config, _ = build_config(stack)
    for output in litellm_target.outputs(RenderContext(stack, config)):
        if output.relpath.endswith(".yaml"):
            assert isinstance(yaml.safe_load(output.content), dict)


def run_project(text: str) -> None:
    doc = parse_toml(_source(text, "datumc.toml"))
    if isinstance(doc, Diagnostic):
        return
    project, _ = validate_model(Project, doc, doc.data)
    if project is not None:
        REACHED["valid project files linted"] += 1
        lint_stack(Stack(Path(), project, doc, (), raw_project=doc.data))


def run_yaml(text: str) -> None:
    doc = parse_yaml(_source(text, "config.yaml"))
    if not isinstance(doc, YamlDoc) or not is_litellm_config(doc.data):
        return  # `datumc lint` runs the LiteLLM rules on LiteLLM configs only
    REACHED["valid LiteLLM YAML linted"] += 1
    lint_yaml(doc)


def run_env(text: str) -> None:
    doc = parse_env(_source(text, ".env"))
    assert isinstance(doc, EnvDoc)
    for check in env_checks():
        list(check(doc, None))
        list(check(doc, {"OPENAI_API_KEY": "OpenAI API key", "LITELLM_MASTER_KEY": "key"}))


def run_bytes(raw: bytes, tmp: Path) -> None:
    path = tmp / "fuzz.ai_model.toml"
    path.write_bytes(raw)
    source = read_source(path, limit=MAX_DATUM_BYTES)
    if isinstance(source, Source):
        run_datum(source.text)
        run_yaml(source.text)
        run_env(source.text)


# -- the fuzz targets ---------------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.text(), token_soup(TOML_TOKENS), toml_docs))
def test_fuzz_random_toml(text: str) -> None:
    TRIED["toml: random"] += 1
    run_datum(text)
    run_project(text)


@FUZZ
@given(mutated(BUNDLED_DATUMS, TOML_TOKENS))
def test_fuzz_mutated_bundled_datums(text: str) -> None:
    TRIED["toml: mutated bundled datums"] += 1
    run_datum(text)


@FUZZ
@given(mutated([BUNDLED_PROJECT], TOML_TOKENS))
def test_fuzz_mutated_project_file(text: str) -> None:
    TRIED["toml: mutated datumc.toml"] += 1
    run_project(text)


@FUZZ
@given(st.one_of(st.text(), token_soup(YAML_TOKENS)))
def test_fuzz_random_yaml(text: str) -> None:
    TRIED["yaml: random"] += 1
    run_yaml(text)


@FUZZ
@given(st.one_of(st.text(), token_soup(ENV_TOKENS)))
def test_fuzz_random_env(text: str) -> None:
    TRIED["env: random"] += 1
    run_env(text)


@FUZZ
@given(raw=st.binary(max_size=512))
def test_fuzz_raw_bytes(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    TRIED["bytes: random"] += 1
    run_bytes(raw, tmp_path_factory.mktemp("bytes", numbered=True))


@pytest.mark.skipif(not CORPUS_DATUMS, reason=f"corpus not available at {CORPUS}")
@FUZZ
@given(st.data())
def test_fuzz_mutated_corpus_datums(data: st.DataObject) -> None:
    TRIED["toml: mutated corpus datums"] += 1
    run_datum(data.draw(mutated(CORPUS_DATUMS, TOML_TOKENS)))


@pytest.mark.skipif(not CORPUS_YAML, reason=f"corpus not available at {CORPUS}")
@FUZZ
@given(st.data())
def test_fuzz_mutated_corpus_litellm_configs(data: st.DataObject) -> None:
    TRIED["yaml: mutated corpus configs"] += 1
    run_yaml(data.draw(mutated(CORPUS_YAML, YAML_TOKENS)))


def test_the_seeds_are_valid() -> None:
    """Mutations start from real, valid documents (or they would test nothing)."""
    for text in BUNDLED_DATUMS + CORPUS_DATUMS + [BUNDLED_PROJECT]:
        tomllib.loads(text)
    for text in CORPUS_YAML:
        assert isinstance(parse_yaml(_source(text, "c.yaml")), YamlDoc | Diagnostic)
    assert len(BUNDLED_DATUMS) >= 10
