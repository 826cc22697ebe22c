#!/usr/bin/env bash
# Runs the conformance suite in Tests/sdk: the official Python SDK (azure-digitaltwins-core)
# against a `twins serve` started here over HTTPS on loopback, with a development certificate.
#
#   TWINS_SDK_DATABASE_URL=postgres://… scripts/sdk-tests.sh [TWINS_BINARY] [PYTEST ARGS…]
#
# TWINS_BINARY defaults to .build/debug/twins of this checkout; arguments after it (or all
# arguments, when the first starts with `-`) go to pytest, e.g. `-k relationships`.
# TWINS_SDK_DATABASE_URL names a database the gateway may use (created by the caller; the
# gateway migrates it). The virtual environment is kept in .build-sdk-venv/ (git-ignored) and
# reused; TWINS_SDK_VENV moves it. The server listens on a free loopback port and is stopped on
# exit, also on failure or Ctrl-C. Exits with pytest's status.
set -euo pipefail

binary=
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  binary=$1
  shift
  [ -x "$binary" ] && [ -f "$binary" ] || { echo "error: $binary is not an executable" >&2; exit 1; }
  binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
fi
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
if [ -z "$binary" ]; then
  binary=$PWD/.build/debug/twins
  [ -x "$binary" ] || { echo "error: $binary not found; build it with: swift build --product twins" >&2; exit 1; }
fi
database_url=${TWINS_SDK_DATABASE_URL:?set TWINS_SDK_DATABASE_URL to a database the gateway may use}

venv=${TWINS_SDK_VENV:-.build-sdk-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import azure.digitaltwins.core, azure.identity, prometheus_client, opentelemetry.proto, pytest' 2>/dev/null; then
  echo "sdk tests: preparing the Python environment in $venv"
  python3 -m venv "$venv"
  # azure-identity: its ClientSecretCredential (MSAL) against the gateway's development issuer;
  # prometheus_client: Prometheus' own text parser, for /metrics; opentelemetry-proto: OTLP's
  # own message types, to decode the spans the processes export.
  "$venv/bin/pip" install --quiet --disable-pip-version-check "azure-digitaltwins-core==1.3.0" \
    "azure-identity==1.19.0" "prometheus-client==0.21.1" "opentelemetry-proto==1.29.0" "pytest>=8"
fi

work=$(mktemp -d /tmp/twins-sdk.XXXXXX)
server_pid=
secured_pid=
stop_process() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop_process "$secured_pid"
  stop_process "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$binary" dev-cert --out "$work/certs" >/dev/null
# The endpoints the event-route tests name (routes are stored and checked; nothing is sent).
cat >"$work/endpoints.json" <<'JSON'
[{"name": "sdk-webhook", "type": "webhook", "url": "https://127.0.0.1:9/events"},
 {"name": "sdk-mqtt", "type": "mqtt", "host": "127.0.0.1", "port": 1883}]
JSON
# The folder whose files import jobs may read and write (file:// URIs).
mkdir -p "$work/imports"
port=$(free_port)
endpoint="https://127.0.0.1:$port"
"$binary" serve --host 127.0.0.1 --port "$port" \
  --tls-cert "$work/certs/cert.pem" --tls-key "$work/certs/key.pem" --endpoints "$work/endpoints.json" \
  --import-dir "$work/imports" --database-url "$database_url" >"$work/server.log" 2>&1 &
server_pid=$!

ready=
for _ in $(seq 1 300); do
  if curl -sf --cacert "$work/certs/cert.pem" "$endpoint/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "error: the gateway did not answer on $endpoint/healthz; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "sdk tests: gateway on $endpoint (log $work/server.log while it runs)"

# A second gateway on the same database with --auth jwt and the development issuer, for the
# Azure Identity tests (tokens from its issuer through MSAL, as from Azure AD).
secured_port=$(free_port)
secured="https://127.0.0.1:$secured_port"
"$binary" serve --host 127.0.0.1 --port "$secured_port" \
  --tls-cert "$work/certs/cert.pem" --tls-key "$work/certs/key.pem" --database-url "$database_url" \
  --dev-issuer --dev-client sdk-owner:sdk-owner-secret:owner --dev-client sdk-reader:sdk-reader-secret:reader \
  >"$work/secured.log" 2>&1 &
secured_pid=$!
for _ in $(seq 1 300); do
  curl -sf --cacert "$work/certs/cert.pem" "$secured/healthz" >/dev/null 2>&1 && break
  kill -0 "$secured_pid" 2>/dev/null || break
  sleep 0.1
done
curl -sf --cacert "$work/certs/cert.pem" "$secured/healthz" >/dev/null 2>&1 || {
  echo "error: the gateway with the development issuer did not answer; its log:" >&2
  cat "$work/secured.log" >&2
  exit 1
}

status=0
TWINS_SDK_ENDPOINT=$endpoint TWINS_SDK_CA="$work/certs/cert.pem" TWINS_SDK_IMPORT_DIR="$work/imports" \
  TWINS_SDK_SECURED_ENDPOINT=$secured TWINS_SDK_BINARY=$binary PYTHONDONTWRITEBYTECODE=1 \
  "$venv/bin/python" -m pytest -p no:cacheprovider Tests/sdk "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "sdk tests: failed (pytest status $status); last lines of the gateway log:" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
