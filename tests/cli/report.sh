# A trader's report on the bundled sample data (SQLite): the backtest's
# starting capital, per-year table and trades (--trades FILE as CSV that
# parses, one row per trade the summary counts); money with thousands
# separators in tables and exact in JSON and CSV; no float artefacts in the
# JSON of backtest and perf show; colours only on a terminal; `trades list`
# and `positions` equal to the stored rows; an unknown strategy is not found.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: v3_5b, plugin: strategy-regime}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
BT=(backtest --strategy v3_5b --from 2015-01-02 --to 2019-12-31)
check_eq() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: got [$2], want [$3]"; fi; }
ESC=$'\033'
run sync 0 "${J[@]}" sync

# the report: capital, summary with separators, per-year table, trades
run report 0 "${J[@]}" "${BT[@]}" --trades "$TMP/trades.csv"
expect report out "backtest v3_5b, 2015-01-02 to 2019-12-31 (1258 trading days)"
expect report out "  starting capital: 10,000.00"
expect report out "per year"
expect report out "  YEAR    v3_5b     QQQ  DIFFERENCE"
for y in 2015 2016 2017 2018 2019; do expect report out "  $y  "; done
expect report out "trades: "
expect report out ", every one in $TMP/trades.csv"
grep -qE '^  final equity +[0-9]{1,3}(,[0-9]{3})+\.[0-9]{2} +[0-9]{1,3}(,[0-9]{3})+\.[0-9]{2}$' \
  "$TMP/out" && pass || fail "final equity without thousands separators: $(grep final "$TMP/out")"
refute report out "$ESC"
cp "$TMP/out" "$TMP/report.txt"
ntrades=$(sed -n 's/^  trades  *\([0-9][0-9]*\)  *-$/\1/p' "$TMP/report.txt")
[[ -n "$ntrades" && "$ntrades" -gt 10 ]] && pass || fail "the summary's trade count: [$ntrades]"

# --trades: RFC 4180 CSV that python's csv reads, one row per trade, exact money
python3 - "$TMP/trades.csv" "$ntrades" <<'PY' && pass || fail "--trades CSV"
import csv, sys, re
with open(sys.argv[1], newline="") as f:
    raw = f.read()
assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", ""), "lines end with CRLF"
rows = list(csv.reader(raw.splitlines(keepends=True)))
head, body = rows[0], rows[1:]
assert head == ["date", "symbol", "action", "quantity", "fill_price", "value",
                "realized_pnl", "reason"], head
assert len(body) == int(sys.argv[2]), (len(body), sys.argv[2])
money = re.compile(r"^-?\d+\.\d{6}$")
for r in body:
    assert len(r) == 8 and r[2] in ("BUY", "SELL") and int(r[3]) > 0, r
    assert money.match(r[4]) and money.match(r[5]), r
    assert (r[2] == "BUY" and r[6] == "") or money.match(r[6]), r
    assert "2015-01-02" <= r[0] <= "2019-12-31", r
PY
# without --trades: the last ones and a hint
run report-short 0 "${J[@]}" "${BT[@]}"
expect report-short out "the last 10 below (--trades FILE writes them all as CSV)"
check_eq shown-trades "$(sed -n '/^trades: /,$p' "$TMP/out" | grep -c '^  20[0-9][0-9]-')" 10

# JSON: money as exact strings, ratios without float artefacts, the series
run report-json 0 "${J[@]}" "${BT[@]}" --format json
cp "$TMP/out" "$TMP/bt.json"
python3 - "$TMP/bt.json" "$ntrades" <<'PY' && pass || fail "backtest --format json"
import json, re, sys
text = open(sys.argv[1]).read()
# outside strings, no number with more than 6 decimals (0.22272400000000001)
bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
bad = re.findall(r'-?\d+\.\d{7,}', bare)
assert not bad, bad[:5]
d = json.loads(text)
s, b = d["strategy"], d["baseline"]
money = re.compile(r"^-?\d+\.\d{6}$")
for k in ("initial_capital", "final_equity"):
    assert isinstance(s[k], str) and money.match(s[k]), (k, s[k])
assert d["capital"] == "10000.000000"
assert s["trades"] == int(sys.argv[2]) == len(d["trades"])
assert len(d["daily"]) == s["days"] == 1258
assert [y["year"] for y in d["years"]] == [2015, 2016, 2017, 2018, 2019]
g = 1.0
for y in d["years"]:
    g *= 1 + y["strategy_return"]
assert abs(g - 1 - s["total_return"]) < 1e-5, (g - 1, s["total_return"])
assert d["daily"][-1]["equity"] == s["final_equity"]
assert d["daily"][-1]["baseline_equity"] == b["final_equity"]
for t in d["trades"]:
    assert money.match(t["fill_price"]) and money.match(t["value"]), t
PY
# a parameter of the plugin for this run only; an unknown one is a usage error
run param 0 "${J[@]}" "${BT[@]}" --param sma_fast=20 --format json
python3 - "$TMP/bt.json" "$TMP/out" <<'PY' && pass || fail "--param changes the run"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b["parameters"] == {"sma_fast": "20"}
assert a["strategy"]["final_equity"] != b["strategy"]["final_equity"]
PY
run param-bad 2 "${J[@]}" "${BT[@]}" --param colour=red
expect param-bad err "colour is not a parameter of v3_5b (plugin strategy-regime)"
run param-form 2 "${J[@]}" "${BT[@]}" --param sma_fast
expect param-form err "--param sma_fast: write it as NAME=VALUE"

# colours: none with NO_COLOR, --no-color, or a pipe; on a terminal, yes
run nocolor-pipe 0 "${J[@]}" "${BT[@]}"
refute nocolor-pipe out "$ESC"
if script -qec true /dev/null >/dev/null 2>&1; then
  tty_run() { script -qec "$(printf '%q ' "$@")" /dev/null; }
  tty_run "${J[@]}" "${BT[@]}" >"$TMP/tty.out" 2>&1
  grep -q "$ESC\[1m" "$TMP/tty.out" && pass || fail "no bold header on a terminal"
  grep -q "$ESC\[3[12]m" "$TMP/tty.out" && pass || fail "no green/red return on a terminal"
  NO_COLOR=1 tty_run "${J[@]}" "${BT[@]}" >"$TMP/tty.out" 2>&1
  grep -q "$ESC" "$TMP/tty.out" && fail "colours with NO_COLOR=1" || pass
  NO_COLOR= tty_run "${J[@]}" "${BT[@]}" >"$TMP/tty.out" 2>&1
  grep -q "$ESC" "$TMP/tty.out" && fail "colours with NO_COLOR set empty" || pass
  tty_run "${J[@]}" "${BT[@]}" --no-color >"$TMP/tty.out" 2>&1
  grep -q "$ESC" "$TMP/tty.out" && fail "colours with --no-color" || pass
  tty_run "${J[@]}" --no-color "${BT[@]}" >"$TMP/tty.out" 2>&1
  grep -q "$ESC" "$TMP/tty.out" && fail "colours with a leading --no-color" || pass
else
  echo "SKIP: no usable \`script\` (util-linux): the colours on a terminal are not checked"
fi

# unknown strategy: not found (exit 1), the nearest named
run unknown 1 "${J[@]}" backtest --strategy v3_5 --from 2015-01-02 --to 2015-12-31
expect unknown err 'no strategy instance "v3_5" in the config; did you mean "v3_5b"?'
run trades-unknown 1 "${J[@]}" trades list --strategy v35b
expect trades-unknown err 'jutsu: error: no strategy instance "v35b" in the config;'
expect trades-unknown err 'did you mean "v3_5b"?'
run positions-unknown 1 "${J[@]}" positions --strategy nope
expect positions-unknown err 'no strategy instance "nope" in the config; strategy instances: v3_5b'

# the stored books after a few trading days
for d in 2024-03-01 2024-03-04 2024-06-03 2024-08-05; do
  run "trade-$d" 0 "${J[@]}" trade run --date "$d"
done
run trades 0 "${J[@]}" trades list
expect trades out "DATE        STRATEGY  MODE          SYMBOL  ACTION  QUANTITY  FILL PRICE"
grep -qE '^2024-03-01  v3_5b  .* BUY +[0-9]+ +[0-9]+\.[0-9]{2} +[0-9]{1,3},[0-9]{3}\.[0-9]{2} ' \
  "$TMP/out" && pass || fail "trades list: a BUY row with a separated value"
run trades-json 0 "${J[@]}" trades list --format json
cp "$TMP/out" "$TMP/trades.json"
run trades-csv 0 "${J[@]}" trades list --format csv
cp "$TMP/out" "$TMP/trades-list.csv"
run positions-json 0 "${J[@]}" positions --format json
cp "$TMP/out" "$TMP/positions.json"
run positions 0 "${J[@]}" positions
expect positions out "STRATEGY  MODE          SYMBOL  QUANTITY  AVG COST"
python3 - "$TMP/var/jutsu.db" "$TMP/trades.json" "$TMP/positions.json" "$TMP/trades-list.csv" \
  <<'PY' && pass || fail "trades list / positions JSON = the stored rows"
import csv, json, sqlite3, sys, re
from datetime import datetime, timezone
from decimal import Decimal
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
MONEY = {"target_price", "fill_price", "fill_value", "realized_pnl", "avg_cost",
         "market_value", "unrealized_pnl"}
RATIO = {"slippage_pct", "t_norm", "z_score"}
TIME = {"timestamp", "created_at", "last_updated"}
def micros(t):
    dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (int(dt.replace(tzinfo=timezone.utc).timestamp()) * 1000000 + dt.microsecond)
def same(k, cli, row):
    v = row[k]
    if v is None or cli is None:
        return v is None and cli is None
    if k in MONEY:
        return isinstance(cli, str) and re.match(r"^-?\d+\.\d{6}$", cli) and \
            Decimal(cli) * 1000000 == v
    if k in RATIO:
        return round(cli * 1000000) == v
    if k in TIME:
        return micros(cli) == v
    return cli == v
trades = json.load(open(sys.argv[2]))
rows = db.execute("SELECT * FROM live_trades ORDER BY timestamp, id").fetchall()
assert len(trades) == len(rows) > 0, (len(trades), len(rows))
for t, r in zip(trades, rows):
    assert set(t) == set(r.keys()), set(t) ^ set(r.keys())
    for k in r.keys():
        assert same(k, t[k], r), (k, t[k], r[k])
pos = json.load(open(sys.argv[3]))
rows = db.execute("SELECT * FROM positions ORDER BY symbol").fetchall()
assert len(pos) == len(rows) > 0, (len(pos), len(rows))
for p, r in zip(pos, rows):
    keys = set(r.keys()) - {"id"}   # a surrogate key the data API does not carry
    assert set(p) == keys, set(p) ^ keys
    for k in keys:
        assert same(k, p[k], r), (k, p[k], r[k])
with open(sys.argv[4], newline="") as f:
    c = list(csv.DictReader(f))
assert len(c) == len(trades) and c[0]["fill_price"] == trades[0]["fill_price"]
PY
run trades-symbol 0 "${J[@]}" trades list --symbol TQQQ --format json
python3 - "$TMP/out" <<'PY' && pass || fail "--symbol"
import json, sys
d = json.load(open(sys.argv[1]))
assert d and all(t["symbol"] == "TQQQ" for t in d)
PY
run trades-limit 0 "${J[@]}" trades list --limit 1 --format json
python3 - "$TMP/out" "$TMP/trades.json" <<'PY' && pass || fail "--limit 1: the newest"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a == b[-1:], (a, b[-1:])
PY
run trades-range 0 "${J[@]}" trades list --from 2024-03-02 --to 2024-06-03 --format json
python3 - "$TMP/out" <<'PY' && pass || fail "--from/--to"
import json, sys
d = json.load(open(sys.argv[1]))
assert d and all("2024-03-02" <= t["timestamp"][:10] <= "2024-06-03" for t in d)
PY
run trades-none 0 "${J[@]}" trades list --symbol XYZ
expect trades-none err "jutsu: no trades of XYZ"

# perf show --format json: every ratio at its column's precision
run eod 0 "${J[@]}" eod backfill --from 2024-03-01 --to 2024-08-05
run perf-json 0 "${J[@]}" perf show v3_5b --format json
python3 - "$TMP/out" <<'PY' && pass || fail "perf show --format json: float artefacts"
import json, re, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
assert d, "no rows"
places = {"win_rate": 2, "returns_sum": 8, "returns_sum_sq": 8, "downside_sum_sq": 8}
for line in text.splitlines():
    m = re.match(r'\s*"(\w+)":(-?\d+\.(\d+)),?$', line)
    if not m or m.group(1) in ("welford_mean", "welford_m2"):
        continue
    assert len(m.group(3)) <= places.get(m.group(1), 6), line
for r in d:
    for k in ("welford_mean", "welford_m2"):
        v = r.get(k)
        if isinstance(v, float):   # the shortest text that reads back the same
            assert float(repr(v)) == v
PY
run perf-table 0 "${J[@]}" perf show v3_5b
grep -qE '^2024-08-05 +[0-9]{1,3}(,[0-9]{3})+\.[0-9]{2} ' "$TMP/out" && pass \
  || fail "perf show: equity without separators: $(tail -1 "$TMP/out")"

# the new commands are in the table: help, did-you-mean, completion
run help-trades 0 "$JUTSU" help trades list
expect help-trades out "--limit N"
run near 2 "$JUTSU" -c "$TMP/j.yaml" trades lsit
expect near err 'did you mean `trades list`?'
run near-pos 2 "$JUTSU" -c "$TMP/j.yaml" postions
expect near-pos err 'did you mean `positions`?'
finish
