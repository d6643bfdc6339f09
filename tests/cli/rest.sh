# rest: the REST API as a user meets it: `jutsu serve` on the bundled sample
# data after `sync`, `trade run` and `eod backfill`, spoken to with curl.
# The history route's KPIs equal `jutsu perf show --format json`; the
# routes the original lost behind a wildcard answer 200; an SSE client sees
# eod.finalized after POST /api/control/eod; every route of the OpenAPI
# document is reachable.
source "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { echo "rest: curl is not installed"; exit 1; }
command -v python3 >/dev/null || { echo "rest: python3 is not installed"; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
cat >"$TMP/j.yaml" <<YAML
log: {format: text}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
auth: {secret_key_file: "$TMP/var/jutsu.key"}
scheduler: {enabled: false}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2022-06-01"}
eod: {baselines: [{id: QQQ, symbol: QQQ, initial_capital: "10000"}]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, initial_capital: "10000"}
  - {name: password, plugin: auth-password, config: {opslimit: 1, memlimit_kib: 8192}}
  - {name: totp, plugin: auth-totp}
  - {name: passkey, plugin: auth-passkey, config: {rp_id: localhost, origins: ["http://localhost:8080"]}}
  - {name: http, plugin: frontend-http, config: {listen: "127.0.0.1:$PORT"}}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
run sync 0 "${J[@]}" sync
for d in 2024-06-03 2024-06-04 2024-06-05 2024-06-06 2024-06-07 2024-06-10 2024-06-11; do
  run "trade $d" 0 "${J[@]}" trade run --date "$d"
done
run backfill 0 "${J[@]}" eod backfill --from 2024-06-03 --to 2024-06-11
printf 'orange-kettle-sunrise-42\n' | "${J[@]}" user add ada --role admin >/dev/null 2>&1 || fail "user add"

"${J[@]}" serve 2>"$TMP/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null; wait $SERVE 2>/dev/null; [[ -n "${SSE:-}" ]] && kill $SSE 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/api/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' \
        -d '{"username":"ada","password":"orange-kettle-sunrise-42"}' "$BASE/api/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
[[ -n "$TOKEN" ]] && pass || fail "login"
AUTH=(-H "Authorization: Bearer $TOKEN")

# get NAME PATH WANT_STATUS: the body in $TMP/body
get() {
  local code
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' "${AUTH[@]}" "$BASE$2")
  if [[ "$code" == "$3" ]]; then pass; else fail "$1: GET $2 gave $code, want $3"; head -c 400 "$TMP/body"; echo; fi
}

# the original's shadowed routes are reachable here
get today /api/v2/performance/eod-status/today 200
get primary /api/strategies/primary/state 200
python3 - "$TMP/body" <<'PY' && pass || fail "primary state names v3_5b"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d.get("strategy") == "v3_5b" else 1)
PY

# the history route's KPIs are the CLI's
get history "/api/v2/performance/QQQ/daily/history?from=2024-06-03&to=2024-06-11" 200
cp "$TMP/body" "$TMP/history.json"
run perf-show 0 "${J[@]}" perf show QQQ --from 2024-06-03 --to 2024-06-11 --format json
python3 - "$TMP/history.json" "$TMP/out" <<'PY' && pass || fail "history route = perf show"
import json, sys
api = json.load(open(sys.argv[1]))
rows = api["rows"]
cli = json.load(open(sys.argv[2]))
cli = cli["rows"] if isinstance(cli, dict) and "rows" in cli else cli
by_date = {r["trading_date"]: r for r in cli}
keys = ["total_equity", "daily_return", "cumulative_return", "drawdown", "sharpe_ratio",
        "sortino_ratio", "calmar_ratio", "max_drawdown", "volatility", "cagr"]
assert len(rows) == 7 and len(by_date) == 7, (len(rows), len(by_date))
for r in rows:
    c = by_date[r["trading_date"]]
    for k in keys:
        assert r.get(k) == c.get(k), (r["trading_date"], k, r.get(k), c.get(k))
PY

# an SSE client sees eod.finalized after POST /api/control/eod
curl -sN "${AUTH[@]}" "$BASE/api/events?topics=eod.finalized,job.finished" >"$TMP/sse" 2>/dev/null &
SSE=$!
sleep 0.5
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
       -d '{"date":"2024-06-12"}' "$BASE/api/control/eod")
[[ "$code" == 202 ]] && pass || { fail "control/eod gave $code"; cat "$TMP/body"; }
RUN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/body")
status=""
for _ in $(seq 1 200); do
  status=$(curl -s "${AUTH[@]}" "$BASE/api/jobs/$RUN" |
           python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))')
  [[ "$status" == ok || "$status" == failed ]] && break
  sleep 0.05
done
[[ "$status" == ok ]] && pass || fail "the eod run ended $status"
for _ in $(seq 1 100); do grep -q '^event: eod.finalized' "$TMP/sse" && break; sleep 0.05; done
grep -q '^event: eod.finalized' "$TMP/sse" && pass || { fail "no eod.finalized on /api/events"; cat "$TMP/sse"; }
grep -q '^id: ' "$TMP/sse" && pass || fail "events carry no id"
kill $SSE 2>/dev/null; wait $SSE 2>/dev/null; SSE=""

# every GET route of the OpenAPI document answers 2xx to the admin here,
# with real arguments (the SSE stream is tested above; an invitation needs
# its one-time token, tested in test_frontend_http)
curl -sf "$BASE/api/openapi.json" >"$TMP/openapi.json" || fail "openapi.json"
# docs/rest.md's route tables are this document's (JUTSU_REST_DOC_WRITE=1
# ctest -R cli_rest rewrites them after a route changed)
if [[ -n "${JUTSU_REST_DOC_WRITE:-}" ]]; then
  python3 scripts/rest-doc.py "$TMP/openapi.json" docs/rest.md
fi
python3 scripts/rest-doc.py "$TMP/openapi.json" docs/rest.md --check >"$TMP/doc.diff" && pass ||
  { fail "docs/rest.md differs from /api/openapi.json (JUTSU_REST_DOC_WRITE=1 rewrites it)";
    head -40 "$TMP/doc.diff"; }
python3 - "$TMP/openapi.json" "$BASE" "$TOKEN" "$RUN" <<'PY' && pass || fail "every GET route answers 2xx"
import json, sys, urllib.request, urllib.error
doc, base, token, run = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
args = {"{entity}": "QQQ", "{date}": "2024-06-11", "{symbol}": "QQQ", "{job}": "eod"}
bad, n = [], 0
for path, item in doc["paths"].items():
    if "get" not in item or path in ("/api/events", "/api/invitations/{token}"):
        continue
    url = path
    for k, v in args.items():
        url = url.replace(k, v)
    url = url.replace("{id}", "v3_5b" if "strategies" in path else run if "jobs" in path
                      else "1")
    q = "?entities=v3_5b,QQQ" if path.endswith("/comparison") else ""
    req = urllib.request.Request(base + url + q, headers={"Authorization": "Bearer " + token})
    try:
        code, body = urllib.request.urlopen(req, timeout=10).status, ""
    except urllib.error.HTTPError as e:
        code, body = e.code, e.read().decode()
    n += 1
    if not 200 <= code < 300:
        bad.append((url, code, body[:200]))
if bad or n < 30:
    print(n, bad)
sys.exit(1 if bad or n < 30 else 0)
PY
finish
