#!/usr/bin/env bash
# bench/bench_http.sh [BUILD_DIR] — the HTTP frontend under load, beside
# nginx on the same machine in the same run.
#
#   logins      POST /api/auth/login, 4 connections: bounded by Argon2id, so
#               the parameters are printed with the figure
#   /me         GET /api/auth/me with a Bearer token, 64 connections (wrk)
#   nginx       a static JSON file of the same size as the /me answer, 64
#               connections, nginx with one worker per core, access log off
#
# The ratio is /me's requests/s over nginx's. Needs wrk, nginx and curl
# (Debian packages wrk, nginx-light or nginx, curl). BENCH_HTTP_SECONDS sets
# the length of each run (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
SECS="${BENCH_HTTP_SECONDS:-10}"
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench_http: $tool is not installed" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-http-XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
OPS=2 MEM=65536
cat >"$T/j.yaml" <<YAML
log: {level: warn}
database: {type: sqlite, sqlite: {path: "$T/j.db"}}
auth: {secret_key_file: "$T/jutsu.key", cache_ms: ${BENCH_HTTP_CACHE_MS:-1000}}
scheduler: {enabled: false}
plugins:
  - {name: password, plugin: auth-password, config: {opslimit: $OPS, memlimit_kib: $MEM}}
  - {name: http, plugin: frontend-http, config: {listen: "127.0.0.1:$PORT", access_log: false, threads: ${BENCH_HTTP_THREADS:-2}, login_rate_per_min: 0}}
YAML
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
"$B/jutsu" -c "$T/j.yaml" user add bench --role viewer <<<"indigo-walrus-paper-77" >/dev/null
"$B/jutsu" -c "$T/j.yaml" serve 2>"$T/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done

LOGIN='{"username":"bench","password":"indigo-walrus-paper-77"}'
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "$LOGIN" \
        "http://127.0.0.1:$PORT/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ME=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/auth/me")

# wrk's summary → "RPS P50 P99" (latencies in ms)
summary() {
  awk '/Requests\/sec/ {rps=$2}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       END {print rps, p50, p99}' "$1" | awk '
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       {printf "%s %.3f %.3f\n", $1, ms($2), ms($3)}'
}

cat >"$T/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$LOGIN'
LUA
wrk -t2 -c4 -d"${SECS}s" --latency -s "$T/login.lua" "http://127.0.0.1:$PORT/api/auth/login" >"$T/login.txt"
read -r LRPS LP50 LP99 < <(summary "$T/login.txt")
# the hashes still queued when wrk stops would eat the next run's first second
sleep 3

wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/auth/me" >"$T/me.txt"
read -r MRPS MP50 MP99 < <(summary "$T/me.txt")
MNON=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$T/me.txt")

# nginx serving a file the size of the /me answer
NPORT=$(free_port)
mkdir -p "$T/www" "$T/ngx"
printf '%s' "$ME" >"$T/www/me.json"
cat >"$T/nginx.conf" <<NGX
worker_processes auto;
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
nginx -c "$T/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NPORT/me.json" >/dev/null && break; sleep 0.1; done
wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$NPORT/me.json" >"$T/nginx.txt"
read -r NRPS NP50 NP99 < <(summary "$T/nginx.txt")

printf 'machine: %s cores; wrk 2 threads; %ss per run; /me answer %d bytes\n' "$(nproc)" "$SECS" "${#ME}"
printf '%-34s %12s %10s %10s\n' "run" "requests/s" "p50 ms" "p99 ms"
printf '%-34s %12s %10s %10s\n' "login (Argon2id ops=$OPS mem=${MEM}KiB, 4 conn)" "$LRPS" "$LP50" "$LP99"
printf '%-34s %12s %10s %10s\n' "GET /api/auth/me (64 conn)" "$MRPS" "$MP50" "$MP99"
printf '%-34s %12s %10s %10s\n' "nginx static file (64 conn)" "$NRPS" "$NP50" "$NP99"
awk -v a="$MRPS" -v b="$NRPS" 'BEGIN { printf "ratio /me / nginx: %.2f\n", a / b }'
[[ -z "$MNON" ]] || echo "warning: $MNON non-2xx answers to /me" >&2
