"""Aliases that do not do what they say: shadowing a model, taken twice, or dangling.

Why: aliases become `router_settings.model_group_alias`, one name -> one model, and
LiteLLM resolves an alias *before* a model name.
- An alias that is also another model's name takes that name over: requests for
  the model go to the alias target instead (error). datumc leaves such an alias
  out of the datum build and reports it.
- An alias claimed by two datums goes to the first one in path order; the other
  claim is silently lost (a warning: b00t corpora do this, e.g. two Qwen 3.6
  datums both calling themselves "qwen36", and must still compile).
- A `model_group_alias` entry (in a config, or `[router]` in datumc.toml) that
  points at no deployment sends its requests nowhere (error).

Bad:
    # qwen36-local.model.toml          # qwen36-27b-local.model.toml
    aliases = ["qwen36"]               aliases = ["qwen36"]

    router_settings:
      model_group_alias: {gpt-4o: claude-sonnet}    # gpt-4o is a model: it is hijacked

Good:
    aliases = ["qwen36"]               aliases = ["qwen36-27b"]
"""

from __future__ import annotations

from collections.abc import Iterator

from datumc.diagnostics import Diagnostic, Severity
from datumc.lint.rule import Scope
from datumc.lint.rules.common import did_you_mean
from datumc.load.stack import Entry, Stack
from datumc.plan.model import ConfigModel, Groups

CODE = "DC110"
NAME = "alias-conflict"
SEVERITY = Severity.WARNING
SCOPE = Scope.DATUMS


def check(stack: Stack) -> Iterator[Diagnostic]:
    claimed: dict[str, Entry] = {}
    for entry in stack.enabled:
        public = entry.datum.public_name
        for alias in entry.datum.aliases:
            if alias in (public, entry.name):
                continue
            owner = stack.public_names.get(alias)
            if owner:
                yield _at(entry, alias, Severity.ERROR,
                          f"alias '{alias}' is the name of model '{alias}' "
                          f"({owner[0].doc.display}); LiteLLM would send that model's requests "
                          f"to '{public}', so the alias is left out",
                          "remove the alias, or rename one of them")
                continue
            first = claimed.setdefault(alias, entry)
            if first is not entry and first.datum.public_name != public:
                yield _at(entry, alias, SEVERITY,
                          f"alias '{alias}' is also claimed by '{first.name}' "
                          f"({first.doc.display}), which keeps it; this claim is ignored",
                          "give each datum its own aliases")


def _at(entry: Entry, alias: str, severity: Severity, message: str, hint: str) -> Diagnostic:
    for table in ("b00t", "ai_model"):
        section = entry.doc.data.get(table, {})
        aliases = section.get("aliases", []) if isinstance(section, dict) else []
        if isinstance(aliases, list) and alias in aliases:
            return entry.diag(CODE, severity, message, table, "aliases", aliases.index(alias),
                              hint=hint)
    return entry.diag(CODE, severity, message, "b00t", "aliases", hint=hint)


def check_config(config: ConfigModel) -> Iterator[Diagnostic]:
    """`model_group_alias` entries: a dangling target, or an alias over a model name."""
    table = config.section("router_settings").get("model_group_alias")
    if not isinstance(table, dict):
        return
    models = {str(d.name) for d in config.deployments() if d.name is not None}
    elsewhere = config.models_elsewhere()
    known = Groups.of(models | config.unplanned)
    for alias, target in table.items():
        name = target.get("model") if isinstance(target, dict) else target
        path = ("router_settings", "model_group_alias", str(alias))
        if str(alias) in models and name != alias:
            yield config.diag(CODE, Severity.ERROR,
                              f"alias '{alias}' is also a model_name; LiteLLM resolves the "
                              f"alias first, so requests for '{alias}' go to '{name}'", path,
                              hint="rename the alias, or remove it")
        elif isinstance(name, str) and not elsewhere and name not in known:
            yield config.diag(CODE, Severity.ERROR,
                              f"alias '{alias}' points at '{name}', which no deployment is "
                              "named; requests for it fail", path,
                              hint=did_you_mean(name, models) or "point it at a model_name",
                              value=True)


EXTRA_CHECKS = {Scope.CONFIG: check_config}
