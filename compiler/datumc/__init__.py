"""datumc: a declarative config compiler for LiteLLM proxy deployments."""

__version__ = "0.1.0"
