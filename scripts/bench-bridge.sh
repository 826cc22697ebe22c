#!/usr/bin/env bash
# Benchmarks bridge mode (docs/bridge.md), one direction, in one run:
#  1. builds `twins` in release mode; starts a private PostgreSQL with two databases, a "target"
#     gateway and a "source" gateway whose `digitaltwins` endpoint applies its changes to the
#     target; loads the same BENCH_TWINS thermostats (default 10,000) into both with SQL;
#  2. both gateways also route their twin updates to a loopback webhook
#     (scripts/bench/bridge-receiver.py), which matches each change on the two sides;
#  3. sustained PATCH load on the source (wrk, BENCH_CONNECTIONS connections, default 4, each
#     pausing BENCH_DELAY_MS, default 10 ms, between requests; BENCH_DURATION seconds, default 60);
#     then waits for the bridge's backlog to drain;
#  4. prints the write rate, the applied rate during the load as a share of it (goal: the target
#     keeps up, 100 %), replication lag p50/p99/max (source commit → target commit; goal p99 < 1 s),
#     the largest backlog, the drain time, and CPU per change by process.
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-60}
connections=${BENCH_CONNECTIONS:-4}
delay_ms=${BENCH_DELAY_MS:-10}
twins=${BENCH_TWINS:-10000}
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
target_pid=""
sampler_pid=""
bench_stop_extra() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  [ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null || true
}
receiver_port=$(free_port)
python3 "$bench/bridge-receiver.py" "$receiver_port" &
receiver_pid=$!
receiver="http://127.0.0.1:$receiver_port"
target_port=$(free_port)
target="http://127.0.0.1:$target_port"
endpoints=$(mktemp /tmp/twins-bench-endpoints.XXXXXX.json)
cat >"$endpoints" <<JSON
[{"name": "bridge", "type": "digitaltwins", "url": "$target", "maxBatchSize": 100},
 {"name": "watch", "type": "webhook", "url": "$receiver/source", "maxBatchSize": 100}]
JSON
bench_start_gateway twins-bench-bridge --endpoints "$endpoints" --event-max-retry-delay 2
mv "$endpoints" "$work/endpoints.json"
source_base=$base

# The target: a second database on the same cluster, its own gateway.
pg_createdb "$work/db" "$db_port" target
cat >"$work/target-endpoints.json" <<JSON
[{"name": "watch", "type": "webhook", "url": "$receiver/target", "maxBatchSize": 100}]
JSON
"$root/.build/release/twins" serve --host 127.0.0.1 --port "$target_port" --log-level warning \
  --database-url "postgres://postgres@127.0.0.1:$db_port/target?sslmode=disable" \
  --endpoints "$work/target-endpoints.json" >"$work/target.log" 2>&1 &
target_pid=$!
for _ in $(seq 1 100); do curl -fs "$target/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$target/readyz" >/dev/null || { echo "error: the target did not become ready" >&2; cat "$work/target.log" >&2; exit 1; }
echo "target: $target (pid $target_pid)"

for side in "$source_base" "$target"; do
  status=$(curl -s -o "$work/model.out" -w '%{http_code}' -X POST "$side/models?$api" \
    -H 'Content-Type: application/json' --data-binary @"$bench/thermostat.json")
  [ "$status" = 201 ] || { echo "error: model upload answered $status: $(cat "$work/model.out")" >&2; exit 1; }
done
bench_load_thermostats "$model" "$twins"
# The same twins on the target, copied row by row (client-side COPY).
psql_twins -c "\\copy (SELECT id, model_id, etag, body FROM twins) TO '$work/twins.copy'"
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$db_port" -U postgres -d target \
  -c "\\copy twins (id, model_id, etag, body) FROM '$work/twins.copy'" -c "VACUUM ANALYZE twins"

updates="type = 'Microsoft.DigitalTwins.Twin.Update'"
curl -fs -X PUT "$source_base/eventroutes/bridge?$api" -H 'Content-Type: application/json' \
  -d '{"endpointName": "bridge", "filter": "true"}'
curl -fs -X PUT "$source_base/eventroutes/watch?$api" -H 'Content-Type: application/json' \
  -d "{\"endpointName\": \"watch\", \"filter\": \"$updates\"}"
curl -fs -X PUT "$target/eventroutes/watch?$api" -H 'Content-Type: application/json' \
  -d "{\"endpointName\": \"watch\", \"filter\": \"$updates\"}"

pending() { psql_twins -At -c "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM event_deliveries WHERE endpoint = 'bridge')"; }
clock_ticks=$(getconf CLK_TCK)
cpu_of() { local total=0 t; for pid in "$@"; do t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0); total=$((total + t)); done; echo "$total"; }
cpu_sample() { echo "$(cpu_of "$server_pid") $(cpu_of "$target_pid") $(cpu_of $(pgrep -u postgres postgres))"; }

( while true; do echo "$(date +%s) $(pending)" >>"$work/backlog"; sleep 1; done ) &
sampler_pid=$!
cpu_before=$(cpu_sample)
window_start=$(date +%s.%N)
echo
echo "== PATCH on the source: wrk -t2 -c$connections -d${duration}s, ${delay_ms} ms between a connection's requests (load average $(cut -d' ' -f1-3 /proc/loadavg))"
BENCH_TWINS=$twins BENCH_DELAY_MS=$delay_ms timeout $((duration + 60)) wrk -t2 -c"$connections" -d"${duration}s" \
  --timeout 5s --latency -s "$bench/patch-paced.lua" "$source_base" | tee "$work/wrk.out"
window_end=$(date +%s.%N)
drain_start=$(date +%s.%N)
for _ in $(seq 1 3000); do
  [ "$(pending)" = 0 ] && break
  sleep 0.1
done
drain=$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
sleep 2  # the last notifications of both sides reach the receiver
cpu_after=$(cpu_sample)
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""

curl -fs "$receiver/stats" -H "X-Window-Start: $window_start" -H "X-Window-End: $window_end" >"$work/stats.json"
curl -fs "$source_base/endpoints?$api" >"$work/endpoints-status.json"
read -r requests rps non2xx < <(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  print v["requests"], v["rps"], v["non2xx"] }' "$work/wrk.out")
writes=$((requests - non2xx))
applied=$(jq .applied "$work/stats.json")
in_window=$(jq .inWindow "$work/stats.json")
max_backlog=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$work/backlog")

echo
echo "== results: ${duration}s of writes on the source, $twins twins, loopback, $(nproc) cores"
awk -v w="$writes" -v s="$duration" -v i="$in_window" -v a="$applied" 'BEGIN {
  printf "source writes: %d (%.0f/s); applied on the target during the load: %.0f/s = %.1f%% of the write rate (goal 100%%); in all: %d\n",
    w, w / s, i / s, 100 * i / w, a }'
printf 'replication lag (source commit -> target commit): p50 %s ms, p99 %s ms (goal < 1000), max %s ms\n' \
  "$(jq .p50_ms "$work/stats.json")" "$(jq .p99_ms "$work/stats.json")" "$(jq .max_ms "$work/stats.json")"
echo "largest backlog sampled each second: $max_backlog; drained ${drain}s after the load; unmatched on the target: $(jq .unmatched "$work/stats.json"), not seen there: $(jq .waiting "$work/stats.json")"
echo "bridge endpoint: $(jq -c '.value[] | select(.name == "bridge") | {backlog, delivered, failedAttempts, deadLetters, bridge}' "$work/endpoints-status.json")"
echo "$cpu_before $cpu_after" | awk -v n="$writes" -v hz="$clock_ticks" '{
  printf "CPU per change: source gateway %.0f us, target gateway %.0f us, PostgreSQL (both databases) %.0f us\n",
    ($4 - $1) / hz * 1e6 / n, ($5 - $2) / hz * 1e6 / n, ($6 - $3) / hz * 1e6 / n }'
echo "warnings: source $(grep -c -E ' (warning|error) ' "$work/server.log" || true), target $(grep -c -E ' (warning|error) ' "$work/target.log" || true)"
grep -h -E ' (warning|error) ' "$work/server.log" "$work/target.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
