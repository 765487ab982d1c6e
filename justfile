# datumc recipes. `just --list` shows them all.
#
# DATUMC_PROFILE=staging just up   builds and runs the staging profile (build/staging/).
# DATUMC=...                       the datumc command (default: datumc on PATH).
# DATUMC_OUT=...                   the output directory, if datumc.toml changes out_dir.

set dotenv-load := false
set positional-arguments

datumc := env("DATUMC", "datumc")
profile := env("DATUMC_PROFILE", "")
out := if profile == "" { env("DATUMC_OUT", "build") } else { env("DATUMC_OUT", "build") / profile }
profile_flag := if profile == "" { "" } else { " --profile " + quote(profile) }
run := quote(out / "podman" / "run.sh")

alias s := up
alias start := up
alias stop := down

# Build every target from the datums into build/ (extra arguments go to `datumc build`)
config *args:
    {{ datumc }} build{{ profile_flag }} "$@"

# Create .env from the generated .env.example, or add only the keys it lacks (never overwrites a value)
init: config
    {{ datumc }} init-env --from {{ quote(out / "litellm" / ".env.example") }} --env .env

# Build, then start (or replace) the proxy in podman
up: config
    {{ run }} up

# Stop the proxy container
down:
    {{ run }} down

# Rebuild, then recreate the container so it runs the new config.yaml
restart: config
    {{ run }} restart

# Follow the proxy's logs
logs:
    {{ run }} logs

# The container's state and a liveliness probe
status:
    {{ run }} status

# Probe the running proxy: /health/liveliness and /health/readiness
test:
    {{ run }} health

# The model names the running proxy serves
models:
    {{ run }} models

# Remove the container and the generated files
clean:
    -{{ run }} rm
    rm -rf -- {{ quote(out) }}

# Lint the datums and datumc.toml (extra arguments go to `datumc lint`)
lint *args:
    {{ datumc }} lint "$@"

# What CI runs: lint, and fail if a generated file is stale
check: lint
    {{ datumc }} build --check{{ profile_flag }}

# Install the quadlet unit for systemd (~/.config/containers/systemd/), paths made absolute
unit: config
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(cd {{ quote(out / "podman") }} && pwd)
    dest="${XDG_CONFIG_HOME:-$HOME/.config}/containers/systemd"
    mkdir -p "$dest"
    for unit in "$dir"/*.container; do
        target="$dest/$(basename "$unit")"
        while IFS= read -r line; do
            case $line in
                EnvironmentFile=/* | Volume=/*) ;;
                EnvironmentFile=* | Volume=*) line="${line%%=*}=${dir//%/%%}/${line#*=}" ;;
            esac
            printf '%s\n' "$line"
        done < "$unit" > "$target"
        echo "installed $target; now: systemctl --user daemon-reload"
    done
