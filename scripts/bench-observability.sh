#!/usr/bin/env bash
# What observability costs the gateway, in one run on one database: GET and PATCH of
# /digitaltwins/{id} with wrk (as scripts/bench-api.sh) against `twins serve` started three times:
#   off      --no-metrics: no counting, no /metrics, no spans
#   metrics  the default: every request counted and timed, the gateway's figures kept
#   tracing  metrics and --otlp-endpoint at 100% sampling (OTEL_TRACES_SAMPLER=always_on), spans
#            exported to a loopback collector that answers 200 (scripts/bench/otlp-sink.py)
# and prints requests/s, p99 and the gateway's CPU time per request of each, with the ratio to
# `off`. CPU per request is the figure noise moves least.
#   BENCH_TWINS (default 10,000), BENCH_CONNECTIONS (32), BENCH_DURATION (10 s), BENCH_THREADS (2)
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-10000}
threads=${BENCH_THREADS:-2}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"
command -v wrk >/dev/null || { echo "error: wrk is required (apt-get install wrk)" >&2; exit 1; }

echo "building (release)..."
swift build -c release --product twins

sink_pid=""
bench_stop_extra() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true; }
bench_start_gateway twins-bench-obs --no-metrics
curl -fs -o /dev/null -X POST "$base/models?$api" -H 'Content-Type: application/json' \
  --data-binary @"$bench/thermostat.json"
bench_load_thermostats "$model" "$twins"

clock_ticks=$(getconf CLK_TCK)
server_cpu() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }


# run_wrk NAME SCRIPT: leaves "rps p99 cpu_us_per_request errors" in $work/NAME.wrk.
run_wrk() {
  local name=$1 script=$2 cpu_before cpu_after
  echo "== $name: wrk -t$threads -c$connections -d${duration}s -s scripts/bench/$script (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  cpu_before=$(server_cpu)
  BENCH_TWINS=$twins timeout $((duration + 60)) wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
    --latency -s "$bench/$script" "$base" >"$work/$name.out"
  cpu_after=$(server_cpu)
  awk -v cpu=$((cpu_after - cpu_before)) -v hz="$clock_ticks" \
    '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                 print v["rps"], v["p99_ms"], (v["requests"] > 0 ? cpu / hz * 1e6 / v["requests"] : 0),
                   v["non2xx"] + v["socket_errors"] }' "$work/$name.out" >"$work/$name.wrk"
}

for mode in off metrics tracing; do
  case $mode in
    off) ;;
    metrics) bench_restart_gateway "" ;;
    tracing)
      python3 "$bench/otlp-sink.py" "$work/sink.counts" >"$work/sink.port" &
      sink_pid=$!
      for _ in $(seq 1 50); do [ -s "$work/sink.port" ] && break; sleep 0.1; done
      # Short batches and a deep queue, so that every span is exported rather than dropped.
      bench_restart_gateway "OTEL_TRACES_SAMPLER=always_on OTEL_BSP_SCHEDULE_DELAY=500 OTEL_BSP_MAX_QUEUE_SIZE=262144
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE=8192 --otlp-endpoint http://127.0.0.1:$(cat "$work/sink.port")"
      ;;
  esac
  run_wrk "$mode-GET" get.lua
  run_wrk "$mode-PATCH" patch.lua
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=""

echo
echo "== results: $connections connections, ${duration}s each, $twins twins, loopback, $(nproc) cores"
printf '%-8s %-6s %10s %8s %11s %7s %12s %12s\n' mode route requests/s p99_ms cpu_us/req errors 'rps vs off' 'cpu vs off'
for route in GET PATCH; do
  read -r base_rps _ base_cpu _ <"$work/off-$route.wrk"
  for mode in off metrics tracing; do
    read -r rps p99 cpu errors <"$work/$mode-$route.wrk"
    printf '%-8s %-6s %10.0f %8.2f %11.0f %7d %11.1f%% %11.1f%%\n' "$mode" "$route" "$rps" "$p99" "$cpu" "$errors" \
      "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print 100 * a / b }')" \
      "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN { print 100 * a / b }')"
  done
done
read -r exports bytes <"$work/sink.counts"
echo "spans exported while tracing: $exports OTLP requests, $((bytes / 1024)) KiB"
