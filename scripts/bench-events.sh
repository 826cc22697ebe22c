#!/usr/bin/env bash
# Benchmarks event delivery under write load, in one run:
#  1. builds `twins` in release mode; starts a private PostgreSQL, a loopback webhook that answers
#     at once (scripts/bench/event-receiver.py) and `twins serve` with that webhook as an
#     endpoint (CloudEvents, batches of up to BENCH_BATCH events, default 100); loads BENCH_TWINS
#     twins (default 10,000) with SQL;
#  2. PATCH load at the gateway's maximum rate (wrk, BENCH_CONNECTIONS connections, default 32,
#     BENCH_DURATION seconds, default 60) with no route: the baseline;
#  3. the same with one route of every twin update to the webhook, sampling the outbox and the
#     delivery backlog every second; then waits for the backlog to drain;
#  4. prints the PATCH rate with the route over the rate without (goal ≥ 85 %), delivered/s
#     against writes/s, commit → delivered latency p50 and p99 (goals < 50 ms and < 250 ms, from
#     each event's `time` to its arrival), the largest backlog, the drain time, and the outbox
#     size before and after.
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-60}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-10000}
threads=${BENCH_THREADS:-2}
batch=${BENCH_BATCH:-100}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"

for tool in curl jq python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi

echo "building (release)..."
swift build -c release --product twins

receiver_pid=""
sampler_pid=""
bench_stop_extra() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
}
receiver_port=$(free_port)
python3 "$bench/event-receiver.py" "$receiver_port" &
receiver_pid=$!
receiver="http://127.0.0.1:$receiver_port"
endpoints=$(mktemp /tmp/twins-bench-endpoints.XXXXXX.json)
cat >"$endpoints" <<JSON
[{"name": "bench-hook", "type": "webhook", "url": "$receiver/events", "maxBatchSize": $batch}]
JSON
bench_start_gateway twins-bench-events --endpoints "$endpoints"
mv "$endpoints" "$work/endpoints.json"

status=$(curl -s -o "$work/model.out" -w '%{http_code}' -X POST "$base/models?$api" \
  -H 'Content-Type: application/json' --data-binary @"$bench/thermostat.json")
[ "$status" = 201 ] || { echo "error: model upload answered $status: $(cat "$work/model.out")" >&2; exit 1; }
bench_load_thermostats "$model" "$twins"

count() { psql_twins -At -c "SELECT count(*) FROM $1"; }

# CPU time (user + system, clock ticks) of the gateway, of every PostgreSQL process of the
# private cluster, and of the webhook: where a PATCH's cost goes, with and without the route.
clock_ticks=$(getconf CLK_TCK)
cpu_of() { local total=0 t; for pid in "$@"; do t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0); total=$((total + t)); done; echo "$total"; }
cpu_sample() { echo "$(cpu_of "$server_pid") $(cpu_of $(pgrep -u postgres postgres)) $(cpu_of "$receiver_pid")"; }

# run_patch NAME: wrk PATCH load; leaves "requests rps non2xx" in $work/NAME.wrk and the CPU
# ticks spent by the gateway, PostgreSQL and the webhook in $work/NAME.cpu.
run_patch() {
  local name=$1 before after
  before=$(cpu_sample)
  echo
  echo "== PATCH $name: wrk -t$threads -c$connections -d${duration}s -s scripts/bench/patch.lua (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  BENCH_TWINS=$twins timeout $((duration + 60)) wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
    --latency -s "$bench/patch.lua" "$base" | tee "$work/$name.out"
  awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                   print v["requests"], v["rps"], v["non2xx"] }' "$work/$name.out" >"$work/$name.wrk"
  after=$(cpu_sample)
  echo "$before $after" | awk '{ print $4 - $1, $5 - $2, $6 - $3 }' >"$work/$name.cpu"
}

run_patch without-route
outbox_before=$(count outbox)

curl -fs -X PUT "$base/eventroutes/bench?$api" -H 'Content-Type: application/json' \
  -d "{\"endpointName\": \"bench-hook\", \"filter\": \"type = 'Microsoft.DigitalTwins.Twin.Update'\"}"
# Every second: the outbox (not yet routed) and the deliveries (routed, not yet delivered).
( while true; do
    echo "$(date +%s) $(count outbox) $(count event_deliveries)" >>"$work/backlog"
    sleep 1
  done ) &
sampler_pid=$!
window_start=$(date +%s.%N)
run_patch with-route
window_end=$(date +%s.%N)

drain_start=$(date +%s.%N)
for _ in $(seq 1 1200); do
  [ "$(count outbox)" = 0 ] && [ "$(count event_deliveries)" = 0 ] && break
  sleep 0.1
done
drain=$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""
outbox_after=$(count outbox)
backlog_after=$(count event_deliveries)
curl -fs "$receiver/stats" -H "X-Window-Start: $window_start" -H "X-Window-End: $window_end" >"$work/stats.json"
curl -fs "$base/endpoints?$api" >"$work/endpoints-status.json"

read -r base_requests base_rps base_non2xx <"$work/without-route.wrk"
read -r route_requests route_rps route_non2xx <"$work/with-route.wrk"
max_backlog=$(awk '{ b = $2 + $3; if (b > m) m = b } END { print m + 0 }' "$work/backlog")
delivered=$(jq .events "$work/stats.json")
in_window=$(jq .inWindow "$work/stats.json")
p50=$(jq .p50_ms "$work/stats.json")
p99=$(jq .p99_ms "$work/stats.json")
writes=$((route_requests - route_non2xx))

echo
echo "== results: $connections connections, ${duration}s each, $twins twins, webhook batches of up to $batch, loopback, $(nproc) cores"
awk -v a="$base_rps" -v b="$route_rps" 'BEGIN {
  printf "PATCH without routes: %.0f/s; with one route: %.0f/s = %.1f%% (goal >= 85%%)\n", a, b, 100 * b / a }'
awk -v w="$writes" -v d="$delivered" -v iw="$in_window" -v s="$duration" -v r="$route_rps" 'BEGIN {
  printf "writes with the route: %d (%.0f/s); delivered: %d in all, %.0f/s during the load (goal >= the write rate)\n",
    w, w / s, d, iw / s }'
printf 'commit -> delivered: p50 %.0f ms (goal < 50), p99 %.0f ms (goal < 250); slowest per second of the load: %s\n' \
  "$p50" "$p99" "$(jq -c .slowest_ms_by_second "$work/stats.json")"
echo "largest backlog (outbox + deliveries) sampled each second: $max_backlog; drained ${drain}s after the load"
echo "outbox before: $outbox_before rows (without routes every notification is dropped once routed); after: $outbox_after; deliveries left: $backlog_after"
echo "endpoint status: $(jq -c '.value[0] | {backlog, delivered, failedAttempts, deadLetters}' "$work/endpoints-status.json")"
# CPU per PATCH, in microseconds, by layer (the with-route phase's PostgreSQL and webhook time
# includes the delivery of its events, which ends within the phase, as the drain time shows).
for name in without-route with-route; do
  read -r requests _ _ <"$work/$name.wrk"
  read -r gateway_ticks postgres_ticks receiver_ticks <"$work/$name.cpu"
  awk -v n="$requests" -v g="$gateway_ticks" -v p="$postgres_ticks" -v r="$receiver_ticks" -v hz="$clock_ticks" -v name="$name" 'BEGIN {
    printf "CPU per PATCH %-14s gateway %4.0f us, PostgreSQL %4.0f us, webhook %4.0f us\n", name ":", g / hz * 1e6 / n, p / hz * 1e6 / n, r / hz * 1e6 / n }'
done
echo "gateway warnings during the run: $(grep -c -E ' (warning|error) ' "$work/server.log" || true)"
grep -E ' (warning|error) ' "$work/server.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
[ "$delivered" -ge "$writes" ] || echo "warning: fewer events delivered ($delivered) than writes ($writes)"
