"""Codes emitted while loading and validating. They have docs like any rule."""

from __future__ import annotations

from datumc.diagnostics import Severity
from datumc.lint.rule import Rule, Scope


def _core(code: str, name: str, severity: Severity, doc: str, *, configurable: bool) -> Rule:
    return Rule(code, name, severity, Scope.CORE, doc.strip(), None, configurable)


CORE_RULES = [
    _core("DC001", "toml-syntax", Severity.ERROR, '''
A datum or datumc.toml is not valid TOML.

Why: nothing can be read from the file, so it cannot be compiled.

Bad:
    [ai_model]
    provider = openai          # strings need quotes

Good:
    [ai_model]
    provider = "openai"
''', configurable=False),
    _core("DC002", "unreadable-file", Severity.ERROR, '''
A file cannot be read: missing, a directory, no permission, not UTF-8, or holds NUL bytes.

Why: datumc reads datums as UTF-8 text (a leading BOM is accepted). Binary or
mis-encoded files are refused rather than guessed at.

Bad:  a datum saved as UTF-16 or Latin-1, or with NUL bytes.
Good: the same datum saved as UTF-8.
''', configurable=False),
    _core("DC003", "schema", Severity.ERROR, '''
A value has the wrong type or is out of range, or a required key is missing.

Why: LiteLLM silently drops a deployment whose rpm is "abc"; datumc refuses to
emit it instead, and says where.

Bad:
    rpm_limit = "60"           # a string
    size = "huge"              # not small | large

Good:
    rpm_limit = 60
    size = "large"
''', configurable=False),
    _core("DC004", "unknown-key", Severity.WARNING, '''
A key the schema does not know. It is ignored, and reported so a typo is never silent.

Why: `rpm_limt = 60` would otherwise leave the model without a rate limit and no
one would notice.

Bad:
    [ai_model]
    rpm_limt = 60

Good:
    [ai_model]
    rpm_limit = 60
''', configurable=True),
    _core("DC005", "duplicate-model-name", Severity.ERROR, '''
Two datums use the same [b00t] name.

Why: the public model name must be unique; LiteLLM would load-balance two unrelated
models under one name.

Bad:  two files both with  name = "claude"
Good: distinct names, or the same [ai_model] model_group to load-balance on purpose.
''', configurable=False),
    _core("DC006", "generated-key-override", Severity.ERROR, '''
[ai_model.parameters], [ai_model.metadata] or a pass-through section sets a key that
datumc derives from a dedicated field.

Why: two sources for one value is ambiguous; `parameters.api_key` would also put a
secret in the config.

Bad:
    [ai_model.parameters]
    api_key = "sk-..."

Good:
    [ai_model]
    api_key_env = "OPENAI_API_KEY"
''', configurable=False),
    _core("DC007", "disabled-datum", Severity.INFO, '''
A datum has `enabled = false` and is not emitted.

Why: reported so a model that "vanished" from the proxy has an explanation.

Example:
    [ai_model]
    enabled = false
''', configurable=True),
    _core("DC008", "b00t-extra", Severity.INFO, '''
A b00t-only key (variants, architecture, huggingface_id, usage) is accepted and passed over.

Why: b00t datums compile unchanged; these keys mean nothing to LiteLLM.

Example:
    [[ai_model.variants]]
    id = "q27b-q4km"
''', configurable=True),
    _core("DC009", "yaml-syntax", Severity.ERROR, '''
A LiteLLM config is not valid YAML.

Why: the proxy will not start.

Bad:
    model_list:
      - model_name: gpt-4o
       litellm_params:         # wrong indentation

Good:
    model_list:
      - model_name: gpt-4o
        litellm_params:
''', configurable=False),
    _core("DC010", "symlink-outside-project", Severity.ERROR, '''
A datum is a symlink to a file outside the project.

Why: a build reads only the project it is given, so results do not depend on
files elsewhere on the machine.

Bad:  datums/gpt.ai_model.toml -> /home/me/other/gpt.ai_model.toml
Good: copy the datum into datums/.
''', configurable=False),
    _core("DC011", "no-datums", Severity.ERROR, '''
No datum files were found, or a configured datum directory does not exist.

Why: an empty model_list is almost always a wrong path.

Good: datums/*.ai_model.toml, or [datumc] datum_dirs = ["models"] in datumc.toml.
''', configurable=False),
    _core("DC014", "input-too-large", Severity.ERROR, '''
An input is past a size limit: a datum over 256 KiB, a string over 16 KiB, an
array over 1,000 items, nesting deeper than 16, a LiteLLM YAML over 8 MiB, or more
than 100,000 datum files.

Why: limits keep a hostile or corrupt file from exhausting memory or time.

Good: datums are small; split anything larger.
''', configurable=False),
    _core("DC015", "not-litellm-config", Severity.INFO, '''
A YAML file given to `datumc lint` is not a LiteLLM proxy config, so it was skipped.

Why: the LiteLLM rules (DC2xx) would only produce noise on a Kubernetes manifest or a
compose file. A file counts as a LiteLLM config when it is a mapping with at least
one LiteLLM section (model_list, litellm_settings, router_settings, general_settings,
environment_variables, include, ...), or a near-miss spelling of one.

Example: `datumc lint k8s/deployment.yaml` reports this and nothing else.
Fix: pass only LiteLLM configs, or narrow the pre-commit hook's `files:` pattern.
''', configurable=True),
    _core("DC020", "hand-edited-output", Severity.ERROR, '''
A generated file was edited by hand since datumc wrote it.

Why: rebuilding would destroy the edit. datumc keeps the file and shows the diff.

Fix: move the change into the datums or datumc.toml, then `datumc build --force`
(the edited file is kept as <name>.bak).
''', configurable=False),
    _core("DC021", "unsafe-output-dir", Severity.ERROR, '''
The output directory, or a generated file in it, is a symlink.

Why: following it could write outside the project.

Fix: remove the symlink, or set [datumc] out_dir to a real directory.
''', configurable=False),
    _core("DC022", "write-failed", Severity.ERROR, '''
Writing the output failed (disk full, permission denied, read-only file system).

Why: datumc writes every file to a temp file first and renames only when all of them
are written, so a failure while writing changes nothing. If renaming fails part-way,
the message lists the files that were updated; every file is whole, old or new.

Fix: free space or fix the permissions, then build again; the next build finishes
the job.
''', configurable=False),
    _core("DC023", "secret-in-output", Severity.ERROR, '''
A generated file would contain the value of a secret environment variable (from the
environment or the project's .env file).

Why: generated files are committed, shared and printed; a key pasted into a datum
would leak through them. datumc refuses the whole build and shows the value masked.

Bad:
    api_base = "sk-proj-abc...3210"     # a key pasted where a URL belongs

Good:
    api_key_env = "OPENAI_API_KEY"      # the NAME; the value stays in the environment
''', configurable=False),
]
