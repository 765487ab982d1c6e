"""Lint: rules with codes, docs and suppression, for datums, LiteLLM YAML and .env files."""
