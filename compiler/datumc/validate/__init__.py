"""Validate: pydantic models for datums and datumc.toml, and readable schema errors."""
