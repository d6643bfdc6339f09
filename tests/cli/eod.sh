# eod run|backfill|status and perf show on the bundled sample data (SQLite).
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ], sources: [sample]}
eod: {lookback_days: 2}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
run sync 0 "${J[@]}" sync

# per day the rows there are; per entity how many, from .. to, written
run backfill 0 "${J[@]}" eod backfill --from 2026-01-02 --to 2026-05-13
expect backfill out "2026-05-13  completed  0/0            1/1                  1"
expect backfill out "baseline QQQ                offline_mock     91  2026-01-02  2026-05-13       91"
expect backfill out "91 trading days, 91 rows written"

run again 0 "${J[@]}" eod backfill --from 2026-01-02 --to 2026-05-13
expect again out "91 trading days, 0 rows written"

run run-day 0 "${J[@]}" eod run --date 2026-05-13
expect run-day out "1 trading day, 0 rows written"
run run-json 0 "${J[@]}" eod run --date 2026-05-13 --format json
expect run-json out '"status":"completed"'
expect run-json out '"rows_changed":0'

# the first day is the initial capital; the KPIs need two returns
run show 0 "${J[@]}" perf show QQQ --to 2026-01-06
expect show out "2026-01-02          10,000.00    0.00%     0.00%    0.00%       -       -       -    0.00%        -        -       -    -"
run show-csv 0 "${J[@]}" perf show QQQ --from 2026-05-13 --format csv
expect show-csv out "trading_date,entity_type,entity_id,mode,total_equity,"
expect show-csv out "2026-05-13,baseline,QQQ,offline_mock,"
run show-json 0 "${J[@]}" perf show QQQ --from 2026-05-13 --format json
expect show-json out '"trading_days_count":91'
expect show-json out '"basis_close":"'

run status 0 "${J[@]}" eod status --date 2026-05-13
expect status out "2026-05-13  completed"

# a day after the data's end waits for it: no failure, said once with
# the file that ends there; `eod status` says so too (no row is stored)
run waiting 0 "${J[@]}" eod run --date 2026-05-14
expect waiting out "2026-05-14  waiting    0/0            0/1                  0"
expect waiting out "baseline QQQ                offline_mock      0  -           -                 0  1 day wait for data: the newest QQQ bar is 2026-05-13"
expect waiting out "2026-05-14 waits for data: the newest QQQ bar is 2026-05-13; source sample reads files, and $PWD/conf/sample-data/QQQ.csv ends there: add the later rows to it, then run \`jutsu sync\`"
refute waiting out "partial"
refute waiting out "not complete"
run waiting-json 0 "${J[@]}" eod run --date 2026-05-14 --format json
expect waiting-json out '"status":"waiting"'
expect waiting-json out '"days_waiting":1'
expect waiting-json out '"waiting":"2026-05-14 waits for data: the newest QQQ bar is 2026-05-13;'
run status-waiting 0 "${J[@]}" eod status --date 2026-05-14
expect status-waiting out "2026-05-14  waiting"
expect status-waiting out "waits for data: the newest QQQ bar is 2026-05-13"
refute status-waiting err "has not run"

# what is refused, and how
run weekend 2 "${J[@]}" eod run --date 2026-05-09
expect weekend err "jutsu: usage error: 2026-05-09 is not a trading day (Saturday)"
run no-from 2 "${J[@]}" eod backfill
expect no-from err "--from DATE is required"
run not-for-run 2 "${J[@]}" eod run --from 2026-01-02
expect not-for-run err "--from does not apply to \`jutsu eod run\`"
# what is not there is not found (exit 1), with the nearest name or the list
run unknown 1 "${J[@]}" perf show NOPE
expect unknown err "jutsu: error: NOPE is neither a strategy instance nor a baseline"
expect unknown err "; strategies and baselines: QQQ"
run unknown-near 1 "${J[@]}" perf show QQ
expect unknown-near err 'did you mean "QQQ"?'
run unknown-entity 1 "${J[@]}" eod backfill --from 2026-05-01 --entity NOPE
expect unknown-entity err 'jutsu: error: no entity "NOPE" is configured'
refute unknown-entity out "DATE"
run unknown-entity-near 1 "${J[@]}" eod backfill --from 2026-05-01 --entity qqq
expect unknown-entity-near err 'did you mean "QQQ"?'

# days the job never ran: an empty table, and what that means on stderr
run status-none 0 "${J[@]}" eod status --date 2025-05-13
expect status-none out "DATE        STATUS"
expect status-none err "the EOD job has not run for these days"
refute status-none out "has not run"
# a strategy with no snapshot yet has no rows: the summary says why, and
# what gives it rows; after one trading run it has rows from that day on
cat > "$TMP/s.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/s.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: bh, plugin: strategy-buyhold}
YAML
S=("$JUTSU" -c "$TMP/s.yaml")
run s-sync 0 "${S[@]}" sync
run not-started 0 "${S[@]}" eod backfill --from 2026-05-04 --to 2026-05-13
expect not-started out "2026-05-13  completed  0/1            1/1                  1"
expect not-started out "strategy bh                 offline_mock      0  -           -                 0  not started: it has no snapshot on or before 2026-05-13; its rows start with the trading job's first run of it (serve's trading slot, or e.g. \`jutsu trade run --strategy bh --date 2026-05-13\`); \`jutsu backtest --strategy bh --from 2026-05-04 --to 2026-05-13\` shows that range without keeping it"
expect not-started out "baseline QQQ                offline_mock      8  2026-05-04  2026-05-13        8"
run not-started-json 0 "${S[@]}" eod backfill --from 2026-05-04 --to 2026-05-13 --format json
expect not-started-json out '"strategy_rows":0'
expect not-started-json out '"days_not_started":8'
run s-trade 0 "${S[@]}" trade run --strategy bh --date 2026-05-11
run started 0 "${S[@]}" eod backfill --from 2026-05-04 --to 2026-05-13
expect started out "2026-05-11  completed  1/1            1/1                  1"
expect started out "strategy bh                 offline_mock      3  2026-05-11  2026-05-13        3  not started before its first snapshot (5 days)"
expect started out "8 trading days, 3 rows written"

# a range that starts before the first stored bar starts at it, and says so;
# one that ends before it is refused (0000-01-01 once wrote 508,318 rows)
cat > "$TMP/f.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/f.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
YAML
F=("$JUTSU" -c "$TMP/f.yaml")
run f-sync 0 "${F[@]}" sync
run from-zero 0 "${F[@]}" eod backfill --from 0000-01-01 --to 2010-01-08
expect from-zero err "jutsu: --from 0000-01-01 is before the first stored bar (2010-01-04); \
backfilling from 2010-01-04"
expect from-zero out "5 trading days, 5 rows written"
run from-zero-status 0 "${F[@]}" eod status --date 2010-01-08 --days 3000 --format json
rows=$(grep -c '"date"' "$TMP/out")
if [[ $rows -eq 5 ]]; then pass; else fail "from-zero-status: $rows eod_job_status rows, want 5"; fi
run before-data 2 "${F[@]}" eod backfill --from 0000-01-01 --to 2009-12-31
expect before-data err "ends before the first stored bar (2010-01-04): there is nothing to backfill"
run entity-empty 2 "${F[@]}" eod backfill --from 2010-01-04 --to 2010-01-08 --entity ""
expect entity-empty err "--entity needs the id of a strategy instance or a baseline"

# a backfill is one transaction: when a day fails, nothing is written, and
# the report says so (not the rows it computed before the error)
python3 - "$TMP/var/f.db" <<'PY' && pass || fail "f-trigger"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TRIGGER no_day BEFORE INSERT ON eod_job_status "
          "WHEN NEW.job_date = '2010-01-13' BEGIN SELECT RAISE(ABORT, 'no status today'); END")
c.commit()
PY
run rolled-back 1 "${F[@]}" eod backfill --from 2010-01-11 --to 2010-01-15
expect rolled-back out "nothing written: the backfill of 5 trading days (2010-01-11 to 2010-01-15)"
expect rolled-back err "no status today"
refute rolled-back out "rows written"
refute rolled-back out "baseline QQQ"
run rolled-back-json 1 "${F[@]}" eod backfill --from 2010-01-11 --to 2010-01-15 --format json
expect rolled-back-json out '"rows_changed":0'
refute rolled-back-json out '"rows_changed":1'
refute rolled-back-json out '"written":3'
run rolled-back-perf 0 "${F[@]}" perf show QQQ --from 2010-01-11 --to 2010-01-15 --format csv
rows=$(grep -c '^2010-01-1' "$TMP/out")
if [[ $rows -eq 0 ]]; then pass; else fail "rolled-back-perf: $rows rows stored, want 0"; fi
# a count is read whole: "5x" was taken as 5
run days-junk 2 "${J[@]}" eod status --days 5x
expect days-junk err "--days 5x: a number of trading days, 1 to 3660"
finish
