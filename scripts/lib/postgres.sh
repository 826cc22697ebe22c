# Shell functions that run a private PostgreSQL cluster in a folder, listening on 127.0.0.1
# and on a unix socket inside that folder only. Sourced by run.sh and test.sh.
#
# PostgreSQL refuses to run as root; as root the cluster is owned and run by the `postgres`
# system user that the Debian package creates.

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; return 1; }
  echo "$dir"
}

# Runs a command as the cluster's owner.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_init DIR: creates a cluster in DIR/data unless one is there.
pg_init() {
  local dir=$1 bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "error: the postgres user cannot reach $dir; put the checkout in a folder other users can enter" >&2
      return 1
    fi
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # Trust authentication is safe here only because the cluster listens on loopback and on a
    # socket inside this folder.
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
}

# pg_start DIR PORT: starts the cluster and waits until it accepts connections.
pg_start() {
  local dir=$1 port=$2 bin
  bin=$(pg_bindir)
  if pg_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    return 0
  fi
  # In a subshell without the file descriptors the caller inherited (a test process holds
  # hundreds of sockets): the server would inherit them, and PostgreSQL counts them against
  # max_files_per_process and refuses to start when too few are left.
  if (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=400" start >/dev/null
  ); then
    return 0
  fi
  tail -n 20 "$dir/server.log" >&2
  return 1
}

# pg_stop DIR: stops the cluster if it runs.
pg_stop() {
  local dir=$1 bin
  bin=$(pg_bindir) || return 0
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_createdb DIR PORT NAME: creates a database if it does not exist.
pg_createdb() {
  local dir=$1 port=$2 name=$3 bin
  bin=$(pg_bindir)
  if ! pg_as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    pg_as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres "$name"
  fi
}

# free_port: prints a TCP port that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "error: no free port found" >&2
  return 1
}
