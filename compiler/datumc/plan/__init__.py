"""Plan: datums and datumc.toml -> one LiteLLM config model, each value with its source."""
