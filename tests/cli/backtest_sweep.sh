# `jutsu backtest --sweep` on the bundled sample data (SQLite): the table
# and the JSON and CSV shapes, the count of combinations of an exact
# decimal range, the live row marked (the config's values, then with an
# active override), a combination's figures equal to those of a plain
# `backtest --param` run with the same values (exact), the same figures on
# 1 and 2 threads, --sort, a combination the plugin refuses failing alone,
# the refusals before any run, and SIGINT stopping it cleanly.
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
# short ranges: the runs are many
BT=(backtest --strategy v3_5b --from 2019-01-02 --to 2019-12-31)
SHORT=(backtest --strategy v3_5b --from 2019-12-02 --to 2019-12-31)
check_eq() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: got [$2], want [$3]"; fi; }
run sync 0 "${J[@]}" sync

# the table: one row per combination, the live one marked, the baseline above
run table 0 "${J[@]}" "${BT[@]}" --sweep upper_z=0.8:1.0:0.1 --sweep sma_slow=100,140 --jobs 1
expect table out "sweep v3_5b, 2019-01-02 to 2019-12-31 (252 trading days): 6 combinations on 1"
expect table out "  starting capital: 10,000.00"
expect table out "  baseline QQQ: total return "
expect table out "upper_z  sma_slow  TOTAL RETURN    CAGR  SHARPE  SORTINO  CALMAR  MAX DRAWDOWN"
expect table out "  * the live parameters (the config with its active overrides)"
expect table out "run it over a later period than --to"
check_eq table-rows "$(grep -cE '^  [ *]  +(0\.8|0\.9|1\.0) +(100|140) ' "$TMP/out")" 6
check_eq table-live "$(grep -E '^  \*  +[0-9]' "$TMP/out" | awk '{print $2, $3}')" "1.0 140"

# JSON: the shape, the values as computed, exactly one live run
run json 0 "${J[@]}" "${BT[@]}" --sweep upper_z=0.8:1.0:0.1 --sweep sma_slow=100,140 --jobs 1 \
  --format json
cp "$TMP/out" "$TMP/sweep1.json"
python3 - "$TMP/sweep1.json" <<'PY' && pass || fail "sweep --format json"
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["strategy"] == "v3_5b" and d["from"] == "2019-01-02" and d["to"] == "2019-12-31"
assert d["capital"] == "10000.000000"
assert d["sweep"] == [{"name": "upper_z", "values": ["0.8", "0.9", "1.0"]},
                      {"name": "sma_slow", "values": ["100", "140"]}], d["sweep"]
assert d["combinations"] == 6 == len(d["runs"]) and d["threads"] == 1
assert d["failed"] == 0 and d["not_run"] == 0 and d["interrupted"] is False
assert d["baseline"]["id"] == "QQQ"
order = [(r["parameters"]["upper_z"], r["parameters"]["sma_slow"]) for r in d["runs"]]
assert order == [(u, s) for u in ("0.8", "0.9", "1.0") for s in ("100", "140")], order
live = [r["parameters"] for r in d["runs"] if r["live"]]
assert live == [{"upper_z": "1.0", "sma_slow": "140"}], live
money = re.compile(r"^\d+\.\d{6}$")
for r in d["runs"]:
    assert r["error"] is None and money.match(r["final_equity"]), r
    for k in ("total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown", "trades",
              "win_rate", "days"):
        assert isinstance(r[k], (int, float)), (k, r)
assert len({r["final_equity"] for r in d["runs"]}) > 1, "the parameters changed nothing"
PY

# one combination's figures are a plain run's with the same values, exactly
run plain 0 "${J[@]}" "${BT[@]}" --param upper_z=0.9 --param sma_slow=100 --format json
python3 - "$TMP/sweep1.json" "$TMP/out" <<'PY' && pass || fail "sweep row == plain --param run"
import json, sys
sw, plain = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
row = [r for r in sw["runs"] if r["parameters"] == {"upper_z": "0.9", "sma_slow": "100"}][0]
s = plain["strategy"]
for k in ("final_equity", "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown",
          "volatility", "trades", "win_rate", "days", "final_allocation"):
    assert row[k] == s[k], (k, row[k], s[k])
assert sw["baseline"] == plain["baseline"], (sw["baseline"], plain["baseline"])
PY

# two threads: the same figures (each run is independent of the others)
run jobs2 0 "${J[@]}" "${BT[@]}" --sweep upper_z=0.8:1.0:0.1 --sweep sma_slow=100,140 --jobs 2 \
  --format json
python3 - "$TMP/sweep1.json" "$TMP/out" <<'PY' && pass || fail "--jobs 2 == --jobs 1"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b["threads"] == 2 and b["failed"] == 0, (b["threads"], b["failed"],
                                                [r["error"] for r in b["runs"] if r["error"]])
assert a["runs"] == b["runs"]
PY

# an exact range: 0.8:1.4:0.1 is seven values, 21 combinations with three more
run count 0 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.8:1.4:0.1 --sweep sma_slow=100,140,200 \
  --format json
python3 - "$TMP/out" <<'PY' && pass || fail "0.8:1.4:0.1 x 3"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["sweep"][0]["values"] == ["0.8", "0.9", "1.0", "1.1", "1.2", "1.3", "1.4"], d["sweep"]
assert d["combinations"] == 21 == len(d["runs"]) and d["failed"] == 0
PY

# CSV: RFC 4180, a header and one line per combination
run csv 0 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.9,1.0 --format csv
python3 - "$TMP/out" <<'PY' && pass || fail "sweep --format csv"
import csv, sys
raw = open(sys.argv[1], newline="").read()
assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", ""), "lines end with CRLF"
rows = list(csv.reader(raw.splitlines(keepends=True)))
assert rows[0][:4] == ["upper_z", "live", "error", "total_return"], rows[0]
assert "final_equity" in rows[0] and len(rows) == 3, rows
assert [r[0] for r in rows[1:]] == ["0.9", "1.0"] and [r[1] for r in rows[1:]] == ["false", "true"]
PY

# --sort: the highest Sharpe first
run sort 0 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.8:1.2:0.2 --sort sharpe --format json
python3 - "$TMP/out" <<'PY' && pass || fail "--sort sharpe"
import json, sys
d = json.load(open(sys.argv[1]))
s = [r["sharpe"] for r in d["runs"]]
assert d["sort"] == "sharpe" and s == sorted(s, reverse=True), s
PY

# the live row follows an active override
run override 0 "${J[@]}" config override set v3_5b upper_z 0.9 --reason "sweep test"
run live-override 0 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.8:1.0:0.1 --format json
python3 - "$TMP/out" <<'PY' && pass || fail "live row with an override"
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["parameters"]["upper_z"] for r in d["runs"] if r["live"]] == ["0.9"], d["runs"]
PY
run unset 0 "${J[@]}" config override unset v3_5b upper_z --reason "sweep test"

# a combination the plugin refuses fails in its row; the others run; exit 1
run one-fails 1 "${J[@]}" "${SHORT[@]}" --sweep sma_fast=40,150 --param sma_slow=140 --jobs 1
expect one-fails out "1 of 2 combinations failed"
expect one-fails out "sma_fast (150) must be less than sma_slow (140)"
check_eq one-fails-ran "$(grep -cE '^  [ *]  +40 +-?[0-9.]+%' "$TMP/out")" 1

# refused before any run, the parameter named (exit 2)
run unknown 2 "${J[@]}" "${SHORT[@]}" --sweep colour=1,2
expect unknown err "--sweep colour is not a parameter of v3_5b (plugin strategy-regime); param"
run backwards 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=1.4:0.8:0.1
expect backwards err "--sweep upper_z=1.4:0.8:0.1: the start is above the end"
run step0 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.8:1.4:0
expect step0 err "--sweep upper_z=0.8:1.4:0: the step must be above 0"
run nan 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0.8:high:0.1
expect nan err "--sweep upper_z=0.8:high:0.1: the end \"high\" is not a decimal number"
run int-range 2 "${J[@]}" "${SHORT[@]}" --sweep sma_slow=1,140
expect int-range err "--sweep sma_slow=1: sma_slow is an integer, 2..2520"
run int-step 2 "${J[@]}" "${SHORT[@]}" --sweep sma_slow=100:200:0.5
expect int-step err "sma_slow is an integer, 2..2520; a range of it takes whole numbers"
run not-number 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=1,abc
expect not-number err "--sweep upper_z=abc: upper_z is a number (\"z-score above it"
run too-many 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=0:9.9:0.1 --sweep sma_slow=2:200:1
expect too-many err "--sweep: 19900 combinations; at most 10000"
# 8192^5 = 2^65 wraps a 64-bit product to 0: still refused, as a lower bound
run too-many-wrap 2 "${J[@]}" "${SHORT[@]}" --sweep a=0:8191:1 --sweep b=0:8191:1 \
  --sweep c=0:8191:1 --sweep d=0:8191:1 --sweep e=0:8191:1
expect too-many-wrap err "--sweep: at least 67108864 combinations; at most 10000"
run twice 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=1 --param upper_z=1.1
expect twice err "upper_z is both swept (--sweep) and fixed (--param)"
run jobs-alone 2 "${J[@]}" "${SHORT[@]}" --jobs 2
expect jobs-alone err "--jobs goes with --sweep"
run sort-bad 2 "${J[@]}" "${SHORT[@]}" --sweep upper_z=1 --sort best
expect sort-bad err "--sort best: sort by one of total_return, cagr, sharpe"
run strategy-bad 1 "${J[@]}" backtest --strategy v3_5c --from 2019-12-02 --to 2019-12-31 \
  --sweep upper_z=1,2
expect strategy-bad err 'no strategy instance "v3_5c" in the config; did you mean "v3_5b"?'
run help 0 "${J[@]}" help backtest
expect help out "measured on overfit"
expect help out "Hold out a later period"

# SIGINT: the runs under way finish, the rest are not started, the rows
# that ran are printed, exit 130. The signal is sent once the sweep's
# handler is in place (SigCgt in /proc), so that it is the sweep that
# answers it, not the default action.
"${J[@]}" "${BT[@]}" --sweep upper_z=0.5:1.5:0.01 --sweep sma_slow=100,140,200 --jobs 1 \
  >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
caught=0
for _ in $(seq 600); do
  mask=$(sed -n 's/^SigCgt:\s*//p' "/proc/$pid/status" 2>/dev/null)
  if [[ -n "$mask" ]] && (( (16#$mask >> 1) & 1 )); then caught=1; break; fi
  sleep 0.05
done
[[ $caught == 1 ]] && pass || fail "the sweep never caught SIGINT"
kill -INT "$pid"
wait "$pid"
check_eq sigint-exit "$?" 130
grep -qE '^  interrupted: [0-9]+ of 303 combinations not run$' "$TMP/int.out" && pass \
  || fail "SIGINT: $(tail -5 "$TMP/int.out")"
grep -qF "interrupted: the runs under way finish" "$TMP/int.err" && pass || fail "SIGINT: stderr"

finish
