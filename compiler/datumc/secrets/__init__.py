"""Secrets: one detector, masking for every message, and the leak check over outputs.

The code the leak check emits is declared here, so the registry can name it without
loading the check.
"""

from __future__ import annotations

from datumc.diagnostics import Code, Severity

SECRET_IN_OUTPUT = Code("DC023", "secret-in-output", Severity.ERROR, """
A generated file would contain the value of a secret environment variable (from the
environment or the project's .env file).

Why: generated files are committed, shared and printed; a key pasted into a datum
would leak through them. datumc refuses the whole build and shows the value masked.

Bad:
    api_base = "sk-proj-abc...3210"     # a key pasted where a URL belongs

Good:
    api_key_env = "OPENAI_API_KEY"      # the NAME; the value stays in the environment
""")
