# Shared by the benchmark scripts: a private PostgreSQL and a release `twins serve` on loopback
# in a temporary folder, both stopped and removed at exit. Source after scripts/lib/postgres.sh.
#
#   bench_start_gateway PREFIX   sets work, db_port, database_url, server_pid, base; defines psql_twins
#   bench_stop_extra            (optional, defined by the caller) runs first at exit

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
  "$root/.build/release/twins" serve --host 127.0.0.1 --port "$port" --database-url "$database_url" --log-level warning \
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
