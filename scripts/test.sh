#!/usr/bin/env bash
# Runs the test suite: installs what is missing, starts a throw-away PostgreSQL on a free port
# in a temporary folder (removed afterwards, also on failure or Ctrl-C), then `swift test`.
# Exits non-zero on any failure. Extra arguments go to `swift test` (e.g. --filter DTDLTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh

bash scripts/install-dependencies.sh

db_dir=$(mktemp -d /tmp/twins-test-db.XXXXXX)
chmod 755 "$db_dir"
cleanup() {
  pg_stop "$db_dir"
  rm -rf "$db_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db_port=$(free_port)
pg_init "$db_dir"
pg_start "$db_dir" "$db_port"
echo "test database: 127.0.0.1:$db_port (folder $db_dir)"

# Each database test creates and drops its own database through this server.
export TWINS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$db_port/postgres?sslmode=disable"
swift test "$@"
