# datumc recipes. `just --list` shows them all.

set dotenv-load := false

datumc := env("DATUMC", "datumc")

# Build every target from datums/ into build/
config *args:
    {{datumc}} build {{args}}
