#!/usr/bin/env bash
# Benchmarks bulk import and migration, in one run:
#  1. builds `twins` in release mode; starts a private PostgreSQL and `twins serve` with an
#     import folder; writes an NDJSON import file of BENCH_TWINS twins (default 100,000) and three
#     relationships per twin;
#  2. an import job of that file: items/s (goal ≥ 20,000), and PostgreSQL's own COPY of the same
#     rows into tables of the same shape and indexes, timed in the same run (goal: the job at least
#     50 % of COPY's rate); then a delete job of the whole graph;
#  3. `twins migrate copy` of BENCH_COPY_TWINS twins (default 10,000, three relationships each)
#     from that gateway to a second one on another database: items/s, and its share of the
#     target's own write rate (wrk PUT of new twins, BENCH_CONNECTIONS connections, default 32,
#     BENCH_DURATION seconds, default 10).
# Loopback only; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

twins=${BENCH_TWINS:-100000}
copy_twins=${BENCH_COPY_TWINS:-10000}
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
api="api-version=2023-10-31"

for tool in curl jq python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi

echo "building (release)..."
swift build -c release --product twins

imports=$(mktemp -d /tmp/twins-bench-imports.XXXXXX)
chmod 755 "$imports"
second_pid=""
bench_stop_extra() {
  [ -n "$second_pid" ] && kill "$second_pid" 2>/dev/null || true
  rm -rf "$imports"
}
bench_start_gateway twins-bench-migrate --import-dir "$imports"

now() { date +%s.%N; }
# CPU time (user + system, clock ticks) of the gateway and of every PostgreSQL process of the
# private cluster: where an imported item's cost goes.
clock_ticks=$(getconf CLK_TCK)
cpu_of() { local total=0 t; for pid in "$@"; do t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0); total=$((total + t)); done; echo "$total"; }
cpu_sample() { echo "$(cpu_of "$server_pid") $(cpu_of $(pgrep -u postgres postgres))"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# write_graph FILE N: the import file of N rooms with three relationships each.
write_graph() {
  python3 - "$1" "$2" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    w = lambda o: f.write(json.dumps(o, separators=(",", ":")) + "\n")
    w({"Section": "Header"}); w({"fileVersion": "1.0.0", "author": "bench", "organization": "twins"})
    w({"Section": "Models"})
    w({"@context": "dtmi:dtdl:context;2", "@id": "dtmi:bench:Room;1", "@type": "Interface", "contents": [
        {"@type": "Property", "name": "name", "schema": "string"},
        {"@type": "Property", "name": "temperature", "schema": "double"},
        {"@type": "Relationship", "name": "next", "properties": [
            {"@type": "Property", "name": "distance", "schema": "double"}]}]})
    w({"Section": "Twins"})
    for i in range(n):
        w({"$dtId": f"room-{i}", "$metadata": {"$model": "dtmi:bench:Room;1"}, "name": f"Room {i}",
           "temperature": 20.5 + i % 10})
    w({"Section": "Relationships"})
    for i in range(n):
        for step, rid in ((1, "a"), (7, "b"), (13, "c")):
            w({"$dtId": f"room-{i}", "$relationshipId": rid, "$targetId": f"room-{(i + step) % n}",
               "$relationshipName": "next", "distance": step})
PY
}

# wait_job PATH: waits for the job at PATH to end; prints its status.
wait_job() {
  local path=$1 status
  for _ in $(seq 1 36000); do
    status=$(curl -fs "$base$path?$api" | jq -r .status)
    case "$status" in succeeded | failed | cancelled) echo "$status"; return ;; esac
    sleep 0.1
  done
  echo timeout
}

items=$((twins * 4))
echo "writing the import file: $twins twins, $((twins * 3)) relationships..."
write_graph "$imports/graph.ndjson" "$twins"

echo
echo "== import job of $items items"
cpu_before=$(cpu_sample)
start=$(now)
curl -fs -X PUT "$base/jobs/imports/bench?$api" -H 'Content-Type: application/json' \
  -d "{\"inputBlobUri\":\"file://$imports/graph.ndjson\",\"outputBlobUri\":\"file://$imports/log.ndjson\"}" >/dev/null
status=$(wait_job /jobs/imports/bench)
job_s=$(elapsed "$start" "$(now)")
read -r job_gw job_pg <<<"$(echo "$cpu_before $(cpu_sample)" | awk '{ print $3 - $1, $4 - $2 }')"
echo "status $status in ${job_s} s; last log line: $(tail -n 1 "$imports/log.ndjson")"
[ "$status" = succeeded ] || { echo "error: the import job $status" >&2; exit 1; }

echo
echo "== PostgreSQL's COPY of the same rows (same columns and indexes, no foreign keys)"
# psql's \copy: the files are the client's (the server may run as another user).
psql_twins -c "\\copy twins TO '$work/twins.copy'" -c "\\copy relationships TO '$work/relationships.copy'"
psql_twins -c "CREATE TABLE copy_twins (LIKE twins INCLUDING ALL)" \
  -c "CREATE TABLE copy_relationships (LIKE relationships INCLUDING ALL)" -c "CHECKPOINT"
# One session: its backend's CPU is read from /proc before the session (and the backend) ends.
start=$(now)
psql_twins <<SQL
SELECT pg_backend_pid() AS backend \\gset
\\setenv BACKEND :backend
\\! awk '{ print \$14 + \$15 }' /proc/\$BACKEND/stat > $work/copy.cpu
\\copy copy_twins FROM '$work/twins.copy'
\\copy copy_relationships FROM '$work/relationships.copy'
\\! awk '{ print \$14 + \$15 }' /proc/\$BACKEND/stat >> $work/copy.cpu
SQL
copy_s=$(elapsed "$start" "$(now)")
copy_pg=$(awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }' "$work/copy.cpu")
echo "COPY: ${copy_s} s"
psql_twins -c "DROP TABLE copy_twins, copy_relationships"

echo
echo "== delete job of the whole graph"
start=$(now)
location=$(curl -fs -D - -o /dev/null -X POST "$base/jobs/deletions?$api" | awk -F': ' 'tolower($1) == "operation-location" { print $2 }' | tr -d '\r')
delete_id=${location##*/jobs/deletions/}
status=$(wait_job "/jobs/deletions/${delete_id%%\?*}")
delete_s=$(elapsed "$start" "$(now)")
echo "status $status in ${delete_s} s"

echo
echo "== migrate copy of $copy_twins twins and $((copy_twins * 3)) relationships to a second gateway"
write_graph "$imports/copy.ndjson" "$copy_twins"
curl -fs -X PUT "$base/jobs/imports/copy-source?$api" -H 'Content-Type: application/json' \
  -d "{\"inputBlobUri\":\"file://$imports/copy.ndjson\",\"outputBlobUri\":\"file://$imports/copy-log.ndjson\"}" >/dev/null
[ "$(wait_job /jobs/imports/copy-source)" = succeeded ] || { echo "error: loading the copy source failed" >&2; exit 1; }
pg_createdb "$work/db" "$db_port" twins2
port2=$(free_port)
"$root/.build/release/twins" serve --host 127.0.0.1 --port "$port2" --log-level warning \
  --database-url "postgres://postgres@127.0.0.1:$db_port/twins2?sslmode=disable" >"$work/server2.log" 2>&1 &
second_pid=$!
base2="http://127.0.0.1:$port2"
for _ in $(seq 1 100); do curl -fs "$base2/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
start=$(now)
"$root/.build/release/twins" migrate copy --from "$base" --to "$base2" --quiet --concurrency "$connections" | tee "$work/copy.out"
copy_run_s=$(elapsed "$start" "$(now)")
"$root/.build/release/twins" migrate verify --from "$base" --to "$base2" --quiet | tail -n 1

echo
echo "== the target's own write rate: wrk PUT of new twins, $connections connections, ${duration}s"
curl -fs -X POST "$base2/models?$api" -H 'Content-Type: application/json' --data-binary @scripts/bench/thermostat.json >/dev/null
BENCH_TWINS=1 timeout $((duration + 60)) wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
  -s scripts/bench/put.lua "$base2" | tee "$work/put.out"
put_rps=$(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") print kv[2] } }' "$work/put.out")

echo
echo "== results ($(nproc) cores, loopback)"
awk -v items="$items" -v job="$job_s" -v copy="$copy_s" -v del="$delete_s" -v hz="$clock_ticks" \
  -v jgw="$job_gw" -v jpg="$job_pg" -v cpg="$copy_pg" \
  -v citems="$((copy_twins * 4))" -v crun="$copy_run_s" -v put="$put_rps" 'BEGIN {
  printf "import job:    %d items in %.2f s = %.0f items/s (goal >= 20000)\n", items, job, items / job
  printf "COPY:          the same rows in %.2f s = %.0f rows/s; import job / COPY = %.1f %% (goal >= 50 %%)\n", copy, items / copy, 100 * copy / job
  printf "CPU per item:  import job: gateway %.1f us, PostgreSQL %.1f us; COPY: PostgreSQL %.1f us\n", jgw / hz * 1e6 / items, jpg / hz * 1e6 / items, cpg / hz * 1e6 / items
  printf "delete job:    %d items in %.2f s = %.0f items/s\n", items, del, items / del
  printf "migrate copy:  %d items in %.2f s = %.0f items/s; target PUT rate %.0f/s; share %.1f %%\n", citems, crun, citems / crun, put, 100 * (citems / crun) / put
}'
