# Shared by the benchmark scripts: a private PostgreSQL and a release `twins serve` on loopback
# in a temporary folder, both stopped and removed at exit. Source after scripts/lib/postgres.sh.
#
#   bench_start_gateway PREFIX [ARGS...]  sets work, db_port, database_url, server_pid, base; defines
#                                         psql_twins; ARGS go to `twins serve`
#   bench_load_thermostats MODEL COUNT    loads COUNT twins bench-1... of MODEL with SQL
#   bench_restart_gateway "WORDS"         the gateway again on the same database; NAME=VALUE words
#                                         set its environment, the others go to `twins serve`
#   bench_stop_extra                      (optional, defined by the caller) runs first at exit

bench_cleanup() {
  if declare -F bench_stop_extra >/dev/null; then bench_stop_extra; fi
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  [ -n "${work:-}" ] && pg_stop "$work/db"
  [ -n "${work:-}" ] && rm -rf "$work"
}

bench_start_gateway() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  shift
  chmod 755 "$work"
  server_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  db_port=$(free_port)
  pg_init "$work/db"
  pg_start "$work/db" "$db_port"
  pg_createdb "$work/db" "$db_port" twins
  database_url="postgres://postgres@127.0.0.1:$db_port/twins?sslmode=disable"

  local port
  port=$(free_port)
  "$root/.build/release/twins" serve --host 127.0.0.1 --port "$port" --database-url "$database_url" --log-level warning "$@" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
  done
  curl -fs "$base/readyz" >/dev/null || { echo "error: the gateway did not become ready" >&2; cat "$work/server.log" >&2; exit 1; }
  echo "gateway: $base (pid $server_pid), database 127.0.0.1:$db_port"
}

psql_twins() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$db_port" -U postgres -d twins "$@"; }

# The twins in the JSON shape the gateway stores (scripts/bench-api.sh checks the shape against a
# twin written by PUT), loaded with SQL.
bench_load_thermostats() {
  local model=$1 count=$2 load_start
  echo "loading $count twins with SQL..."
  load_start=$(date +%s.%N)
  psql_twins <<SQL
INSERT INTO twins (id, model_id, etag, body)
SELECT 'bench-' || i, '$model', u,
  ('{"\$dtId":"bench-' || i || '","\$etag":"W/\"' || u || '\"","temperature":' || round((i % 4000) / 100.0, 2)
   || ',"targetTemperature":21.5,"humidity":' || (i % 100) || '.5,"name":"thermostat ' || i || '","mode":"heat",'
   || '"\$metadata":{"\$model":"$model","\$lastUpdateTime":"' || t || '",'
   || '"temperature":{"lastUpdateTime":"' || t || '"},"targetTemperature":{"lastUpdateTime":"' || t || '"},'
   || '"humidity":{"lastUpdateTime":"' || t || '"},"name":{"lastUpdateTime":"' || t || '"},'
   || '"mode":{"lastUpdateTime":"' || t || '"}}}')::json
FROM (SELECT i, gen_random_uuid() AS u FROM generate_series(1, $count) AS i) AS g,
  (SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"0Z"') AS t) AS s;
VACUUM ANALYZE twins;
CHECKPOINT;
SQL
  echo "loaded in $(awk -v a="$load_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
}

bench_restart_gateway() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  local port environment=() arguments=() word
  for word in $1; do
    if [[ $word =~ ^[A-Z_][A-Z0-9_]*= ]]; then environment+=("$word"); else arguments+=("$word"); fi
  done
  port=$(free_port)
  env "${environment[@]}" "$root/.build/release/twins" serve --host 127.0.0.1 --port "$port" \
    --database-url "$database_url" --log-level warning --no-migrate "${arguments[@]}" >>"$work/server.log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && return
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "error: the gateway did not become ready" >&2; cat "$work/server.log" >&2; exit 1
}
