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

run backfill 0 "${J[@]}" eod backfill --from 2026-01-02 --to 2026-05-13
expect backfill out "2026-05-13  completed  0/0         1/1"
expect backfill out "baseline QQQ              offline_mock done        "
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
expect show out "2026-01-02       10000.000000    0.00%     0.00%    0.00%       -       -       -    0.00%        -        -       -    -"
run show-csv 0 "${J[@]}" perf show QQQ --from 2026-05-13 --format csv
expect show-csv out "trading_date,entity_type,entity_id,mode,total_equity,"
expect show-csv out "2026-05-13,baseline,QQQ,offline_mock,"
run show-json 0 "${J[@]}" perf show QQQ --from 2026-05-13 --format json
expect show-json out '"trading_days_count":91'
expect show-json out '"basis_close":"'

run status 0 "${J[@]}" eod status --date 2026-05-13
expect status out "2026-05-13  completed"

# a day the data does not cover: partial, saying which bar is missing
run partial 1 "${J[@]}" eod run --date 2026-05-14
expect partial out "partial"
expect partial out "no valid QQQ bar on 2026-05-14 (the newest before it is 2026-05-13)"

# what is refused, and how
run weekend 2 "${J[@]}" eod run --date 2026-05-09
expect weekend err "2026-05-09 is not a trading day (Saturday)"
run no-from 2 "${J[@]}" eod backfill
expect no-from err "--from DATE is required"
run not-for-run 2 "${J[@]}" eod run --from 2026-01-02
expect not-for-run err "--from does not apply to \`jutsu eod run\`"
run unknown 2 "${J[@]}" perf show NOPE
expect unknown err "NOPE is neither a strategy instance nor a baseline"
run unknown-entity 2 "${J[@]}" eod backfill --from 2026-05-01 --entity NOPE
expect unknown-entity err 'no entity "NOPE" is configured'
finish
