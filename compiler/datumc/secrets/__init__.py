"""Secrets: one detector, masking for every message, and the leak check over outputs."""
