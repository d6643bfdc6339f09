#!/usr/bin/env bash
# bench/bench_reads.sh [BUILD_DIR] [RUNS] — reads against the raw query, in
# the same run (issue 17, item 4; the bar is <= 1.5x).
#
# The database: the bundled QQQ synced (2010-01-04 .. 2026-05-13, 4,115
# bars) and generated QQQ bars on the weekdays of 2000..2009 imported
# (2,609 bars; holidays kept as invalid bars), 6,724 in all; then the QQQ
# baseline's daily_performance from `jutsu eod backfill --from 2000-01-03`.
#
# CLI lines, whole processes, alternating, medians of RUNS (default 9),
# output to /dev/null; wall time and CPU time (user + system):
#   data show QQQ --from 2000-01-03 --to 2025-12-31 --format json|csv|text
#     vs sqlite3 -json of the same columns and rows
#        (timestamp, open..close as stored integers, volume, data_source,
#        is_valid; WHERE symbol, timeframe, timestamp range ORDER BY timestamp)
#   perf show QQQ --format json|csv|text
#     vs sqlite3 -json of the columns perf show prints, same rows
# On PostgreSQL too when the test cluster's variables are set: the same
# commands vs psql -At -c "SELECT json_agg(t) FROM (the same SELECT) t".
# ratio = ours / the raw query's process (wall; the cpu ratio beside it).
#
# REST (SQLite): GET /api/market-data/QQQ?from=2000-01-03&to=2025-12-31&
# per_page=5000 (5,000 bars) and GET /api/v2/performance/QQQ/daily/history?
# days=5000, each with wrk -t1 -c1 for BENCH_HTTP_SECONDS (default 5) after
# a 1 s warm-up. ratio = the route's mean latency / (nginx's mean latency
# serving the same answer as a file, wrk -t1 -c1 the same way + the raw
# query's own time in process: the "real" of sqlite3's .timer for the same
# SELECT printed as JSON, median of 21). The daily history route answers
# from frontend-http's cache after its first request. Skipped without wrk
# or nginx (scripts/deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
B=$(cd "$B" && pwd)
RUNS="${2:-9}"
SECS="${BENCH_HTTP_SECONDS:-5}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
J="$B/jutsu"
for tool in sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "bench_reads: $tool is not installed" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-reads-XXXXXX")
pids=()
pgdb=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ -n $pgdb ]]; then
    "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
      -U "$JUTSU_TEST_PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $pgdb" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT

# --- the data -----------------------------------------------------------------
python3 - "$T/old.csv" <<'PY'
import datetime, sys
d, end, i = datetime.date(2000, 1, 3), datetime.date(2009, 12, 31), 0
with open(sys.argv[1], "w") as out:
    out.write("symbol,date,open,high,low,close,volume\n")
    while d <= end:
        if d.weekday() < 5:
            p = 50 + (i % 97) * 0.013
            out.write("QQQ,%s,%.6f,%.6f,%.6f,%.6f,%d\n" % (d, p, p + 1.25, p - 1.25, p + 0.5, 1000 + i))
            i += 1
        d += datetime.timedelta(days=1)
PY

config() {   # BACKEND [PORT]
  echo "log: {level: error}"
  if [[ $1 == sqlite ]]; then
    echo "database: {type: sqlite, sqlite: {path: \"$T/j.db\"}}"
  else
    printf 'database:\n  type: postgresql\n  postgresql: {host: %s, port: %s, user: %s, database: %s}\n' \
      "$JUTSU_TEST_PG_HOST" "$JUTSU_TEST_PG_PORT" "$JUTSU_TEST_PG_USER" "$pgdb"
  fi
  cat <<YAML
auth: {secret_key_file: "$T/jutsu.key"}
scheduler: {enabled: false}
sync: {symbols: [QQQ], timeframes: [1D], sources: [sample]}
eod: {baselines: [{id: QQQ, symbol: QQQ, initial_capital: "10000"}]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
YAML
  if [[ -n ${2:-} ]]; then
    echo "  - {name: password, plugin: auth-password, config: {opslimit: 2, memlimit_kib: 65536}}"
    echo "  - {name: http, plugin: frontend-http, config: {listen: \"127.0.0.1:$2\", access_log: false, threads: 1}}"
  fi
}

load() {   # CONFIG
  "$J" -c "$1" sync >/dev/null 2>"$T/load.log" &&
  "$J" -c "$1" data import "$T/old.csv" >/dev/null 2>>"$T/load.log" &&
  "$J" -c "$1" eod backfill --from 2000-01-03 >/dev/null 2>>"$T/load.log" ||
    { cat "$T/load.log" >&2; exit 1; }
}

# the same rows, as stored
FROM_US=946857600000000    # 2000-01-03T00:00:00Z
TO_US=1767225599999999     # 2025-12-31T23:59:59.999999Z
BARS="SELECT timestamp, open, high, low, close, volume, data_source, is_valid FROM market_data
WHERE symbol = 'QQQ' AND timeframe = '1D' AND timestamp >= $FROM_US AND timestamp <= $TO_US
ORDER BY timestamp"
pg_from="'2000-01-03'"
pg_to="'2025-12-31 23:59:59.999999+00'"
PG_BARS="${BARS//$FROM_US/$pg_from}"
PG_BARS="${PG_BARS//$TO_US/$pg_to}"
DAILY="SELECT trading_date, entity_type, entity_id, mode, total_equity, cash, positions_value,
daily_return, cumulative_return, drawdown, high_water_mark, sharpe_ratio, sortino_ratio,
calmar_ratio, max_drawdown, volatility, cagr, win_rate, total_trades, winning_trades,
losing_trades, strategy_cell, trend_state, vol_state, t_norm, z_score, sma_fast, sma_slow,
baseline_symbol, initial_capital, trading_days_count, days_since_previous, is_first_day,
returns_count, returns_sum, returns_sum_sq, downside_sum_sq, welford_count, welford_mean,
welford_m2, finalized_at, positions_json, metrics FROM daily_performance
WHERE entity_type = 'baseline' AND entity_id = 'QQQ' AND mode = 'offline_mock'
AND trading_date >= '1900-01-01' AND trading_date <= '9999-12-31' ORDER BY trading_date"

# alternating whole processes: "LABEL WALL_MS CPU_MS" medians, one line each
alternate() {   # RUNS then groups of words separated by ';;', each "LABEL CMD ARGS..."
  python3 - "$@" <<'PY'
import os, sys, time
runs, cmds, cur = int(sys.argv[1]), [], []
for a in sys.argv[2:] + [";;"]:
    if a == ";;":
        if cur:
            cmds.append(cur)
        cur = []
    else:
        cur.append(a)
res = {c[0]: ([], []) for c in cmds}
null = os.open(os.devnull, os.O_WRONLY)
for _ in range(runs):
    for c in cmds:
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.execvp(c[1], c[1:])
        _, st, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if st != 0:
            sys.exit("bench_reads: %s failed (status %d)" % (" ".join(c[1:]), st))
        res[c[0]][0].append((t1 - t0) * 1000)
        res[c[0]][1].append((ru.ru_utime + ru.ru_stime) * 1000)
med = lambda v: sorted(v)[len(v) // 2]
for c in cmds:
    print(c[0], "%.2f" % med(res[c[0]][0]), "%.2f" % med(res[c[0]][1]))
PY
}

declare -A W C
measure() {   # RUNS groups... → fills W[label], C[label]
  while read -r label w c; do W[$label]=$w; C[$label]=$c; done < <(alternate "$@")
}
row() {   # LABEL ANCHOR WHAT
  printf '%-44s %10s %10s %10s %10s %8s %8s\n' "$3" "${W[$1]}" "${C[$1]}" "${W[$2]}" "${C[$2]}" \
    "$(awk -v a="${W[$1]}" -v b="${W[$2]}" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="${C[$1]}" -v b="${C[$2]}" 'BEGIN { printf "%.2f", a / b }')"
}
header() {
  printf '%-44s %10s %10s %10s %10s %8s %8s\n' "$1" "wall ms" "cpu ms" "raw wall" "raw cpu" \
    "ratio" "cpu ratio"
}

config sqlite >"$T/sqlite.yaml"
load "$T/sqlite.yaml"
nbars=$(sqlite3 "$T/j.db" "SELECT COUNT(*) FROM ($BARS)")
ndays=$(sqlite3 "$T/j.db" "SELECT COUNT(*) FROM ($DAILY)")
S="$T/sqlite.yaml"
DS=(data show QQQ --from 2000-01-03 --to 2025-12-31)
measure "$RUNS" \
  ds_json "$J" -c "$S" "${DS[@]}" --format json ';;' raw_bars sqlite3 -json "$T/j.db" "$BARS" ';;' \
  ds_csv "$J" -c "$S" "${DS[@]}" --format csv ';;' ds_text "$J" -c "$S" "${DS[@]}" ';;' \
  ps_json "$J" -c "$S" perf show QQQ --format json ';;' raw_daily sqlite3 -json "$T/j.db" "$DAILY" \
  ';;' ps_csv "$J" -c "$S" perf show QQQ --format csv ';;' ps_text "$J" -c "$S" perf show QQQ \
  ';;' version "$J" --version ';;' raw_start sqlite3 "$T/j.db" "SELECT 1"
echo "SQLite: $nbars bars, $ndays daily rows; medians of $RUNS alternating runs"
header "command (anchor: sqlite3 -json, same rows)"
row ds_json raw_bars "data show --format json"
row ds_csv raw_bars "data show --format csv"
row ds_text raw_bars "data show (table)"
row ps_json raw_daily "perf show --format json"
row ps_csv raw_daily "perf show --format csv"
row ps_text raw_daily "perf show (table)"
row version raw_start "jutsu --version vs sqlite3 'SELECT 1'"

if [[ -n "${JUTSU_TEST_PG_HOST:-}" ]]; then
  pgdb="jutsu_bench_reads_$$"
  PSQL=("$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT"
        -U "$JUTSU_TEST_PG_USER")
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $pgdb" >/dev/null
  config postgresql >"$T/pg.yaml"
  load "$T/pg.yaml"
  P="$T/pg.yaml"
  measure "$RUNS" \
    ds_json "$J" -c "$P" "${DS[@]}" --format json ';;' \
    raw_bars "${PSQL[@]}" -d "$pgdb" -At -c "SELECT json_agg(t) FROM ($PG_BARS) t" ';;' \
    ps_json "$J" -c "$P" perf show QQQ --format json ';;' \
    raw_daily "${PSQL[@]}" -d "$pgdb" -At -c "SELECT json_agg(t) FROM ($DAILY) t" ';;' \
    ds_text "$J" -c "$P" "${DS[@]}" ';;' ps_text "$J" -c "$P" perf show QQQ
  echo
  echo "PostgreSQL: medians of $RUNS alternating runs"
  header "command (anchor: psql -At json_agg, same rows)"
  row ds_json raw_bars "data show --format json"
  row ds_text raw_bars "data show (table)"
  row ps_json raw_daily "perf show --format json"
  row ps_text raw_daily "perf show (table)"
fi

# --- REST ----------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
  echo "bench_reads: REST lines skipped (wrk, nginx and curl: scripts/deps.sh --bench)"
  exit 0
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mean_ms() {   # wrk output → mean latency in ms
  awk '/^ +Latency +[0-9]/ && !done { done = 1; v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0;
       else if (v ~ /s$/) v = v * 1000; printf "%.3f", v }' "$1"
}
raw_ms() {   # SQL → sqlite3's own .timer "real" for it with -json output, median of 21, ms
  for _ in $(seq 21); do
    printf '.timer on\n%s;\n' "$1" | sqlite3 -json "$T/j.db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p'
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] * 1000 }'
}
port=$(free_port)
config sqlite "$port" >"$T/serve.yaml"
"$J" -c "$T/serve.yaml" user add bench --role viewer <<<"indigo-walrus-paper-77" >/dev/null
"$J" -c "$T/serve.yaml" serve 2>"$T/serve.log" &
pids+=("$!")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' \
        -d '{"username":"bench","password":"indigo-walrus-paper-77"}' \
        "http://127.0.0.1:$port/api/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ROUTES=("/api/market-data/QQQ?from=2000-01-03&to=2025-12-31&per_page=5000"
        "/api/v2/performance/QQQ/daily/history?days=5000")
SQLS=("$BARS LIMIT 5000" "$DAILY")
mkdir -p "$T/www" "$T/ngx"
for i in 0 1; do
  curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port${ROUTES[$i]}" >"$T/www/r$i.json"
  wrk -t1 -c1 -d1s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port${ROUTES[$i]}" >/dev/null
  wrk -t1 -c1 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$port${ROUTES[$i]}" >"$T/wrk-r$i.txt"
done
NPORT=$(free_port)
cat >"$T/nginx.conf" <<NGX
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $T/ngx; proxy_temp_path $T/ngx; fastcgi_temp_path $T/ngx;
  uwsgi_temp_path $T/ngx; scgi_temp_path $T/ngx;
  server { listen 127.0.0.1:$NPORT; location / { root $T/www; default_type application/json; } }
}
NGX
nginx -c "$T/nginx.conf" -g 'daemon off;' &
pids+=("$!")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NPORT/r0.json" >/dev/null && break; sleep 0.1; done
echo
echo "REST on SQLite: wrk -t1 -c1, ${SECS}s after a 1 s warm-up; mean latency in ms"
printf '%-58s %9s %9s %9s %9s %7s\n' "route (answer bytes)" "route" "nginx" "raw query" \
  "floor" "ratio"
for i in 0 1; do
  wrk -t1 -c1 -d1s "http://127.0.0.1:$NPORT/r$i.json" >/dev/null
  wrk -t1 -c1 -d"${SECS}s" --latency "http://127.0.0.1:$NPORT/r$i.json" >"$T/ngx-r$i.txt"
  r=$(mean_ms "$T/wrk-r$i.txt")
  n=$(mean_ms "$T/ngx-r$i.txt")
  q=$(raw_ms "${SQLS[$i]}")
  printf '%-58s %9s %9s %9s %9s %7s\n' "GET ${ROUTES[$i]:0:40}... ($(stat -c %s "$T/www/r$i.json"))" \
    "$r" "$n" "$q" "$(awk -v a="$n" -v b="$q" 'BEGIN { printf "%.3f", a + b }')" \
    "$(awk -v r="$r" -v a="$n" -v b="$q" 'BEGIN { printf "%.2f", r / (a + b) }')"
done
echo "floor = nginx serving the same bytes from a file + the raw query in process; ratio = route / floor"
