# trade run, backtest and config override on the bundled sample data (SQLite).
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: hold, plugin: tp-strategy, config: {warmup: 3}}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
run sync 0 "${J[@]}" sync

# 10,000 / 445.609985 (QQQ's close on 2024-03-01): 22 shares at the close x 1.001
run trade 0 "${J[@]}" trade run --date 2024-03-01
expect trade out "2024-03-01 hold (offline_mock): traded"
expect trade out "  BUY      22 QQQ    at 445.609985: filled 22 at 446.055595"
run again 0 "${J[@]}" trade run --date 2024-03-01
expect again out "already ran; "
run json 0 "${J[@]}" trade run --date 2024-03-04 --format json
expect json out '"outcome":"hold"'
expect json out '"stale":null'
refute json err "warning"
# a closed day is a usage error and reads as one; an unknown strategy is
# not found (exit 1) and names the instances there are
run weekend 2 "${J[@]}" trade run --date 2024-03-02
expect weekend err "jutsu: usage error: 2024-03-02 is not a trading day (Saturday)"
run unknown 1 "${J[@]}" trade run --strategy nope --date 2024-03-04
expect unknown err 'jutsu: error: no strategy instance "nope" in the config;'
expect unknown err '; strategy instances: hold'
refute unknown out "["
run unknown-near 1 "${J[@]}" trade run --strategy hodl --date 2024-03-04
expect unknown-near err 'no strategy instance "hodl" in the config; did you mean "hold"?'

# the data ends on 2026-05-13: a later day is decided without its bar, which
# the result line cannot show (it says hold as on a quiet day): a warning does
run stale 0 "${J[@]}" trade run --date 2026-06-05
expect stale out "2026-06-05 hold (offline_mock): hold"
expect stale err "jutsu: warning: hold on 2026-06-05: no valid QQQ bar that day, the newest is"
expect stale err "the newest is of 2026-05-13 (23 days earlier): \"hold\" was decided without it"
run stale-json 0 "${J[@]}" trade run --date 2026-06-08 --format json
expect stale-json out '"stale":{'
expect stale-json out '"newest_bar":"2026-05-13"'
expect stale-json err "the newest is of 2026-05-13 (26 days earlier)"

# overrides: checked against the plugin's schema, recorded with their history
run ov-set 0 "${J[@]}" config override set hold warmup 4 --reason "a test"
expect ov-set out "hold.warmup = 4 (was 3)"
run ov-bad-type 2 "${J[@]}" config override set hold warmup four
expect ov-bad-type err '"four" is not an integer (key "warmup" in strategy hold (plugin tp-strategy))'
run ov-bad-name 2 "${J[@]}" config override set hold colour red
expect ov-bad-name err "colour is not a parameter of hold (plugin tp-strategy); parameters: symbol, warmup"
run ov-list 0 "${J[@]}" config override list hold
expect ov-list out "warmup                   4              3"
run ov-unset 0 "${J[@]}" config override unset hold warmup
run ov-history 0 "${J[@]}" config override list hold --history
expect ov-history out "override 3            -> 4"
expect ov-history out "restore  4            -> 3"

# a backtest: the summary beside the baseline's, the day-by-day CSV; nothing kept
before=$(sqlite3 "$TMP/var/jutsu.db" "SELECT (SELECT COUNT(*) FROM live_trades) || '/' ||
  (SELECT COUNT(*) FROM performance_snapshots) || '/' || (SELECT COUNT(*) FROM daily_performance)")
run backtest 0 "${J[@]}" backtest --strategy hold --from 2020-01-02 --to 2020-12-31 \
  --daily "$TMP/daily.csv"
expect backtest out "backtest hold, 2020-01-02 to 2020-12-31 (253 trading days)"
expect backtest out "                                 hold                QQQ"
expect backtest out "final allocation: QQQ "
check_eq() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: got [$2], want [$3]"; fi; }
check_eq daily-rows "$(wc -l < "$TMP/daily.csv")" 254
check_eq daily-head "$(head -1 "$TMP/daily.csv")" \
  "date,equity,cash,cell,trend_state,vol_state,t_norm,z_score,sma_fast,sma_slow,weight_QQQ"
after=$(sqlite3 "$TMP/var/jutsu.db" "SELECT (SELECT COUNT(*) FROM live_trades) || '/' ||
  (SELECT COUNT(*) FROM performance_snapshots) || '/' || (SELECT COUNT(*) FROM daily_performance)")
check_eq backtest-kept-nothing "$after" "$before"
run backtest-json 0 "${J[@]}" backtest --strategy hold --from 2020-01-02 --to 2020-12-31 --format json
expect backtest-json out '"trades":1'
run backtest-args 2 "${J[@]}" backtest --strategy hold --from 2020-12-31 --to 2020-01-02
expect backtest-args err "--from is after --to"
run backtest-unknown 1 "${J[@]}" backtest --strategy hodl --from 2020-01-02 --to 2020-12-31
expect backtest-unknown err 'jutsu: error: no strategy instance "hodl" in the config; did you'
expect backtest-unknown err 'did you mean "hold"?'
run backtest-no-day 2 "${J[@]}" backtest --strategy hold --from 2020-01-04 --to 2020-01-05
expect backtest-no-day err "jutsu: usage error: no trading day between --from and --to"
# the regime strategy on two days in a row: its saved state (whose
# oscillator can round to 100.00000000000001) reads back on the second
cat > "$TMP/r.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/var/r.db"}}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2024-01-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, initial_capital: "10000"}
YAML
R=("$JUTSU" -c "$TMP/r.yaml")
run r-sync 0 "${R[@]}" sync
run r-day1 0 "${R[@]}" trade run --date 2026-05-12
run r-day2 0 "${R[@]}" trade run --date 2026-05-13
refute r-day2 out "failed"
refute r-day2 err "could not restore"
finish
