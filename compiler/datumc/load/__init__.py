"""Loading input files: text, parsed data and the position of every key."""

from __future__ import annotations

from datumc.diagnostics import Code, Severity

# Declared here, not in yaml_loader (which emits it), so that naming the code in the
# registry does not load the YAML reader on the datum-only path (pre-commit).
YAML_SYNTAX = Code("DC009", "yaml-syntax", Severity.ERROR, """
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
""")
