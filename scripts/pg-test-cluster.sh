#!/usr/bin/env bash
# scripts/pg-test-cluster.sh start|stop|restart — a throw-away PostgreSQL 15
# cluster on loopback for the test suite.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # prints export lines
#   scripts/pg-test-cluster.sh stop
#
# The cluster lives in $JUTSU_PG_DIR (default /tmp/jutsu-pg-test), listens on
# 127.0.0.1:$JUTSU_PG_PORT (default 54329) and on a socket in that
# directory, trusts local connections, and is owned by a non-root user
# (PostgreSQL refuses to run as root: as root we use the `postgres` account).
set -euo pipefail
DIR="${JUTSU_PG_DIR:-/tmp/jutsu-pg-test}"
PORT="${JUTSU_PG_PORT:-54329}"
BIN="${JUTSU_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [[ -z "$BIN" || ! -x "$BIN/initdb" ]]; then
  echo "pg-test-cluster: no PostgreSQL server binaries (install postgresql: scripts/deps.sh --test)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$DIR"; fi
  as_owner "$BIN/initdb" -D "$DIR/data" -U jutsu -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
  # one role that must give a password, for the wrong-password tests
  { echo "host all jutsu_pw 127.0.0.1/32 scram-sha-256"; cat "$DIR/data/pg_hba.conf"; } \
    >"$DIR/pg_hba.new" && mv "$DIR/pg_hba.new" "$DIR/data/pg_hba.conf"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$DIR/data/pg_hba.conf"; fi
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }
  "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U jutsu -d postgres \
    -c "CREATE ROLE jutsu_pw LOGIN PASSWORD 'right-password'" >/dev/null
  echo "export JUTSU_TEST_PG_URL=postgresql://jutsu@127.0.0.1:$PORT/postgres"
  echo "export JUTSU_TEST_PG_HOST=127.0.0.1 JUTSU_TEST_PG_PORT=$PORT JUTSU_TEST_PG_USER=jutsu"
  echo "export JUTSU_TEST_PG_DIR=$DIR JUTSU_TEST_PG_BIN=$BIN"
  echo "export JUTSU_TEST_PG_PW_USER=jutsu_pw JUTSU_TEST_PG_PW_PASSWORD=right-password"
  echo "pg-test-cluster: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
  ;;
stop)
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$DIR"
  ;;
restart)   # used by the reconnect tests
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -m fast -w restart >/dev/null
  ;;
*)
  echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
