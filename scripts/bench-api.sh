#!/usr/bin/env bash
# Benchmarks the twin routes of the gateway against PostgreSQL itself, in one run:
#  1. builds `twins` in release mode;
#  2. starts a private PostgreSQL (temporary folder, removed at exit) and `twins serve` on a
#     fresh database, both on 127.0.0.1 and free ports; uploads a Thermostat model and loads
#     BENCH_TWINS twins (default 100,000) with SQL, in the JSON shape the gateway stores;
#  3. runs wrk (BENCH_CONNECTIONS connections, default 32; BENCH_DURATION seconds each, default
#     10) on GET /healthz (the HTTP stack alone: the floor under every route), then GET, PUT
#     (new twins) and PATCH (replace /temperature) of /digitaltwins/{id};
#  4. runs pgbench on the same database with the equivalent single SQL statement of each
#     (same clients and duration; prepared statements, or BENCH_PGBENCH_MODE=extended|simple);
#  5. prints, for each, the gateway's requests/s, p50 and p99, pgbench's tps, their ratio, and
#     the gateway's peak memory, against the goals;
#  6. runs GET twin through the project's libcurl client (`twins-bench client`, same connections
#     and duration) and prints its requests/s over wrk's and the threads the client used.
# Loopback only; it stops by itself. Lua and SQL scripts are in scripts/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-100000}
threads=${BENCH_THREADS:-2}
pgbench_mode=${BENCH_PGBENCH_MODE:-prepared}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi
pgbench=$(pg_bindir)/pgbench

echo "building (release)..."
swift build -c release --product twins
swift build -c release --product twins-bench

sampler_pid=""
bench_stop_extra() { [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true; }
# BENCH_SERVE_ARGS: more options for `twins serve` (e.g. "--read-slots 0").
# shellcheck disable=SC2086
bench_start_gateway twins-bench ${BENCH_SERVE_ARGS:-}

# Peak memory: VmHWM at the end, and VmRSS sampled every 0.5 s (bounded: at most one hour).
( for _ in $(seq 1 7200); do
    awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null >>"$work/rss" || exit 0
    sleep 0.5
  done ) &
sampler_pid=$!

# The model, one twin through the API (the shape to mimic), then the rest with SQL.
status=$(curl -s -o "$work/model.out" -w '%{http_code}' -X POST "$base/models?$api" \
  -H 'Content-Type: application/json' --data-binary @"$bench/thermostat.json")
[ "$status" = 201 ] || { echo "error: model upload answered $status: $(cat "$work/model.out")" >&2; exit 1; }
sample='{"$metadata":{"$model":"'"$model"'"},"temperature":21.37,"targetTemperature":21.5,"humidity":45.2,"name":"sample","mode":"heat"}'
curl -fs -X PUT "$base/digitaltwins/sample?$api" -H 'Content-Type: application/json' -d "$sample" >"$work/sample.json"
echo "twin as stored by PUT: $(cat "$work/sample.json")"

bench_load_thermostats "$model" "$twins"

# The loaded twins must have the keys of a twin written by the gateway, in the same order, and
# accept a patch.
curl -fs "$base/digitaltwins/bench-1?$api" >"$work/bench-1.json" \
  || { echo "error: GET of a loaded twin failed" >&2; exit 1; }
if [ "$(jq -c '[paths|map(tostring)|join("/")]' "$work/bench-1.json")" != "$(jq -c '[paths|map(tostring)|join("/")]' "$work/sample.json")" ]; then
  echo "error: a loaded twin differs in shape from one stored by PUT:" >&2; cat "$work/bench-1.json" >&2; exit 1
fi
status=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$base/digitaltwins/bench-1?$api" \
  -H 'Content-Type: application/json-patch+json' -d '[{"op":"replace","path":"/temperature","value":20.5}]')
[ "$status" = 204 ] || { echo "error: PATCH of a loaded twin answered $status" >&2; exit 1; }

# The gateway's CPU time (user + system) in clock ticks.
clock_ticks=$(getconf CLK_TCK)
server_cpu() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# run_wrk NAME SCRIPT: prints wrk's report; leaves "rps p50 p99 non2xx errors cpu_us_per_request"
# in $work/NAME.wrk.
run_wrk() {
  local name=$1 script=$2 cpu_before cpu_after
  echo
  echo "== gateway $name: wrk -t$threads -c$connections -d${duration}s --latency -s scripts/bench/$script (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  cpu_before=$(server_cpu)
  BENCH_TWINS=$twins timeout $((duration + 60)) wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
    --latency -s "$bench/$script" "$base" | tee "$work/$name.out"
  cpu_after=$(server_cpu)
  awk -v cpu=$((cpu_after - cpu_before)) -v hz="$clock_ticks" \
    '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                 print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["socket_errors"],
                   (v["requests"] > 0 ? cpu / hz * 1e6 / v["requests"] : 0) }' \
    "$work/$name.out" >"$work/$name.wrk"
  echo "$name $(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")" >>"$work/rss-phases"
}

# run_pgbench NAME SCRIPT: prints pgbench's report; leaves the tps in $work/NAME.pgb.
run_pgbench() {
  local name=$1 script=$2
  echo
  echo "== pgbench $name: pgbench -n -M $pgbench_mode -c$connections -j$threads -T$duration -f scripts/bench/$script (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  sed "s/random(1, 100000)/random(1, $twins)/" "$bench/$script" >"$work/$script"
  timeout $((duration + 60)) "$pgbench" -n -M "$pgbench_mode" -c "$connections" -j "$threads" -T "$duration" \
    -h 127.0.0.1 -p "$db_port" -U postgres -f "$work/$script" twins 2>&1 | tee "$work/$name.pgbout"
  awk '/^tps = / { print $3; exit }' "$work/$name.pgbout" >"$work/$name.pgb"
}

run_wrk healthz healthz.lua
run_wrk GET get.lua
run_pgbench GET get.sql
echo
echo "== client GET: twins-bench client $base $twins $connections $duration (load average $(cut -d' ' -f1-3 /proc/loadavg))"
"$root/.build/release/twins-bench" client "$base" "$twins" "$connections" "$duration" | tee "$work/client.out"
run_wrk PUT put.lua
run_pgbench PUT insert.sql
run_wrk PATCH patch.lua
run_pgbench PATCH update.sql

hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
rss_max=$(sort -n "$work/rss" | tail -n 1)
rss_max=${rss_max:-0}

echo
echo "== results: $connections connections, ${duration}s each, $twins twins, pgbench -M $pgbench_mode, loopback, $(nproc) cores"
printf '%-6s %10s %8s %8s %7s %12s %12s %7s\n' route gateway/s p50_ms p99_ms errors cpu_us/req pgbench_tps ratio
for name in healthz GET PUT PATCH; do
  read -r rps p50 p99 non2xx errors cpu <"$work/$name.wrk"
  tps=$(cat "$work/$name.pgb" 2>/dev/null || echo 0)
  ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "n/a" }')
  printf '%-6s %10.0f %8.2f %8.2f %7d %12.0f %12.0f %7s\n' "$name" "$rps" "$p50" "$p99" "$((non2xx + errors))" "$cpu" "$tps" "$ratio"
done
echo "(errors: non-2xx responses and socket errors; cpu_us/req: the gateway's CPU time per request)"
read -r get_rps _ <"$work/GET.wrk"
awk -v a="$get_rps" '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "client GET: %.0f/s (p50 %.2f ms, p99 %.2f ms) = %.1f%% of wrk, threads %d before and at most %d during the run\n",
    v["rps"], v["p50_ms"], v["p99_ms"], 100 * v["rps"] / a, v["threads_before"], v["threads_peak"] }' "$work/client.out"
awk -v h="$hwm" -v r="$rss_max" 'BEGIN { printf "gateway memory: peak RSS %.1f MB (VmHWM), max sampled VmRSS %.1f MB\n", h / 1024, r / 1024 }'
awk '{ printf "%s%s %.1f MB", (NR > 1 ? ", " : "gateway RSS after each wrk run: "), $1, $2 / 1024 } END { print "" }' \
  "$work/rss-phases"

echo
echo "== goals"
verdict() { if awk "BEGIN { exit !($2) }"; then echo "met     $1"; else echo "NOT MET $1"; fi; }
read -r get_rps _ get_p99 _ _ _ <"$work/GET.wrk"
read -r patch_rps _ _ _ _ _ <"$work/PATCH.wrk"
get_tps=$(cat "$work/GET.pgb")
patch_tps=$(cat "$work/PATCH.pgb")
verdict "GET >= 50% of pgbench point select ($get_rps vs $get_tps)" "$get_rps >= 0.5 * $get_tps"
verdict "GET >= 10000/s ($get_rps)" "$get_rps >= 10000"
verdict "PATCH >= 60% of pgbench single-row update ($patch_rps vs $patch_tps)" "$patch_rps >= 0.6 * $patch_tps"
verdict "GET p99 < 5 ms ($get_p99 ms)" "$get_p99 < 5"
verdict "gateway memory < 150 MB (peak $((hwm / 1024)) MB)" "$hwm < 150 * 1024"
client_rps=$(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") print kv[2] } }' "$work/client.out")
verdict "client GET >= 70% of wrk ($client_rps vs $get_rps)" "$client_rps >= 0.7 * $get_rps"
