#!/usr/bin/env bash
# Runs the service on this machine: installs what is missing, builds in release mode, starts
# (creating on first use) a private PostgreSQL cluster in .local-db/, and serves on
# http://127.0.0.1:8080. Ctrl-C stops the server, then the database.
#
# `scripts/run.sh emulate [options]` runs `twins emulate` instead (the gateway, the functions and
# the DPS and IoT Hub emulators together); other arguments go to `twins serve`.
#
# Environment: TWINS_PORT (default 8080), TWINS_DB_PORT (default 54329), and every other TWINS_*
# setting of `twins serve` (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh

bash scripts/install-dependencies.sh

echo "building (release)..."
swift build -c release --product twins

db_dir="$root/.local-db"
db_port=${TWINS_DB_PORT:-54329}
pg_init "$db_dir"
pg_start "$db_dir" "$db_port"
trap 'echo "stopping the database..."; pg_stop "$db_dir"' EXIT
pg_createdb "$db_dir" "$db_port" twins

export TWINS_DATABASE_URL=${TWINS_DATABASE_URL:-"postgres://postgres@127.0.0.1:$db_port/twins?sslmode=disable"}
command=serve
if [ "${1:-}" = emulate ]; then
  command=emulate
  shift
fi
# Not exec: the trap above must run after the server exits.
"$root/.build/release/twins" "$command" "$@"
