#!/usr/bin/env bash
# Runs the test suite: installs what is missing, checks the layering and the format, starts a throw-away
# PostgreSQL on a free port in a temporary folder (removed afterwards, also on failure or
# Ctrl-C), then `swift test` (undeclared imports fail the build), then
# the official Python SDK's conformance suite (Tests/sdk, through scripts/sdk-tests.sh).
# Exits non-zero on any failure. Extra arguments go to `swift test` (e.g. --filter DTDLTests)
# and skip the SDK suite.
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
# Layering: the pure modules import no I/O module, and (through the build flag) no target imports
# a module that Package.swift does not declare as its dependency.
bash scripts/check-layers.sh
# One format: the toolchain's swift-format with .swift-format's settings.
swift format lint --strict --recursive Sources Tests Plugins Package.swift
build_flags=(--explicit-target-dependency-import-check error)
# The command-line tests run the built `twins` executable.
swift build "${build_flags[@]}" --product twins
if [ $# -gt 0 ]; then
  swift test "${build_flags[@]}" "$@"
else
  # The suites run in parallel; the large migration (80,000 writes through two gateways) and the
  # bridge's suites (two gateways and a functions host each, thousands of writes, one of them
  # with three processes and a 30 s outage) run afterwards, beside each other only, so that
  # their load does not stretch the timing bounds of the others.
  swift test "${build_flags[@]}" --skip 'MigrateCopyTests|TwinBridgeTests'
  swift test "${build_flags[@]}" --filter 'MigrateCopyTests|TwinBridgeTests'
fi

# The official Python SDK against the gateway over HTTPS (skipped when the run was filtered, or
# with TWINS_SKIP_SDK_TESTS=1 on a machine without access to PyPI).
if [ $# -eq 0 ] && [ "${TWINS_SKIP_SDK_TESTS:-0}" != 1 ]; then
  pg_createdb "$db_dir" "$db_port" twins_sdk
  TWINS_SDK_DATABASE_URL="postgres://postgres@127.0.0.1:$db_port/twins_sdk?sslmode=disable" bash scripts/sdk-tests.sh
fi
