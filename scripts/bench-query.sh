#!/usr/bin/env bash
# Benchmarks POST /query against hand-written SQL on the same PostgreSQL, in one run:
#  1. builds `twins` in release mode;
#  2. starts a private PostgreSQL (temporary folder, removed at exit) and `twins serve` on
#     127.0.0.1 and free ports; uploads four models and loads a building graph with SQL, in the
#     JSON shape the gateway stores: BENCH_FLOORS floors (2,000), BENCH_ROOMS rooms (28,000) and
#     BENCH_SENSORS sensors (70,000) = 100,000 twins, and 300,000 relationships (floor contains
#     room, room contains sensor, sensor isLocatedIn room, room adjacentTo rooms);
#  3. for each question, runs wrk on /query (BENCH_CONNECTIONS connections, default 16;
#     BENCH_DURATION seconds, default 10), then pgbench with the hand-written SQL of the same
#     question (same clients and duration, prepared statements):
#       (a) first page of IS_OF_MODEL (inheritance), (b) property equality (a room by name),
#       (c) a 2-hop JOIN from a random floor's $dtId, (d) COUNT() with a filter;
#  4. prints queries/s, p50 and p99 of each, the gateway's CPU time per query, the ratio, the
#     gateway's peak memory, and the goals: (b) and (c) at least 500 queries/s and at least 70 %
#     of the hand-written SQL.
# Loopback only; it stops by itself. The wrk and SQL scripts are in scripts/bench/query/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/postgres.sh
source scripts/lib/bench-gateway.sh

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
floors=${BENCH_FLOORS:-2000}
rooms=${BENCH_ROOMS:-28000}
sensors=${BENCH_SENSORS:-70000}
export BENCH_FLOORS=$floors BENCH_ROOMS=$rooms BENCH_SENSORS=$sensors
bench="$root/scripts/bench/query"
api="api-version=2023-10-31"

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi
pgbench=$(pg_bindir)/pgbench

echo "building (release)..."
swift build -c release --product twins

bench_start_gateway twins-bench-query

status=$(curl -s -o "$work/models.out" -w '%{http_code}' -X POST "$base/models?$api" \
  -H 'Content-Type: application/json' --data-binary @"$bench/models.json")
[ "$status" = 201 ] || { echo "error: model upload answered $status: $(cat "$work/models.out")" >&2; exit 1; }

# One room, one sensor and one relationship through the API: the shapes the SQL load mimics.
curl -fs -X PUT "$base/digitaltwins/sample-room?$api" -H 'Content-Type: application/json' \
  -d '{"$metadata":{"$model":"dtmi:bench:Room;1"},"name":"sample","area":12.5}' >"$work/room.json"
curl -fs -X PUT "$base/digitaltwins/sample-sensor?$api" -H 'Content-Type: application/json' \
  -d '{"$metadata":{"$model":"dtmi:bench:Sensor;1"},"name":"s","kind":"co2","temperature":20.5}' >"$work/sensor.json"
curl -fs -X PUT "$base/digitaltwins/sample-room/relationships/r1?$api" -H 'Content-Type: application/json' \
  -d '{"$targetId":"sample-sensor","$relationshipName":"contains"}' >"$work/relationship.json"

echo "loading $((floors + rooms + sensors)) twins and their relationships with SQL..."
load_start=$(date +%s.%N)
psql_twins <<SQL
CREATE TEMP TABLE stamp AS SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"0Z"') AS t;
CREATE FUNCTION pg_temp.twin(id text, model text, props json, t text) RETURNS json LANGUAGE sql AS \$\$
  SELECT (
    '{"\$dtId":' || to_json(id) || ',"\$etag":"W/\"' || gen_random_uuid() || '\""'
    || coalesce((SELECT string_agg(',' || to_json(k) || ':' || v, '' ORDER BY o) FROM json_each(props) WITH ORDINALITY AS e(k, v, o)), '')
    || ',"\$metadata":{"\$model":' || to_json(model) || ',"\$lastUpdateTime":"' || t || '"'
    || coalesce((SELECT string_agg(',' || to_json(k) || ':{"lastUpdateTime":"' || t || '"}', '' ORDER BY o) FROM json_each(props) WITH ORDINALITY AS e(k, v, o)), '')
    || '}}')::json
\$\$;
INSERT INTO twins (id, model_id, etag, body)
SELECT id, model, (regexp_match(b::text, 'W/\\\\"([0-9a-f-]+)'))[1]::uuid, b FROM (
  SELECT 'floor-' || i AS id, 'dtmi:bench:Floor;1' AS model,
    pg_temp.twin('floor-' || i, 'dtmi:bench:Floor;1', json_build_object('name', 'floor ' || i, 'level', i % 50), (SELECT t FROM stamp)) AS b
  FROM generate_series(1, $floors) AS i
  UNION ALL
  SELECT 'room-' || i, 'dtmi:bench:Room;1',
    pg_temp.twin('room-' || i, 'dtmi:bench:Room;1', json_build_object('name', 'room ' || i, 'area', 10 + i % 90), (SELECT t FROM stamp))
  FROM generate_series(1, $rooms) AS i
  UNION ALL
  SELECT 'sensor-' || i, 'dtmi:bench:Sensor;1',
    pg_temp.twin('sensor-' || i, 'dtmi:bench:Sensor;1',
      json_build_object('name', 'sensor ' || i, 'kind', (ARRAY['co2', 'temperature', 'humidity'])[1 + i % 3], 'temperature', (i % 400) / 10.0),
      (SELECT t FROM stamp))
  FROM generate_series(1, $sensors) AS i
) AS g;
INSERT INTO relationships (source_id, id, name, target_id, etag, body)
SELECT s, r, n, t, u,
  ('{"\$relationshipId":' || to_json(r) || ',"\$etag":"W/\"' || u || '\"","\$sourceId":' || to_json(s)
   || ',"\$relationshipName":' || to_json(n) || ',"\$targetId":' || to_json(t) || '}')::json
FROM (
  SELECT 'floor-' || (1 + (i - 1) % $floors) AS s, 'contains-room-' || i AS r, 'contains' AS n, 'room-' || i AS t, gen_random_uuid() AS u
  FROM generate_series(1, $rooms) AS i
  UNION ALL
  SELECT 'room-' || (1 + (i - 1) % $rooms), 'contains-sensor-' || i, 'contains', 'sensor-' || i, gen_random_uuid()
  FROM generate_series(1, $sensors) AS i
  UNION ALL
  SELECT 'sensor-' || i, 'isLocatedIn-room-' || (1 + (i - 1) % $rooms), 'isLocatedIn', 'room-' || (1 + (i - 1) % $rooms), gen_random_uuid()
  FROM generate_series(1, $sensors) AS i
  UNION ALL
  SELECT 'room-' || i, 'adjacentTo-room-' || (1 + (i + k - 1) % $rooms), 'adjacentTo', 'room-' || (1 + (i + k - 1) % $rooms), gen_random_uuid()
  FROM generate_series(1, $rooms) AS i, generate_series(1, 5) AS k
  WHERE k <= 4 OR i <= 300000 - 2 * $sensors - 5 * $rooms
) AS g;
VACUUM ANALYZE;
CHECKPOINT;
SQL
echo "loaded in $(awk -v a="$load_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s:" \
  "$(psql_twins -tA -c 'SELECT count(*) FROM twins') twins, $(psql_twins -tA -c 'SELECT count(*) FROM relationships') relationships"

# Loaded documents must have the keys of documents written by the gateway, in the same order.
same_shape() { [ "$(jq -c '[paths|map(tostring)|join("/")]' "$1")" = "$(jq -c '[paths|map(tostring)|join("/")]' "$2")" ]; }
curl -fs "$base/digitaltwins/room-1?$api" >"$work/room-1.json"
curl -fs "$base/digitaltwins/sensor-1?$api" >"$work/sensor-1.json"
curl -fs "$base/digitaltwins/room-1/relationships/contains-sensor-1?$api" >"$work/rel-1.json"
for pair in "room.json room-1.json" "sensor.json sensor-1.json" "relationship.json rel-1.json"; do
  set -- $pair
  same_shape "$work/$1" "$work/$2" || { echo "error: loaded $2 differs in shape from $1:" >&2; cat "$work/$1" "$work/$2" >&2; exit 1; }
done

# Each question once through the gateway and by hand: both must find the same number of rows.
check() {
  local name=$1 query=$2 sql=$3 gateway hand
  gateway=$(curl -fs -X POST "$base/query?$api" -H 'max-items-per-page: 1000' -d "$(jq -cn --arg q "$query" '{query: $q}')" | jq '.value | length')
  hand=$(psql_twins -tA -c "SELECT count(*) FROM ($sql) AS q")
  [ "$gateway" = "$hand" ] || { echo "error: ($name) the gateway found $gateway rows, the SQL $hand" >&2; exit 1; }
  echo "($name) $gateway rows both ways"
}
check a "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:bench:Space;1')" \
  "SELECT 1 FROM twins WHERE model_id IN (SELECT model_id FROM model_bases WHERE base_id = 'dtmi:bench:Space;1' UNION SELECT 'dtmi:bench:Space;1') ORDER BY id LIMIT 1000"
check b "SELECT * FROM DIGITALTWINS WHERE name = 'room 7'" "SELECT 1 FROM twins WHERE doc @> '{\"name\": \"room 7\"}'"
check c "SELECT S FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN S RELATED R.contains WHERE F.\$dtId = 'floor-7'" \
  "SELECT 1 FROM relationships r1 JOIN relationships r2 ON r2.source_id = r1.target_id AND r2.name = 'contains' JOIN twins s ON s.id = r2.target_id WHERE r1.source_id = 'floor-7' AND r1.name = 'contains'"
count=$(curl -fs -X POST "$base/query?$api" -d '{"query":"SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('"'"'dtmi:bench:Sensor;1'"'"') AND temperature > 25"}' | jq '.value[0].COUNT')
hand=$(psql_twins -tA -v sensor="'dtmi:bench:Sensor;1'" -f "$bench/d-count.sql")
[ "$count" = "$hand" ] || { echo "error: (d) COUNT() gave $count, the SQL $hand" >&2; exit 1; }
echo "(d) COUNT() = $count both ways"

# The gateway's CPU time (user + system) in clock ticks, for the CPU per query.
clock_ticks=$(getconf CLK_TCK)
server_cpu() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

run_wrk() {
  local name=$1 script=$2 cpu_before cpu_after
  echo
  echo "== gateway $name: wrk -t$threads -c$connections -d${duration}s --latency -s scripts/bench/query/$script (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  cpu_before=$(server_cpu)
  timeout $((duration + 60)) wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s \
    --latency -s "$bench/$script" "$base" 2>"$work/$name.err" | tee "$work/$name.out"
  cpu_after=$(server_cpu)
  awk -v cpu=$((cpu_after - cpu_before)) -v hz="$clock_ticks" \
    '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                 print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["socket_errors"],
                   (v["requests"] > 0 ? cpu / hz * 1e6 / v["requests"] : 0) }' "$work/$name.out" >"$work/$name.wrk"
  head -n 3 "$work/$name.err" >&2
}
run_pgbench() {
  local name=$1 script=$2
  echo
  echo "== pgbench $name: pgbench -n -M prepared -c$connections -j$threads -T$duration -f scripts/bench/query/$script (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  timeout $((duration + 60)) "$pgbench" -n -M prepared -c "$connections" -j "$threads" -T "$duration" \
    -D floors="$floors" -D rooms="$rooms" -D sensors="$sensors" -D space='dtmi:bench:Space;1' -D sensor='dtmi:bench:Sensor;1' \
    -h 127.0.0.1 -p "$db_port" -U postgres -f "$bench/$script" twins 2>&1 | tee "$work/$name.pgbout"
  awk '/^tps = / { print $3; exit }' "$work/$name.pgbout" >"$work/$name.pgb"
}

for q in a-model b-equality c-join d-count; do
  run_wrk "$q" "$q.lua"
  run_pgbench "$q" "$q.sql"
done

echo
echo "== results: $connections connections, ${duration}s each, $((floors + rooms + sensors)) twins, 300,000 relationships, loopback, $(nproc) cores"
printf '%-12s %10s %8s %8s %7s %11s %12s %7s\n' question gateway/s p50_ms p99_ms errors cpu_us/query by_hand/s ratio
for q in a-model b-equality c-join d-count; do
  read -r rps p50 p99 errors cpu <"$work/$q.wrk"
  tps=$(cat "$work/$q.pgb")
  ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "n/a" }')
  printf '%-12s %10.0f %8.2f %8.2f %7d %11.0f %12.0f %7s\n' "$q" "$rps" "$p50" "$p99" "$errors" "$cpu" "$tps" "$ratio"
done
echo "(by_hand/s: pgbench running the hand-written SQL of the same question, prepared; cpu_us/query: the gateway's CPU time per query)"
awk '/^VmHWM/ { printf "gateway memory: peak RSS %.1f MB (VmHWM)\n", $2 / 1024 }' "/proc/$server_pid/status"

echo
echo "== goals"
verdict() { if awk "BEGIN { exit !($2) }"; then echo "met     $1"; else echo "NOT MET $1"; fi; }
for q in b-equality c-join; do
  read -r rps _ _ _ <"$work/$q.wrk"
  tps=$(cat "$work/$q.pgb")
  verdict "($q) >= 500 queries/s ($rps)" "$rps >= 500"
  verdict "($q) >= 70% of the hand-written SQL ($rps vs $tps)" "$rps >= 0.7 * $tps"
done
