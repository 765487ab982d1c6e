"""Pydantic models for datums and the project file, and the vocabulary they share."""
