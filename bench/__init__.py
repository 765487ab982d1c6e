"""datumc benchmark suite: `python bench/run.py` (see docs/bench.md)."""
