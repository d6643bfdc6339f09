#!/usr/bin/env bash
# scripts/soak.sh [--seconds N] [BUILD_DIR] — the HTTP frontend under steady
# load for a long time: `jutsu serve` on a temporary SQLite database with
# the bundled sample data (QQQ synced, its EOD rows backfilled), one viewer
# signed in, and wrk at 64 connections for N seconds (default 600) over a
# mix of read routes with the viewer's token. Builds nothing.
#
# It fails unless wrk reports no socket error, no non-2xx answer and no
# timeout, and the server's memory is flat. Flat, measured: the RSS of the
# server (VmRSS) is sampled every 5 s; the largest sample of the last third
# of the run must be within 10% (or 4 MiB, whichever is larger) of the
# largest of the middle third. The first third is the warm-up: caches,
# pools, each worker's database session and allocator arenas grow there
# and are not a leak. A leak of even a few bytes per request grows by far
# more than that over the last third (64 connections make millions of
# requests), while the allowance absorbs the allocator's noise. Maxima,
# not means, so one early peak cannot hide a late rise.
#
# Not in CI's suite (it takes ten minutes); docs/hardening.md says when to
# run it. Needs wrk, curl, python3 (scripts/deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=600
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECS=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) SECS=${1#*=}; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[[ $SECS =~ ^[0-9]+$ ]] && (( SECS >= 30 )) ||
  { echo "soak: --seconds must be a whole number of at least 30 (three thirds of 5 s samples)" >&2; exit 2; }
B="${1:-build}"
B=$(cd "$B" && pwd)
[[ -x $B/jutsu ]] || { echo "soak: no $B/jutsu: build first (scripts/build.sh $B)" >&2; exit 2; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is not installed (scripts/deps.sh --bench)" >&2; exit 2; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-soak-XXXXXX")
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/j.yaml" <<YAML
log: {level: warn}
database: {type: sqlite, sqlite: {path: "$T/j.db"}}
auth: {secret_key_file: "$T/jutsu.key"}
scheduler: {enabled: false}
sync: {symbols: [QQQ], timeframes: [1D], sources: [sample], history_start: "2014-01-01"}
eod: {baselines: [{id: QQQ, symbol: QQQ, initial_capital: "10000"}]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: password, plugin: auth-password, config: {opslimit: 2, memlimit_kib: 65536}}
  - {name: http, plugin: frontend-http, config: {listen: "127.0.0.1:$PORT", access_log: false, threads: 2}}
YAML
"$B/jutsu" -c "$T/j.yaml" sync >/dev/null 2>"$T/sync.log" || { cat "$T/sync.log" >&2; exit 1; }
"$B/jutsu" -c "$T/j.yaml" eod backfill --from 2015-01-02 >/dev/null 2>"$T/eod.log" ||
  { cat "$T/eod.log" >&2; exit 1; }
"$B/jutsu" -c "$T/j.yaml" user add soak --role viewer <<<"indigo-walrus-paper-77" >/dev/null
"$B/jutsu" -c "$T/j.yaml" serve 2>"$T/serve.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' \
        -d '{"username":"soak","password":"indigo-walrus-paper-77"}' \
        "http://127.0.0.1:$PORT/api/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# The mix: each connection walks these in turn (all read routes, 200 for a viewer).
ROUTES=(/api/health /api/auth/me "/api/v2/performance/QQQ/daily/history?days=30"
        "/api/eod/status?from=2024-01-01&to=2024-06-30" "/api/market-data/QQQ?from=2024-01-01"
        /api/strategies /api/openapi.json /api/v2/performance/QQQ/drawdown)
for r in "${ROUTES[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
         "http://127.0.0.1:$PORT$r")
  [[ $code == 200 ]] || { echo "soak: $r answers $code before the run; fix the mix" >&2; exit 1; }
done
{
  echo 'local paths = {'
  for r in "${ROUTES[@]}"; do printf '  "%s",\n' "$r"; done
  echo '}'
  cat <<LUA
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer $TOKEN" })
end
LUA
} >"$T/mix.lua"

# RSS every 5 s, in KiB, while wrk runs
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
( while kill -0 "$pid" 2>/dev/null; do rss; sleep 5; done ) >"$T/rss.txt" &
sampler=$!
wrk -t2 -c64 -d"${SECS}s" --timeout 10s --latency -s "$T/mix.lua" "http://127.0.0.1:$PORT" \
    >"$T/wrk.txt" || { cat "$T/wrk.txt" >&2; kill "$sampler"; exit 1; }
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
kill -0 "$pid" 2>/dev/null || { echo "soak: the server died; its log:" >&2; cat "$T/serve.log" >&2; exit 1; }

cat "$T/wrk.txt"
python3 - "$T/wrk.txt" "$T/rss.txt" <<'PY'
import re, sys
wrk = open(sys.argv[1]).read()
rss = [int(x) for x in open(sys.argv[2]).read().split()]
reqs = int(re.search(r'(\d+) requests in', wrk).group(1))
m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', wrk)
errors = [int(x) for x in m.groups()] if m else [0, 0, 0, 0]
m = re.search(r'Non-2xx or 3xx responses: (\d+)', wrk)
non2xx = int(m.group(1)) if m else 0
n = len(rss)
mid, last = rss[n // 3: 2 * n // 3], rss[2 * n // 3:]
ok = True
print(f"soak: {reqs} requests, socket errors (connect, read, write, timeout) {errors}, "
      f"non-2xx {non2xx}")
if sum(errors) or non2xx or reqs == 0:
    print("soak: FAIL: errors or non-2xx answers"); ok = False
if n < 6:
    print(f"soak: FAIL: only {n} RSS samples"); ok = False
else:
    a, b = max(mid), max(last)
    allow = max(a // 10, 4096)
    print(f"soak: RSS KiB first {rss[0]}, max of the middle third {a}, max of the last third "
          f"{b} (allowed {a + allow}), {n} samples")
    if b > a + allow:
        print("soak: FAIL: RSS still grows in the last third"); ok = False
print("soak: PASS" if ok else "soak: FAIL")
sys.exit(0 if ok else 1)
PY
