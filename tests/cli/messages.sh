# Messages that say what is wrong: a date in the wrong form against a day
# that does not exist, usage errors that read as usage errors, and the
# nearest name for a mistyped instance or symbol (core/cli/cli_suggest.c).
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync: {symbols: [QQQ, TLT], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: hold, plugin: tp-strategy, config: {warmup: 3}}
  - {name: v3_5b, plugin: tp-strategy, config: {warmup: 3}}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
run sync 0 "${J[@]}" sync

# --- dates: the form, or the day ------------------------------------------------
# every command that takes a date option says the same, as a usage error
run feb30 2 "${J[@]}" data show QQQ --from 2026-02-30
expect feb30 err "jutsu: usage error: --from 2026-02-30: there is no such day: February 2026 has"
expect feb30 err "February 2026 has 28 days"
refute feb30 err "write the date as YYYY-MM-DD"
expect feb30 err "usage: jutsu [-c FILE] data show SYMBOL"
run leap 2 "${J[@]}" backtest --strategy hold --from 2023-02-29 --to 2023-12-29
expect leap err "--from 2023-02-29: there is no such day: February 2023 has 28 days"
run leap-ok 0 "${J[@]}" data show QQQ --from 2024-02-29 --to 2024-02-29
expect leap-ok out "2024-02-29"
run apr31 2 "${J[@]}" trade run --date 2025-04-31
expect apr31 err "--date 2025-04-31: there is no such day: April 2025 has 30 days"
run month13 2 "${J[@]}" eod backfill --from 2025-13-01
expect month13 err "--from 2025-13-01: there is no month 13 (write the date as YYYY-MM-DD)"
run day0 2 "${J[@]}" perf show QQQ --to 2025-01-00
expect day0 err "--to 2025-01-00: there is no day 0"
run form 2 "${J[@]}" data gaps QQQ --to 2026/02/03
expect form err "jutsu: usage error: --to 2026/02/03: write the date as YYYY-MM-DD"
run form-us 2 "${J[@]}" sync --from 02-03-2026
expect form-us err "--from 02-03-2026: write the date as YYYY-MM-DD"

# --- usage errors read as usage errors: exit 2 is never "error:" ----------------
run closed-day 2 "${J[@]}" trade run --date 2024-03-02
expect closed-day err "jutsu: usage error: 2024-03-02 is not a trading day (Saturday)"
refute closed-day err "jutsu: error:"
run bt-no-day 2 "${J[@]}" backtest --strategy hold --from 2024-03-02 --to 2024-03-03
expect bt-no-day err "jutsu: usage error: no trading day between --from and --to"
refute bt-no-day err "jutsu: error:"
run eod-closed 2 "${J[@]}" eod run --date 2024-03-02
expect eod-closed err "jutsu: usage error: 2024-03-02 is not a trading day (Saturday)"
refute eod-closed err "jutsu: error:"

# --- not found: exit 1, the name said, the nearest one offered -----------------
run bt-nope 1 "${J[@]}" backtest --strategy nope --from 2024-01-02 --to 2024-02-01
expect bt-nope err 'jutsu: error: no strategy instance "nope" in the config; strategy instances:'
expect bt-nope err '; strategy instances: hold, v3_5b'
refute bt-nope err "usage"
run bt-near 1 "${J[@]}" backtest --strategy v3_5c --from 2024-01-02 --to 2024-02-01
expect bt-near err 'no strategy instance "v3_5c" in the config; did you mean "v3_5b"?'
run bt-case 1 "${J[@]}" backtest --strategy V3_5B --from 2024-01-02 --to 2024-02-01
expect bt-case err 'did you mean "v3_5b"?'
run trade-near 1 "${J[@]}" trade run --strategy v35b --date 2024-03-04
expect trade-near err 'no strategy instance "v35b" in the config; did you mean "v3_5b"?'
run perf-near 1 "${J[@]}" perf show v3_5
expect perf-near err 'v3_5 is neither a strategy instance nor a baseline'
expect perf-near err 'did you mean "v3_5b"?'
run eod-near 1 "${J[@]}" eod backfill --from 2026-05-01 --entity hodl --type strategy
expect eod-near err 'no strategy "hodl" is configured'
expect eod-near err 'did you mean "hold"?'
run sym-near 1 "${J[@]}" data show QQQQ
expect sym-near err 'jutsu: error: no 1D bars of QQQQ are stored; did you mean "QQQ"?'
run sym-near-gaps 1 "${J[@]}" data gaps TLF
expect sym-near-gaps err 'no 1D bars of TLF are stored; did you mean "TLT"?'
run source-near 1 "${J[@]}" sync --source smaple
expect source-near err 'jutsu: error: --source smaple: no source instance "smaple" in'
expect source-near err '; did you mean "sample"?'
run source-far 1 "${J[@]}" sync --source hold
expect source-far err '; source instances: sample'
# nothing near: no guess, the list of what is there
run sym-far 1 "${J[@]}" data show XYZ
expect sym-far err "no 1D bars of XYZ are stored (stored: QQQ, TLT)"
refute sym-far err "did you mean"

# --- a strategy decided without its data: said, even when there never was any --
xlk='name: xlk, plugin: tp-strategy, config: {symbol: XLK, '
sed "s/name: v3_5b, plugin: tp-strategy, config: {/$xlk/" "$TMP/j.yaml" > "$TMP/j2.yaml"
run no-data 0 "$JUTSU" -c "$TMP/j2.yaml" trade run --strategy xlk --date 2024-03-04
expect no-data out "2024-03-04 xlk (offline_mock): warming up"
expect no-data err "jutsu: warning: xlk on 2024-03-04: no valid XLK bar on or before that day"
run has-data 0 "$JUTSU" -c "$TMP/j2.yaml" trade run --strategy hold --date 2024-03-04
refute has-data err "warning"
# a password in a source's URL never reaches the log (the connection is
# refused: nothing listens on port 9 of loopback)
cat >"$TMP/y.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/y.db"}}
sync: {symbols: [QQQ], sources: [yahoo]}
plugins:
  - {name: yahoo, plugin: source-yahoo, config: {base_url: "http://jutsu:hunter2@127.0.0.1:9", retries: 0}}
YAML
"$JUTSU" -c "$TMP/y.yaml" --log-level info sync >"$TMP/out" 2>"$TMP/err"
expect yahoo-url err "fetching bars from http://***@127.0.0.1:9"
refute yahoo-url err "hunter2"
refute yahoo-url out "hunter2"
# a sync with nothing to sync is a usage error that says what to pass
cat >"$TMP/ns.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/ns.db"}}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML
run no-symbols 2 "$JUTSU" -c "$TMP/ns.yaml" sync
expect no-symbols err "jutsu: usage error: no symbols to sync: $TMP/ns.yaml has no sync.symbols; pass --symbol SYMBOL"
refute no-symbols err "ERROR"
finish
