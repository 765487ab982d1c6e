"""The rule registry: codes, names, docs, scopes; and `datumc explain` for every rule."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from datumc.lint.registry import RULES, find_rule, find_rules, rules_for
from datumc.lint.rule import CHECK_INPUT, Rule, Scope
from datumc.lint.rules import RULE_MODULES
from tests.conftest import REPO, run_cli

# DC101 and DC104 are config rules with datum codes: validation emits them for the
# `*_env` fields of datums too.
SERIES = {Scope.DATUMS: "1", Scope.CONFIG: "12", Scope.YAML: "2", Scope.ENV: "3",
          Scope.PROJECT: "4", Scope.CORE: "0"}
MODULE_RULES = [r for r in RULES.values() if r.scope is not Scope.CORE]
# Rules documented in docs/lint.md (DC401-DC403 belong to the deployment targets).
LINT_CODES = [c for c in RULES if c[:3] in ("DC1", "DC2", "DC3")]


def test_codes_and_names_are_unique_and_well_formed() -> None:
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)
    for rule in RULES.values():
        assert re.fullmatch(r"DC\d{3}", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.code[2] in SERIES[rule.scope], rule.code


def test_every_module_is_registered_once() -> None:
    modules = sorted(p.stem for p in (REPO / "compiler/datumc/lint/rules").glob("*.py")
                     if p.stem not in ("__init__", "common"))
    assert sorted(m.__name__.rsplit(".", 1)[1] for m in RULE_MODULES) == modules


@pytest.mark.parametrize("rule", MODULE_RULES, ids=lambda r: r.code)
def test_rule_module_doc_has_why_and_examples(rule: object) -> None:
    doc = rule.doc  # type: ignore[attr-defined]
    assert "Why" in doc
    assert ("Bad:" in doc and "Good:" in doc) or "Example" in doc
    assert rule.check is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_prints_the_doc(code: str) -> None:
    result = run_cli("explain", code)
    rule = RULES[code]
    assert result.code == 0
    assert result.stdout.startswith(f"{code} {rule.name} (default: {rule.severity.value}")
    assert rule.doc.splitlines()[0] in result.stdout
    assert ("To silence it:" in result.stdout) is rule.configurable


def test_explain_by_name_and_unknown() -> None:
    assert run_cli("explain", "hardcoded-secret").stdout.startswith("DC102")
    result = run_cli("explain", "DC999")
    assert result.code == 2 and "unknown rule" in result.stderr


def test_explain_lists_everything() -> None:
    listed = run_cli("explain").stdout.splitlines()
    assert [line.split()[0] for line in listed] == sorted(RULES)


def test_multi_scope_rule() -> None:
    rule = find_rule("DC104")
    assert rule is not None and not rule.configurable
    assert set(rule.scopes) == {Scope.CONFIG, Scope.ENV}
    assert rule in rules_for(Scope.ENV) and rule in rules_for(Scope.CONFIG)


@pytest.mark.parametrize("rule", MODULE_RULES, ids=lambda r: r.code)
def test_each_check_takes_its_scopes_input(rule: Rule) -> None:
    """A Protocol per scope: the check's first parameter is annotated with that input."""
    for scope in rule.scopes:
        check = rule.check_for(scope)
        assert check is not None
        first = next(iter(inspect.signature(check).parameters.values()))
        assert first.annotation == CHECK_INPUT[scope], (rule.code, scope)


def test_no_rule_imports_another() -> None:
    for path in (REPO / "compiler/datumc/lint/rules").glob("[!_]*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                target = node.module.removeprefix("datumc.lint.rules").lstrip(".")
                names = [a.name for a in node.names] if node.module == "datumc.lint.rules" else []
                assert node.module in ("datumc.lint.rules.common",) or not (
                    node.module.startswith("datumc.lint.rules.") or names), (path.name, target)


def test_retired_codes_point_at_their_rules() -> None:
    for rule in RULES.values():
        for old in rule.replaces:
            assert old not in RULES
            assert rule in find_rules(old)
            result = run_cli("explain", old)
            assert result.code == 0 and "is now reported as" in result.stdout
            assert rule.code in result.stdout


def test_every_rule_has_a_test() -> None:
    tests = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    missing = [c for c in RULES if RULES[c].scope is not Scope.CORE and c.lower() not in
               tests.lower()]
    assert missing == []


def test_docs_list_every_rule() -> None:
    docs = "".join(p.read_text() for p in (REPO / "docs").glob("*.md"))
    missing = [c for c, r in RULES.items() if r.scope is not Scope.CORE and c not in docs]
    assert missing == []
    lint_docs = (REPO / "docs/lint.md").read_text()
    rows = [f"| {c} | {RULES[c].name} | {RULES[c].severity.value}" for c in LINT_CODES]
    assert [row for row in rows if row not in lint_docs] == []  # the default level first


def _code_literals() -> dict[str, list[str]]:
    """Every "DCnnn" string in the package that is not documentation or a retired code."""
    found: dict[str, list[str]] = {}
    for path in (REPO / "compiler/datumc").rglob("*.py"):
        tree = ast.parse(path.read_text())
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "REPLACES" for t in node.targets):
                skip |= {id(n) for n in ast.walk(node.value)}
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skip.add(id(node.value))  # docstrings
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"DC\d{3}", node.value) and id(node) not in skip):
                found.setdefault(node.value, []).append(f"{path.name}:{node.lineno}")
    return found


def test_every_code_is_declared_once_beside_its_emitter_and_registered() -> None:
    """A code and its default severity live in one place: the code string appears once
    in the package (a Code next to the stage that emits it, or a rule module's CODE),
    and every one of them is in the registry, and nothing else is."""
    literals = _code_literals()
    assert {c: w for c, w in literals.items() if len(w) > 1} == {}
    assert set(literals) == set(RULES)


def test_stage_codes_carry_their_docs() -> None:
    from datumc.lint.core import STAGE_CODES

    for code in STAGE_CODES:
        rule = RULES[code]
        assert rule.severity is code.severity and rule.doc == code.doc and "Why" in code.doc
