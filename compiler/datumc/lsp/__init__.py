"""`datumc lsp`: a language server for datums, datumc.toml, LiteLLM YAML and .env files.

Everything but `server.py` is plain Python over the lint pipeline, with positions as
0-based (line, character) pairs; `server.py` speaks the protocol through pygls, which
is imported only when the server starts.
"""
