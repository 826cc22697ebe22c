#!/usr/bin/env bash
# Benchmarks the device lifecycle on one machine, in one run:
#  1. builds `twins` in release mode, starts a private PostgreSQL and `twins emulate` (gateway,
#     functions, DPS and IoT Hub emulators) on free loopback ports;
#  2. registers BENCH_DEVICES simulated devices (default 1,000) through DPS with `twins device`
#     (no telemetry) and checks that every twin exists: devices/s of registration;
#  3. deletes them from the hub registry, BENCH_PARALLEL at a time (default 16), and waits until
#     every twin is gone: devices/s of retirement, and from the database the time from each
#     device's deletion in the hub (its lifecycle event's enqueued time) to its twin's deletion
#     (the gateway's Twin.Delete event): p50, p99 and max. Goal: p99 under 1 s.
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh

devices=${BENCH_DEVICES:-1000}
parallel=${BENCH_PARALLEL:-16}
model="dtmi:contosocom:DigitalTwins:Thermostat;1"
api="api-version=2023-10-31"

echo "building (release)..."
swift build -c release --product twins
twins="$root/.build/release/twins"

work=$(mktemp -d /tmp/twins-bench-lifecycle.XXXXXX)
chmod 755 "$work"
emulate_pid=""
cleanup() {
  if [ -n "$emulate_pid" ]; then
    kill "$emulate_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$emulate_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$emulate_pid" 2>/dev/null || true
  fi
  pg_stop "$work/db"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db_port=$(free_port)
pg_init "$work/db"
pg_start "$work/db" "$db_port"
pg_createdb "$work/db" "$db_port" twins
database_url="postgres://postgres@127.0.0.1:$db_port/twins?sslmode=disable"
psql_twins() { psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$db_port" -U postgres -d twins "$@"; }

gateway_port=$(free_port); functions_port=$(free_port); dps_port=$(free_port); hub_port=$(free_port)
"$twins" emulate --port "$gateway_port" --functions-port "$functions_port" --dps-port "$dps_port" --hub-port "$hub_port" \
  --database-url "$database_url" --log-level warning >"$work/emulate.log" 2>&1 &
emulate_pid=$!
gateway="http://127.0.0.1:$gateway_port"
for _ in $(seq 1 100); do
  curl -fs "$gateway/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$functions_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$emulate_pid" 2>/dev/null || { cat "$work/emulate.log" >&2; exit 1; }
  sleep 0.2
done
sleep 1
echo "emulate: gateway $gateway, functions :$functions_port, DPS :$dps_port, hub :$hub_port"

export TWINS_ENDPOINT=$gateway
printf '%s' '{"@context":"dtmi:dtdl:context;3","@id":"'"$model"'","@type":"Interface","contents":[{"@type":"Property","name":"Temperature","schema":"double"}]}' \
  >"$work/thermostat.json"
"$twins" model upload "$work/thermostat.json" >/dev/null
key=$(printf 'twins-development-group-key-0001' | base64)
count_twins() {
  curl -fs -X POST "$gateway/query?$api" -H 'Content-Type: application/json' \
    -d "{\"query\":\"SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('$model')\"}" | jq '.value[0].COUNT'
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

echo
echo "== registering $devices devices through DPS"
start=$(date +%s.%N)
"$twins" device --dps-endpoint "http://127.0.0.1:$dps_port" --hub-endpoint "http://127.0.0.1:$hub_port" \
  --id-scope 0ne00000001 --group-key "$key" --model "$model" --count "$devices" --prefix bench- --messages 0 >"$work/devices.out"
register_seconds=$(elapsed "$start")
twins_now=$(count_twins)
[ "$twins_now" = "$devices" ] || { echo "error: $twins_now twins after registering $devices devices" >&2; exit 1; }
echo "registered $devices in ${register_seconds}s; $twins_now twins"

echo
echo "== deleting them from the hub, $parallel at a time"
start=$(date +%s.%N)
seq 1 "$devices" | xargs -P "$parallel" -I{} curl -fs -o /dev/null -X DELETE \
  -H 'Authorization: Bearer twins-local-service-key' -H 'If-Match: *' \
  "http://127.0.0.1:$hub_port/hubs/localhub.azure-devices.net/devices/bench-{}?api-version=2021-04-12"
delete_seconds=$(elapsed "$start")
for _ in $(seq 1 600); do
  [ "$(count_twins)" = 0 ] && break
  sleep 0.1
done
retire_seconds=$(elapsed "$start")
left=$(count_twins)
[ "$left" = 0 ] || { echo "error: $left twins left after 60 s" >&2; exit 1; }
echo "hub deletions took ${delete_seconds}s; every twin gone after ${retire_seconds}s"

# From each deletion in the hub (its lifecycle event) to the twin's Delete event in the gateway.
latency=$(psql_twins <<'SQL'
WITH deleted AS (
  SELECT device_id, min(enqueued_at) AS at FROM hub_outbox
  WHERE properties->>'opType' = 'deleteDeviceIdentity' GROUP BY device_id),
gone AS (
  SELECT event->>'subject' AS id, min(created_at) AS at FROM outbox
  WHERE event->>'type' = 'Microsoft.DigitalTwins.Twin.Delete' GROUP BY 1),
lag AS (SELECT extract(epoch FROM g.at - d.at) * 1000 AS ms FROM deleted d JOIN gone g ON g.id = d.device_id)
SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1) FROM lag;
SQL
)
IFS='|' read -r measured p50 p99 worst <<<"$latency"

echo
echo "== results: $devices devices, $(nproc) cores, loopback, release build"
awk -v n="$devices" -v r="$register_seconds" -v d="$retire_seconds" 'BEGIN {
  printf "registration: %.1f devices/s (%.2f s)\nretirement:   %.1f devices/s (%.2f s from the first hub deletion to the last twin gone)\n", n / r, r, n / d, d }'
echo "deletion in the hub -> twin gone ($measured devices): p50 ${p50} ms, p99 ${p99} ms, max ${worst} ms"
if awk -v p="$p99" 'BEGIN { exit !(p < 1000) }'; then echo "met     p99 under 1 s"; else echo "NOT MET p99 under 1 s"; fi
