"""Codes `datumc import` emits (DC030-DC039). Documented like rules: `datumc explain DC032`."""

from __future__ import annotations

from datumc.diagnostics import Severity
from datumc.lint.rule import Rule, Scope

STRUCTURE = "DC030"
INVALID = "DC031"
SECRET = "DC032"
PASSTHROUGH = "DC033"
UNCHECKED = "DC034"
LOSSY = "DC035"
GUESS = "DC036"
DUPLICATE_KEY = "DC037"
EXISTS = "DC038"
MIXED = "DC039"


def _rule(code: str, name: str, severity: Severity, doc: str) -> Rule:
    return Rule(code, name, severity, Scope.CORE, doc.strip(), None, configurable=False)


IMPORT_RULES = [
    _rule(STRUCTURE, "import-structure", Severity.ERROR, '''
The config does not have the shape of a LiteLLM config: the document is not a
mapping, model_list is not a list, or a settings section is not a mapping.

Why: LiteLLM would refuse the file or crash while loading it; there is nothing
sensible to import. Nothing is written.

Bad:
    model_list:
      model_name: gpt-4o        # a mapping, not a list of entries

Good:
    model_list:
      - model_name: gpt-4o
        litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}
'''),
    _rule(INVALID, "import-invalid", Severity.ERROR, '''
A model_list entry or a setting cannot become a datum field: a missing
model_name, litellm_params or model, a model_name with leading spaces, or a
value of the wrong type for a field datumc models (router_settings.timeout: "30").

Why: LiteLLM drops such a deployment with only a log line, or fails at request
time. datumc refuses to guess; nothing is written until the source is fixed.

Bad:
    - model_name: gpt-4o
      litellm_params:
        api_key: os.environ/OPENAI_API_KEY     # no model

Good:
    - model_name: gpt-4o
      litellm_params:
        model: openai/gpt-4o
        api_key: os.environ/OPENAI_API_KEY
'''),
    _rule(SECRET, "import-secret", Severity.WARNING, '''
A hardcoded secret (api_key, master_key, a password, a database URL with a
password) was replaced by an os.environ/ reference. The value is never copied
into a datum or datumc.toml.

Why: datums live in git. Set the named variable in the proxy's environment
(.env) to the value the old config held.

Bad:
    litellm_params:
      api_key: sk-proj-abc...        # in the config.yaml being imported

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"   # and OPENAI_API_KEY=... in .env
'''),
    _rule(PASSTHROUGH, "import-passthrough", Severity.INFO, '''
A setting datumc has a dedicated field for could not use it (a cache with extra
parameters, an rpm that is not a positive integer, Redis settings that are not
env references) and was kept verbatim in a pass-through table instead.

Why: the built config means the same as the original; only datumc's own checks
on that field do not apply.

Example: `cache_params: {type: redis, host: redis, max_connections: 100}` stays
in [litellm_settings] rather than becoming [cache] type = "redis".
'''),
    _rule(UNCHECKED, "import-unchecked", Severity.WARNING, '''
Something was kept verbatim that datumc would normally check: fallbacks or
aliases that name unknown models (or use forms datums cannot express), a
top-level key LiteLLM does not read, an `include:` of another file.

Why: the built config means the same as the original, but lint no longer sees
these as fallbacks or aliases. Fix the names and re-import, or move them into
the datums by hand.

Bad:
    router_settings:
      fallbacks: [{gpt-4o: [gpt-4o-mnii]}]      # typo: no such model

Good:
    router_settings:
      fallbacks: [{gpt-4o: [gpt-4o-mini]}]
'''),
    _rule(LOSSY, "import-lossy", Severity.WARNING, '''
A value TOML cannot hold was left out (null, binary, a set) or rewritten (a YAML
date becomes a string in the built config; a non-string key becomes a string).

Why: TOML has no null. For most LiteLLM settings a null and a missing key mean
the same; the diagnostic names each one so you can check.

Bad:
    general_settings:
      database_url: null

Good:
    general_settings: {}             # or set [proxy] database_url_env
'''),
    _rule(GUESS, "import-guess", Severity.INFO, '''
datumc filled in something the config does not say: the b00t provider of a
model whose provider prefix is missing or an env reference, or the master key
the built config always requires.

Why: the guess does not change the built config (the provider is not emitted;
LiteLLM refuses to start without a master key), but you should check it.

Example: `model: os.environ/MODEL_ID` gives provider = "openai_compatible".
'''),
    _rule(DUPLICATE_KEY, "import-duplicate-key", Severity.WARNING, '''
The same key appears twice in one YAML mapping. LiteLLM (PyYAML) keeps the last
one, and so does the import.

Bad:
    litellm_settings: {drop_params: true}
    litellm_settings: {set_verbose: false}    # replaces the first one

Good:
    litellm_settings: {drop_params: true, set_verbose: false}
'''),
    _rule(EXISTS, "import-exists", Severity.ERROR, '''
A file the import would write already exists. Nothing was written.

Why: datums and datumc.toml are yours; the import never overwrites them unless
you pass --force, which keeps the old file as <name>.bak.
'''),
    _rule(MIXED, "import-mixed-datums", Severity.WARNING, '''
The datums directory already holds datum files the import did not write. They
will be built together with the imported ones.

Why: leftovers from an earlier import, or unrelated datums, would add models
(or duplicate names) to the built config. Remove them or import elsewhere.
'''),
]
