"""Talking to a running LiteLLM proxy and preparing its environment.

Used by `datumc serve`, `datumc models` and `datumc doctor`. Standard library only:
these commands must work on a machine that has datumc but not LiteLLM.
"""
