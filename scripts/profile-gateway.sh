#!/usr/bin/env bash
# Where the gateway's CPU goes under load: starts a private PostgreSQL and a release `twins serve`
# (BENCH_TWINS twins, default 10,000), runs wrk on one route (get, patch or put: the Lua scripts of
# scripts/bench/) with BENCH_CONNECTIONS connections (32) for BENCH_DURATION seconds (10) while
# `perf record -g` samples the gateway, then prints the shares by library (DSO) and the hottest
# symbols. Extra arguments go to `twins serve` (e.g. --read-slots 0). Loopback only.
#
#   scripts/profile-gateway.sh get [SERVE ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

route=${1:-get}
shift || true
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-10000}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"
command -v perf >/dev/null || { echo "error: perf is required (apt-get install linux-perf)" >&2; exit 1; }

swift build -c release --product twins
bench_start_gateway twins-profile "$@"
curl -fs -o /dev/null -X POST "$base/models?$api" -H 'Content-Type: application/json' \
  --data-binary @"$bench/thermostat.json"
bench_load_thermostats "$model" "$twins"

# Warm up, then sample while wrk runs.
BENCH_TWINS=$twins wrk -t2 -c"$connections" -d3s -s "$bench/$route.lua" "$base" >/dev/null
BENCH_TWINS=$twins wrk -t2 -c"$connections" -d"${duration}s" -s "$bench/$route.lua" "$base" >"$work/wrk.out" &
wrk_pid=$!
sleep 1
perf record -q -g -F 999 -p "$server_pid" -o "$work/perf.data" -- sleep $((duration - 2)) 2>/dev/null
wait "$wrk_pid"
grep -E "^RESULT|Requests/sec" "$work/wrk.out"
echo "== share of the gateway's samples by library"
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -15 || true
echo "== hottest symbols"
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -30 || true
# Inclusive shares (the frame and what it calls) of the request's stages, by demangled name:
# what the event loops, the driver, the JSON work and the validation cost on this route. An async
# function's share stops at its suspension points (each resumption is its own job), so the
# stages inside tasks are lower bounds.
echo "== inclusive shares of the request's stages"
perf report -i "$work/perf.data" --children --sort symbol --stdio 2>/dev/null | grep -E "^ +[0-9]" \
  | awk '{ for (i = 1; i <= NF; i++) if ($i == "[.]" || $i == "[k]") { print $1, $(i + 1); break } }' \
  | swift demangle --simplified >"$work/children" || true
stage() {
  # The largest inclusive share of a symbol matching the pattern (its outermost frame).
  grep -E -- "$2" "$work/children" | head -1 | awk -v label="$1" '{ printf "  %-52s %7s\n", label, $1 }' || true
}
stage "NIO event loops (HTTP and PostgreSQL sockets)" '% SelectableEventLoop\.run\(\)$'
stage "Swift tasks (handlers, the store; swift_job_run)" '% swift_job_run$'
stage "PostgreSQL driver, reading (PostgresChannelHandler)" 'PostgresChannelHandler\.channelRead'
stage "PostgreSQL driver, writing (PostgresChannelHandler)" 'PostgresChannelHandler\.write'
stage "HTTP/1 parsing (HTTPDecoder)" 'HTTPDecoder.*decode'
stage "JSON parsing (JSONParser.parse)" 'JSONParser\.parse'
stage "JSON writing (JSONWriter.string)" 'JSONWriter\.string'
stage "change event text (ChangeEvent.text)" 'ChangeEvent\.text'
stage "validation (InstanceValidator.apply...)" 'InstanceValidator\.apply'
stage "coalescing (StatementCoalescer)" 'StatementCoalescer\.'
stage "Swift task switching (swift_task_switch)" '% swift_task_switch$'
