#!/usr/bin/env bash
# Two gateway settings compared in one run, interleaved so that the machine's drift hits both:
# starts a private PostgreSQL with BENCH_TWINS twins (default 10,000), then BENCH_ROUNDS times
# (default 3) restarts `twins serve` with the options A, then B, and runs wrk on BENCH_ROUTES
# (default "get patch": the Lua scripts of scripts/bench/) for BENCH_DURATION seconds (10) with
# BENCH_CONNECTIONS connections (32). Prints each run, then per route the medians of requests/s,
# p99 and the gateway's CPU time per request for A and B, and B's ratio to A.
#
#   scripts/bench-ab.sh "--read-slots 0" ""
#   scripts/bench-ab.sh "TWINS_EXECUTOR=default" ""     (NAME=VALUE words set the environment)
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

options_a=${1?usage: scripts/bench-ab.sh "OPTIONS A" "OPTIONS B"}
options_b=${2?usage: scripts/bench-ab.sh "OPTIONS A" "OPTIONS B"}
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-10000}
rounds=${BENCH_ROUNDS:-3}
routes=${BENCH_ROUTES:-get patch}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"
command -v wrk >/dev/null || { echo "error: wrk is required (apt-get install wrk)" >&2; exit 1; }

swift build -c release --product twins
bench_start_gateway twins-bench-ab
curl -fs -o /dev/null -X POST "$base/models?$api" -H 'Content-Type: application/json' \
  --data-binary @"$bench/thermostat.json"
bench_load_thermostats "$model" "$twins"
clock_ticks=$(getconf CLK_TCK)


: >"$work/runs"
for round in $(seq 1 "$rounds"); do
  for side in A B; do
    if [ "$side" = A ]; then bench_restart_gateway "$options_a"; else bench_restart_gateway "$options_b"; fi
    for route in $routes; do
      BENCH_TWINS=$twins wrk -t2 -c"$connections" -d2s -s "$bench/$route.lua" "$base" >/dev/null
      before=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
      BENCH_TWINS=$twins wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s --latency -s "$bench/$route.lua" \
        "$base" >"$work/out"
      after=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
      awk -v side="$side" -v route="$route" -v round="$round" -v cpu=$((after - before)) -v hz="$clock_ticks" \
        '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          printf "%s %s %d %.1f %.3f %.1f\n", side, route, round, v["rps"], v["p99_ms"],
            (v["requests"] > 0 ? cpu / hz * 1e6 / v["requests"] : 0) }' "$work/out" | tee -a "$work/runs"
    done
  done
done

echo
echo "== medians of $rounds rounds: A = [$options_a], B = [$options_b]; $connections connections, ${duration}s, $twins twins, $(nproc) cores"
printf '%-6s %12s %12s %9s %9s %11s %11s %9s %9s\n' route 'A req/s' 'B req/s' 'B/A' 'A p99' 'B p99' 'A cpu_us' 'B cpu_us' 'B/A cpu'
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
for route in $routes; do
  for side in A B; do
    for column in 4 5 6; do
      awk -v s="$side" -v r="$route" -v c="$column" '$1 == s && $2 == r { print $c }' "$work/runs" | median \
        >"$work/$side.$column"
    done
  done
  printf '%-6s %12.0f %12.0f %8.1f%% %9.2f %11.2f %11.1f %9.1f %8.1f%%\n' "$route" "$(cat "$work/A.4")" "$(cat "$work/B.4")" \
    "$(awk -v a="$(cat "$work/A.4")" -v b="$(cat "$work/B.4")" 'BEGIN { print 100 * b / a }')" \
    "$(cat "$work/A.5")" "$(cat "$work/B.5")" "$(cat "$work/A.6")" "$(cat "$work/B.6")" \
    "$(awk -v a="$(cat "$work/A.6")" -v b="$(cat "$work/B.6")" 'BEGIN { print 100 * b / a }')"
done
