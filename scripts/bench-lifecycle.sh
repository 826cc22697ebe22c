#!/usr/bin/env bash
# Benchmarks the device lifecycle on one machine, in one run:
#  1. builds `twins` in release mode, starts a private PostgreSQL and `twins emulate` (gateway,
#     functions, DPS and IoT Hub emulators) on free loopback ports;
#  2. registers BENCH_DEVICES simulated devices (default 1,000) through DPS with `twins device`
#     (no telemetry) and checks that every twin exists: devices/s of registration;
#  3. paced retirement: deletes the first half from the hub registry at BENCH_DELETE_RATE
#     deletions/s (default 83, the identity-registry limit of one S3 IoT Hub unit; S1 and S2
#     units allow 1.67/s) and waits until their twins are gone: the time from each device's
#     deletion in the hub (its lifecycle event's enqueued time) to its twin's deletion (the
#     gateway's Twin.Delete event), p50, p99 and max. Goal: p99 under 1 s;
#  4. burst retirement: deletes the other half BENCH_PARALLEL at a time (default 16) as fast as
#     the hub answers and waits until every twin is gone: devices/s of retirement, and the same
#     latencies, which here include the time a deletion waits in the queue.
# Deletions are sent by one curl process per batch (a process per request would take more
# CPU than the hub deletion itself). Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh

devices=${BENCH_DEVICES:-1000}
parallel=${BENCH_PARALLEL:-16}
rate=${BENCH_DELETE_RATE:-83}
[ "$devices" -ge 2 ] || { echo "error: BENCH_DEVICES must be at least 2" >&2; exit 2; }
awk -v r="$rate" 'BEGIN { exit !(r + 0 > 0) }' || { echo "error: BENCH_DELETE_RATE must be a positive number (deletions/s)" >&2; exit 2; }
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

# The gateway's event delivery empties `outbox` as it routes, so each Twin.Delete notification's
# commit time is copied aside as it is written (a trigger on this private database only).
psql_twins <<'SQL'
CREATE TABLE bench_twin_deletes (id text, at timestamptz);
CREATE FUNCTION bench_record_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.event->>'type' = 'Microsoft.DigitalTwins.Twin.Delete' THEN
    INSERT INTO bench_twin_deletes VALUES (NEW.event->>'subject', NEW.created_at);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bench_record_delete AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION bench_record_delete();
SQL

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

hub="http://127.0.0.1:$hub_port/hubs/localhub.azure-devices.net"
# delete_devices FIRST LAST: deletes devices bench-FIRST..bench-LAST from the hub registry with
# one curl process, BENCH_PARALLEL requests in flight.
delete_devices() {
  {
    printf 'request = "DELETE"\nheader = "Authorization: Bearer twins-local-service-key"\nheader = "If-Match: *"\nfail\n'
    for i in $(seq "$1" "$2"); do printf 'url = "%s/devices/bench-%s?api-version=2021-04-12"\noutput = "/dev/null"\n' "$hub" "$i"; done
  } | curl -s --no-progress-meter -Z --parallel-max "$parallel" -K -
}
# wait_retired FIRST LAST: waits (at most 120 s) until none of those devices' twins is left.
wait_retired() {
  local left
  for _ in $(seq 1 1200); do
    left=$(psql_twins -c "SELECT count(*) FROM twins WHERE id LIKE 'bench-%' AND substr(id, 7)::int BETWEEN $1 AND $2")
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  echo "error: $left twins of devices $1..$2 left after 120 s" >&2
  exit 1
}
# latency FIRST LAST: count|p50|p99|max in ms from each deletion in the hub (its lifecycle
# event) to its twin's Delete event in the gateway.
latency() {
  psql_twins <<SQL
WITH deleted AS (
  SELECT device_id, min(enqueued_at) AS at FROM hub_outbox
  WHERE properties->>'opType' = 'deleteDeviceIdentity' AND substr(device_id, 7)::int BETWEEN $1 AND $2 GROUP BY device_id),
gone AS (SELECT id, min(at) AS at FROM bench_twin_deletes GROUP BY 1),
lag AS (SELECT extract(epoch FROM g.at - d.at) * 1000 AS ms FROM deleted d JOIN gone g ON g.id = d.device_id)
SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1) FROM lag;
SQL
}

half=$((devices / 2))
echo
echo "== paced retirement: deleting devices 1..$half from the hub at $rate/s"
# Ten ticks a second; each sends its share of the deletions at once and sleeps out the tick.
start=$(date +%s.%N)
sent=0
while [ "$sent" -lt "$half" ]; do
  tick=$(date +%s%N)
  due=$(awk -v r="$rate" -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", r * (b - a) + 1 }')
  [ "$due" -gt "$half" ] && due=$half
  if [ "$due" -gt "$sent" ]; then delete_devices $((sent + 1)) "$due"; sent=$due; fi
  rest=$(( (100000000 - ($(date +%s%N) - tick)) / 1000000 ))
  [ "$rest" -gt 0 ] && sleep "0.$(printf '%03d' "$rest")"
done
paced_seconds=$(elapsed "$start")
wait_retired 1 "$half"
paced=$(latency 1 "$half")
IFS='|' read -r paced_n paced_p50 paced_p99 paced_max <<<"$paced"
[ "$paced_n" = "$half" ] || { echo "error: latencies measured for ${paced_n:-no} devices of $half" >&2; exit 1; }
echo "deleted $half in ${paced_seconds}s; their twins are gone"

echo
echo "== burst retirement: deleting devices $((half + 1))..$devices from the hub, $parallel at a time"
start=$(date +%s.%N)
delete_devices $((half + 1)) "$devices"
delete_seconds=$(elapsed "$start")
wait_retired $((half + 1)) "$devices"
retire_seconds=$(elapsed "$start")
[ "$(count_twins)" = 0 ] || { echo "error: twins left after retiring every device" >&2; exit 1; }
burst=$(latency $((half + 1)) "$devices")
IFS='|' read -r burst_n burst_p50 burst_p99 burst_max <<<"$burst"
[ "$burst_n" = "$((devices - half))" ] || { echo "error: latencies measured for ${burst_n:-no} devices of $((devices - half))" >&2; exit 1; }
echo "hub deletions took ${delete_seconds}s; every twin gone after ${retire_seconds}s"

echo
echo "== results: $devices devices, $(nproc) cores, loopback, release build"
awk -v n="$devices" -v r="$register_seconds" 'BEGIN { printf "registration: %.1f devices/s (%.2f s)\n", n / r, r }'
echo "paced retirement at $rate deletions/s ($paced_n devices), deletion in the hub -> twin gone: p50 ${paced_p50} ms, p99 ${paced_p99} ms, max ${paced_max} ms"
if awk -v p="$paced_p99" 'BEGIN { exit !(p < 1000) }'; then echo "met     p99 under 1 s at $rate deletions/s"; else echo "NOT MET p99 under 1 s at $rate deletions/s"; fi
awk -v n="$((devices - half))" -v d="$retire_seconds" -v h="$delete_seconds" 'BEGIN {
  printf "burst retirement: %.1f devices/s (%d devices, %.2f s from the first hub deletion to the last twin gone; the hub took %.2f s to delete them)\n", n / d, n, d, h }'
echo "burst, deletion in the hub -> twin gone (queueing included): p50 ${burst_p50} ms, p99 ${burst_p99} ms, max ${burst_max} ms"
