#!/usr/bin/env bash
# bench/bench_rest.sh [BUILD_DIR] — the REST API's history route under load,
# beside nginx serving the same answer as a static file, in the same run.
#
#   route   GET /api/v2/performance/QQQ/daily/history?days=30 with a Bearer
#           token (a viewer), 64 connections, after a 2 s warm-up
#   nginx   the same answer's bytes as a static file, 64 connections,
#           access log off, as many workers as the server has threads
#
# Two layouts, each for the route and for nginx:
#   split   wrk on CPU 0 with one thread, the server (or nginx) on the other
#           CPUs with one thread (worker) each. The load generator does not
#           take the server's CPU, so the latencies are the server's: this is
#           the layout the bars are read from.
#   shared  wrk with 2 threads and the server with 2 threads, both free to
#           use every CPU. On a 2-core machine the tail is then the
#           scheduler's: nginx's own p99 is 7-8 ms there.
# On SQLite always; on PostgreSQL too when the test cluster's variables are
# set (eval "$(scripts/pg-test-cluster.sh start)"). The database holds the
# bundled sample data and the QQQ baseline's daily_performance from the EOD
# backfill (2015-01-02 .. the newest bar). The figures to meet (issue 12):
# >= 18,300 requests/s (100x the original's 183), p99 < 5 ms, >= 0.5x nginx.
# Needs wrk, nginx, curl, python3, taskset (scripts/deps.sh --bench).
# BENCH_HTTP_SECONDS sets the length of each run (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
B=$(cd "$B" && pwd)
SECS="${BENCH_HTTP_SECONDS:-10}"
ROUTE="/api/v2/performance/QQQ/daily/history?days=30"
for tool in wrk nginx curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "bench_rest: $tool is not installed" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-rest-XXXXXX")
pids=()
pgdbs=()
cleanup() {
  # under set -e a failing kill (the process already gone) would end the
  # trap here and leave nginx holding the terminal
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for d in "${pgdbs[@]}"; do
    "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
      -U "$JUTSU_TEST_PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $d" 2>/dev/null || true
  done
  rm -rf "$T"
}
trap cleanup EXIT
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
SAMPLE="$PWD/conf/sample-data"
NCPU=$(nproc)
(( NCPU >= 2 )) || { echo "bench_rest: the split layout needs 2 CPUs, this machine has $NCPU" >&2; exit 1; }
SRV_CPUS=1
(( NCPU > 2 )) && SRV_CPUS="1-$((NCPU - 1))"
LAYOUTS=(split shared)
# layout → what runs wrk, the server, nginx; the threads of each
wrk_cmd()   { if [[ $1 == split ]]; then echo "taskset -c 0 wrk -t1"; else echo "wrk -t2"; fi; }
srv_pin()   { if [[ $1 == split ]]; then echo "taskset -c $SRV_CPUS"; fi; }
srv_threads() { if [[ $1 == split ]]; then echo $((NCPU - 1)); else echo 2; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk's summary → "RPS P50 P99" (latencies in ms)
summary() {
  awk '/Requests\/sec/ {rps=$2}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       END {print rps, p50, p99}' "$1" | awk '
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       {printf "%s %.3f %.3f\n", $1, ms($2), ms($3)}'
}

# config BACKEND PORT DB THREADS → the YAML of a served database with the sample data
config() {
  local be=$1 port=$2
  echo "log: {level: warn}"
  if [[ $be == sqlite ]]; then
    echo "database: {type: sqlite, sqlite: {path: \"$T/j.db\"}}"
  else
    printf 'database:\n  type: postgresql\n  postgresql: {host: %s, port: %s, user: %s, database: %s}\n' \
      "$JUTSU_TEST_PG_HOST" "$JUTSU_TEST_PG_PORT" "$JUTSU_TEST_PG_USER" "$3"
  fi
  cat <<YAML
auth: {secret_key_file: "$T/jutsu.key"}
scheduler: {enabled: false}
sync: {symbols: [QQQ], timeframes: [1D], sources: [sample], history_start: "2014-01-01"}
eod: {baselines: [{id: QQQ, symbol: QQQ, initial_capital: "10000"}]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$SAMPLE"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: password, plugin: auth-password, config: {opslimit: 2, memlimit_kib: 65536}}
  - {name: http, plugin: frontend-http, config: {listen: "127.0.0.1:$port", access_log: false, threads: $4}}
YAML
}

declare -A RPS P50 P99 NON
# serve BACKEND LAYOUT DB → runs wrk against a served database, fills the arrays
serve() {
  local be=$1 lay=$2 db=$3 port conf="$T/$1-$2.yaml" k="$1,$2"
  port=$(free_port)
  config "$be" "$port" "$db" "$(srv_threads "$lay")" >"$conf"
  $(srv_pin "$lay") "$B/jutsu" -c "$conf" serve 2>"$T/serve-$be-$lay.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
  local login='{"username":"bench","password":"indigo-walrus-paper-77"}'
  TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "$login" \
          "http://127.0.0.1:$port/api/auth/login" |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port$ROUTE" >"$T/body-$be.json"
  local rows
  rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["rows"]))' "$T/body-$be.json")
  [[ $rows -eq 30 ]] || { echo "bench_rest: $be: the route gave $rows rows, not 30" >&2; exit 1; }
  # warm-up, then the measured run
  $(wrk_cmd "$lay") -c64 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port$ROUTE" >/dev/null
  $(wrk_cmd "$lay") -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$port$ROUTE" >"$T/wrk-$be-$lay.txt"
  read -r "RPS[$k]" "P50[$k]" "P99[$k]" < <(summary "$T/wrk-$be-$lay.txt")
  NON[$k]=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$T/wrk-$be-$lay.txt")
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_backend() {
  local be=$1 db="" conf="$T/$1.yaml"
  if [[ $be == postgresql ]]; then
    db="jutsu_bench_rest_$$"
    "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
      -U "$JUTSU_TEST_PG_USER" -d postgres -c "CREATE DATABASE $db"
    pgdbs+=("$db")
  fi
  config "$be" "$(free_port)" "$db" 1 >"$conf"
  "$B/jutsu" -c "$conf" sync >/dev/null 2>"$T/sync.log" || { cat "$T/sync.log" >&2; exit 1; }
  "$B/jutsu" -c "$conf" eod backfill --from 2015-01-02 >/dev/null 2>"$T/eod.log" ||
    { cat "$T/eod.log" >&2; exit 1; }
  "$B/jutsu" -c "$conf" user add bench --role viewer <<<"indigo-walrus-paper-77" >/dev/null
  for lay in "${LAYOUTS[@]}"; do serve "$be" "$lay" "$db"; done
}

backends=(sqlite)
[[ -n "${JUTSU_TEST_PG_HOST:-}" ]] && backends+=(postgresql)
for be in "${backends[@]}"; do run_backend "$be"; done

# nginx serving the same bytes
mkdir -p "$T/www" "$T/ngx"
cp "$T/body-sqlite.json" "$T/www/history.json"
declare -A NRPS NP50 NP99
for lay in "${LAYOUTS[@]}"; do
  NPORT=$(free_port)
  workers=auto
  [[ $lay == split ]] && workers=$((NCPU - 1))
  cat >"$T/nginx.conf" <<NGX
worker_processes $workers;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $T/ngx; proxy_temp_path $T/ngx; fastcgi_temp_path $T/ngx;
  uwsgi_temp_path $T/ngx; scgi_temp_path $T/ngx;
  server {
    listen 127.0.0.1:$NPORT;
    location / { root $T/www; default_type application/json; }
  }
}
NGX
  $(srv_pin "$lay") nginx -c "$T/nginx.conf" -g 'daemon off;' &
  npid=$!
  pids+=("$npid")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NPORT/history.json" >/dev/null && break; sleep 0.1; done
  $(wrk_cmd "$lay") -c64 -d2s "http://127.0.0.1:$NPORT/history.json" >/dev/null
  $(wrk_cmd "$lay") -c64 -d"${SECS}s" --latency "http://127.0.0.1:$NPORT/history.json" >"$T/nginx-$lay.txt"
  read -r "NRPS[$lay]" "NP50[$lay]" "NP99[$lay]" < <(summary "$T/nginx-$lay.txt")
  kill "$npid"; wait "$npid" 2>/dev/null || true
done

printf 'machine: %s cores; 64 connections; %ss per run after a 2 s warm-up\n' "$NCPU" "$SECS"
printf 'split: wrk 1 thread on CPU 0, server/nginx %s thread(s) on CPU %s; ' "$((NCPU - 1))" "$SRV_CPUS"
printf 'shared: wrk 2 threads, server 2 threads, nginx a worker per core, any CPU\n'
printf 'route: GET %s (answer %d bytes)\n' "$ROUTE" "$(stat -c %s "$T/body-sqlite.json")"
printf '%-32s %12s %10s %10s %12s %12s\n' "run" "requests/s" "p50 ms" "p99 ms" "x original" "x nginx"
for lay in "${LAYOUTS[@]}"; do
  for be in "${backends[@]}"; do
    k="$be,$lay"
    printf '%-32s %12s %10s %10s %12s %12s\n' "$lay: history route, $be" "${RPS[$k]}" "${P50[$k]}" \
      "${P99[$k]}" "$(awk -v a="${RPS[$k]}" 'BEGIN { printf "%.0f", a / 183 }')" \
      "$(awk -v a="${RPS[$k]}" -v b="${NRPS[$lay]}" 'BEGIN { printf "%.2f", a / b }')"
    [[ -z "${NON[$k]}" ]] || echo "warning: ${NON[$k]} non-2xx answers on $be ($lay)" >&2
  done
  printf '%-32s %12s %10s %10s\n' "$lay: nginx static file" "${NRPS[$lay]}" "${NP50[$lay]}" "${NP99[$lay]}"
done
echo "original stack (FastAPI + SQLAlchemy + uvicorn): 183 requests/s, p99 612 ms (issue 12)"
