#!/usr/bin/env bash
# GET twin's database path with no HTTP, against pgbench, in one run: the floor the PostgreSQL
# driver sets, and what coalescing reads under load does to it.
#  1. builds `twins` and `twins-bench` in release mode;
#  2. starts a private PostgreSQL and loads BENCH_TWINS twins (default 10,000) with SQL;
#  3. runs pgbench's prepared point select of a random twin (BENCH_CONNECTIONS clients, default
#     32; BENCH_DURATION seconds, default 10), then `twins-bench store` with as many concurrent
#     reads in four modes: `driver` (the same prepared statement through PostgresNIO's
#     PostgresClient), `connection` (the statement on a PostgresConnection per task, no pool),
#     `store` (DigitalTwinStore.get, one statement per read through the pool), `coalesced`
#     (DigitalTwinStore.get with reads coalesced, BENCH_SLOTS statements in flight, default 8,
#     on connections of their own as in the gateway);
#  4. prints reads/s, p50, p99, the client process's CPU time per read, and the ratio to pgbench.
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
twins=${BENCH_TWINS:-10000}
slots=${BENCH_SLOTS:-8}
bench="$root/scripts/bench"
api="api-version=2023-10-31"
model="dtmi:com:example:Thermostat;1"

echo "building (release)..."
swift build -c release --product twins
swift build -c release --product twins-bench

bench_start_gateway twins-bench-store
curl -fs -o /dev/null -X POST "$base/models?$api" -H 'Content-Type: application/json' \
  --data-binary @"$bench/thermostat.json"
bench_load_thermostats "$model" "$twins"
# Only the database and the benchmark from here on.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

echo "== pgbench: -M prepared -c$connections -j2 -T$duration -f scripts/bench/get.sql"
sed "s/random(1, 100000)/random(1, $twins)/" "$bench/get.sql" >"$work/get.sql"
"$(pg_bindir)/pgbench" -n -M prepared -c "$connections" -j 2 -T "$duration" -h 127.0.0.1 -p "$db_port" \
  -U postgres -f "$work/get.sql" twins >"$work/pgbench.out" 2>&1
tps=$(awk '/^tps = / { print $3; exit }' "$work/pgbench.out")
echo "pgbench: $tps selects/s"

for mode in driver connection store coalesced; do
  echo "== twins-bench store ... $mode"
  "$root/.build/release/twins-bench" store "$database_url" "$twins" "$connections" "$duration" "$mode" "$slots" \
    | tee "$work/$mode.out"
done

echo
echo "== results: $connections concurrent reads, ${duration}s each, $twins twins, loopback, $(nproc) cores"
printf '%-10s %10s %8s %8s %12s %10s\n' way reads/s p50_ms p99_ms cpu_us/read 'vs pgbench'
printf '%-10s %10.0f %8s %8s %12s %10s\n' pgbench "$tps" - - - 100%
for mode in driver connection store coalesced; do
  awk -v tps="$tps" -v mode="$mode" '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-10s %10.0f %8.2f %8.2f %12.1f %9.1f%%\n", mode, v["rps"], v["p50_ms"], v["p99_ms"], v["cpu_us_per_read"],
      100 * v["rps"] / tps }' "$work/$mode.out"
done
echo "(coalesced: $slots statements in flight at most, up to 64 reads each)"
