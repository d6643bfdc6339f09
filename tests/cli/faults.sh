# Faults, on SQLite and PostgreSQL, each with exact counts (issue 15,
# machinery 14):
#   - an import killed with SIGKILL at three random points, resumed after
#     each: only whole batches are ever stored, metadata and audit agree
#     with the bars, the last run completes the table exactly;
#   - an EOD backfill of four baselines (2010-01-04 .. 2025-06-27, the
#     days all four have bars for) killed at a random point, then run again: every
#     baseline's daily_performance equals an uninterrupted backfill's;
#   - a trading run of three strategies over two months, one `trade run`
#     a day, killed at three random points and resumed: each strategy
#     holds whole days, each as an uninterrupted run wrote it, and the
#     last run ends equal to it (trades, snapshots, positions, records);
#   - PostgreSQL restarted in the middle of an import: the database stays
#     consistent and a second run completes it;
#   - SQLite on a full disk (a 3 MiB tmpfs): a clear error, the database
#     consistent, and the report counts exactly what was stored.
# The random points come from JUTSU_FAULT_SEED (printed) to replay a run.
# It restarts the test cluster: ctest runs it alone (RUN_SERIAL).
source "$(dirname "$0")/lib.bash"

SEED="${JUTSU_FAULT_SEED:-$RANDOM}"
RANDOM=$SEED
echo "seed: JUTSU_FAULT_SEED=$SEED"

backends=(sqlite)
if [[ -n "${JUTSU_TEST_PG_HOST:-}" ]]; then
  backends+=(postgresql)
elif [[ "${JUTSU_TEST_NO_PG:-}" != 1 ]]; then
  echo "FAIL: JUTSU_TEST_PG_HOST is not set: start the test cluster first," \
       "eval \"\$(scripts/pg-test-cluster.sh start)\" (JUTSU_TEST_NO_PG=1 skips PostgreSQL)"
  exit 1
fi
PSQL=("${JUTSU_TEST_PG_BIN:-/usr/bin}/psql" -q -X -A -t -v ON_ERROR_STOP=1
      -h "${JUTSU_TEST_PG_HOST:-}" -p "${JUTSU_TEST_PG_PORT:-}" -U "${JUTSU_TEST_PG_USER:-}")
PGDBS=()
MOUNTED=""
cleanup() {
  for d in "${PGDBS[@]}"; do
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
  done
  [[ -n "$MOUNTED" ]] && umount "$MOUNTED" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

SYMS=40 DAYS=4115 BATCH=500
TOTAL=$((SYMS * DAYS))
# 40 symbols x the 4115 real trading days of the bundled QQQ
awk -F, -v syms=$SYMS 'NR > 1 { d[n++] = $1 } END {
  print "symbol,date,open,high,low,close,volume"
  for (s = 0; s < syms; s++) for (i = 0; i < n; i++)
    printf "F%02d,%s,%d.5,%d.75,%d.25,%d.5,%d\n", s, d[i], 10 + i % 50, 10 + i % 50, 10 + i % 50, 10 + i % 50, i
}' conf/sample-data/QQQ.csv > "$TMP/big.csv"

# conf_db BACKEND NAME: a config file's log and database sections, for a
# database of its own, in $CONF (no subshell: the databases it creates are
# dropped at exit)
conf_db() {
  local be=$1 name=$2 f="$TMP/$1-$2.yaml" db
  CONF=$f
  {
    echo "log: {level: warn}"
    if [[ $be == sqlite ]]; then
      echo "database: {type: sqlite, sqlite: {path: \"${DBDIR:-$TMP}/$be-$name.db\"}}"
    else
      db="jutsu_t_fault_$$_$name"
      "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
      PGDBS+=("$db")
      printf 'database:\n  type: postgresql\n  postgresql: {host: "%s", port: %s, user: "%s", database: "%s"}\n' \
        "$JUTSU_TEST_PG_HOST" "$JUTSU_TEST_PG_PORT" "$JUTSU_TEST_PG_USER" "$db"
    fi
  } > "$f"
}

# conf BACKEND NAME: conf_db, with the import's and the backfill's sections
conf() {
  conf_db "$1" "$2"
  {
    cat <<YAML
sync: {batch_size: $BATCH, symbols: [QQQ, TLT, TMF, TMV], sources: [sample]}
eod:
  baselines:
    - {id: QQQ, symbol: QQQ, initial_capital: "10000"}
    - {id: TLT, symbol: TLT, initial_capital: "10000"}
    - {id: TMF, symbol: TMF, initial_capital: "10000"}
    - {id: TMV, symbol: TMV, initial_capital: "10000"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
YAML
  } >> "$CONF"
}

# q BACKEND CONF SQL → one value
q() {
  local be=$1 c=$2
  if [[ $be == sqlite ]]; then
    sqlite3 "$(sed -n 's/.*path: "\([^"]*\.db\)".*/\1/p' "$c")" "$3" 2>/dev/null
  else
    "${PSQL[@]}" -d "$(sed -n 's/.*database: "\([^"]*\)".*/\1/p' "$c")" -c "$3" 2>/dev/null
  fi
}

# Bars whose symbol's metadata total disagrees, symbols holding a partial
# batch, audit total minus bars: all three 0 when the database is whole.
# The bars there are in $STORED.
check_import() {
  local be=$1 c=$2 what=$3 bad partial audit stored
  stored=$(q "$be" "$c" "SELECT COUNT(*) FROM market_data")
  STORED=$stored
  bad=$(q "$be" "$c" "SELECT COUNT(*) FROM data_metadata m WHERE total_bars <>
    (SELECT COUNT(*) FROM market_data b WHERE b.symbol = m.symbol AND b.timeframe = m.timeframe)")
  # batches are fixed slices of each symbol's sorted bars, so a symbol
  # holds whole batches of $BATCH, or all its $DAYS bars
  partial=$(q "$be" "$c" "SELECT COUNT(*) FROM (SELECT symbol, COUNT(*) AS n FROM market_data
    GROUP BY symbol) x WHERE n <> $DAYS AND n % $BATCH <> 0")
  audit=$(q "$be" "$c" "SELECT COALESCE(SUM(bars_affected), 0) FROM data_audit_log")
  [[ "$bad" == 0 ]] && pass || fail "$be $what: $bad symbols' metadata disagree with their bars"
  [[ "$partial" == 0 ]] && pass || fail "$be $what: $partial symbols hold a partial batch"
  [[ "$audit" == "$stored" ]] && pass || fail "$be $what: audit counts $audit bars, the table has $stored"
  # idx_market_data_ts is there, or owed with its definition kept; never neither
  if [[ $be == sqlite ]]; then
    local idx owed
    idx=$(q "$be" "$c" "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'idx_market_data_ts'")
    owed=$(q "$be" "$c" "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'jutsu_deferred_indexes'")
    [[ $owed == 1 ]] && owed=$(q "$be" "$c" "SELECT COUNT(*) FROM jutsu_deferred_indexes
      WHERE name = 'idx_market_data_ts' AND definition LIKE 'CREATE INDEX idx_market_data_ts %'")
    [[ $((idx + owed)) == 1 ]] && pass ||
      fail "$be $what: idx_market_data_ts present $idx, owed $owed (want exactly one)"
  fi
}

# sum_inserted FILE: what a JSON report says its items inserted, added up
sum_inserted() {
  python3 -c 'import json,sys; print(sum(i["inserted"] for i in json.load(open(sys.argv[1]))["items"]))' "$1" 2>/dev/null || echo -1
}

# kill_when BACKEND CONF TABLE AT PID: SIGKILL once TABLE holds AT rows
# (or the job ended first); the rows there are after it, in $ROWS
kill_when() {
  local be=$1 c=$2 table=$3 at=$4 pid=$5 n=0
  for _ in $(seq 1 3000); do
    kill -0 "$pid" 2>/dev/null || break
    n=$(q "$be" "$c" "SELECT COUNT(*) FROM $table")
    [[ ${n:-0} -ge $at ]] && break
    sleep 0.01
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  ROWS=$(q "$be" "$c" "SELECT COUNT(*) FROM $table")
}

# --- an import killed three times -----------------------------------------
import_kills() {
  local be=$1 c stored before
  conf "$be" imp; c=$CONF
  "$JUTSU" -c "$c" db upgrade >/dev/null || { fail "$be: db upgrade"; return; }
  before=0
  for k in 1 2 3; do
    local at=$((before + 1000 + RANDOM % (TOTAL / 5)))
    "$JUTSU" -c "$c" data import "$TMP/big.csv" >/dev/null 2>&1 &
    kill_when "$be" "$c" market_data "$at" $!
    echo "$be import kill $k: at >= $at rows, $ROWS of $TOTAL stored"
    [[ $ROWS -ge $before ]] && pass || fail "$be kill $k: $ROWS rows, $before were committed before"
    check_import "$be" "$c" "after kill $k"
    before=$STORED
  done
  run "$be-import-last" 0 "$JUTSU" -c "$c" data import "$TMP/big.csv" --format json
  expect "$be-import-last" out "\"inserted\":$((TOTAL - before))"
  check_import "$be" "$c" "after the last run"
  [[ $STORED -eq $TOTAL ]] && pass || fail "$be: $STORED bars after the last run, want $TOTAL"
}

# --- a backfill killed once ------------------------------------------------
REF=""
perf_all() {   # every baseline's daily rows as the CLI prints them, less created_at
  for id in QQQ TLT TMF TMV; do "$JUTSU" -c "$1" perf show "$id" --format csv; done |
    sed 's/,[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}T[0-9:.]*Z,/,,/g'
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
backfill_kill() {
  local be=$1 c
  if [[ -z "$REF" ]]; then   # the uninterrupted backfill, once, on SQLite
    local r
    conf sqlite ref; r=$CONF
    "$JUTSU" -c "$r" sync >/dev/null 2>&1 || { fail "sync for the reference backfill"; return; }
    local t0
    t0=$(now_ms)
    "$JUTSU" -c "$r" eod backfill --from 2010-01-04 --to 2025-06-27 >/dev/null 2>&1 ||
      { fail "the reference backfill failed"; return; }
    REF_MS=$(($(now_ms) - t0))
    REF="$TMP/ref.csv"
    perf_all "$r" > "$REF"
  fi
  conf "$be" eod; c=$CONF
  "$JUTSU" -c "$c" sync >/dev/null 2>&1 || { fail "$be: sync for the backfill"; return; }
  local expect_rows ms pid
  expect_rows=$(($(wc -l < "$REF") - 4))   # less a header per baseline
  # a random moment within what the uninterrupted run took (its rows
  # appear in a few large commits, too fast to aim at by count)
  ms=$((RANDOM % (REF_MS > 20 ? REF_MS : 20)))
  "$JUTSU" -c "$c" eod backfill --from 2010-01-04 --to 2025-06-27 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  ROWS=$(q "$be" "$c" "SELECT COUNT(*) FROM daily_performance")
  echo "$be backfill kill: at $ms of ~$REF_MS ms, $ROWS of $expect_rows rows stored"
  run "$be-backfill-again" 0 "$JUTSU" -c "$c" eod backfill --from 2010-01-04 --to 2025-06-27
  perf_all "$c" > "$TMP/$be-after.csv"
  if cmp -s "$REF" "$TMP/$be-after.csv"; then pass; else
    fail "$be: daily_performance after a killed backfill and a re-run differs from an uninterrupted one"
    diff "$REF" "$TMP/$be-after.csv" | head -5
  fi
}

# --- a trading run killed three times --------------------------------------
# Three strategies traded day by day over TN trading days, one `trade run
# --date D` each, as a catch-up after an outage runs them. Each strategy's
# day is one transaction (trades, positions, snapshot, its record): after a
# kill, every strategy holds the days of a prefix of the list, each row as an
# uninterrupted run wrote it, and its positions and record as of its last day.
mapfile -t TDATES < <(awk -F, '$1 >= "2025-02-03" && $1 <= "2025-03-31" { print $1 }' \
                        conf/sample-data/QQQ.csv)
TN=${#TDATES[@]}
tconf() {   # tconf BACKEND NAME: a config of three strategies, in $CONF
  conf_db "$1" "$2"
  cat >> "$CONF" <<YAML
plugin_path: ["$TP_DIR"]
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2023-06-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, initial_capital: "10000"}
  - {name: v3_5d, plugin: strategy-regime, mode: offline_mock, initial_capital: "25000",
     config: {sma_fast: 50, sma_slow: 200}}
  - {name: hold, plugin: tp-strategy, initial_capital: "5000", config: {symbol: TLT, warmup: 5}}
YAML
}

# tdump BACKEND CONF: every row a trading run writes, one line each, the
# strategy and exchange date first; money in micro-units on both backends,
# row ids, execution ids and creation times aside
tdump() {
  local be=$1 c=$2
  if [[ $be == sqlite ]]; then
    tday() { echo "strftime('%Y-%m-%d', $1 / 1000000, 'unixepoch')"; }
    tmoney() { echo "$1"; }
  else
    tday() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD')"; }
    tmoney() { echo "($1 * 1000000)::bigint"; }
  fi
  q "$be" "$c" "SELECT 'T', strategy_id, $(tday timestamp), symbol, action, quantity,
    $(tmoney target_price), $(tmoney fill_price), $(tmoney fill_value), $(tmoney realized_pnl)
    FROM live_trades ORDER BY strategy_id, timestamp, id"
  q "$be" "$c" "SELECT 'S', strategy_id, $(tday timestamp), $(tmoney total_equity), $(tmoney cash),
    $(tmoney positions_value), strategy_cell, snapshot_source, positions_json
    FROM performance_snapshots ORDER BY strategy_id, timestamp"
  q "$be" "$c" "SELECT 'P', strategy_id, symbol, quantity, $(tmoney avg_cost),
    $(tmoney market_value) FROM positions ORDER BY strategy_id, symbol"
  q "$be" "$c" "SELECT 'R', substr(key, 10), value FROM system_state
    WHERE key LIKE 'strategy.%' ORDER BY key"
}

# tcheck DUMP: a database after a kill against the uninterrupted run
# ($TREF/all, and $TREF/DATE: positions and records after each day). Prints
# each strategy's days and rows; exit 1 (and why) unless every strategy
# holds a prefix of TDATES, exactly as the reference wrote it.
tcheck() {
  python3 - "$1" "$TREF" "${TDATES[@]}" <<'PY'
import sys
dump, ref, dates = sys.argv[1], sys.argv[2], sys.argv[3:]
def lines(path):
    with open(path) as f:
        return [l.rstrip('\n') for l in f if l.strip()]
def strategy(l):  # R lines name "<id>.<mode>"
    return l.split('|')[1].split('.')[0]
now, full = lines(dump), lines(ref + '/all')
ids = sorted({strategy(l) for l in full})
bad, said = [], []
for s in ids:
    days = [l.split('|')[2] for l in now if l.startswith('S|') and strategy(l) == s]
    k = len(days)
    if days != dates[:k]:
        bad.append('%s: its days are not a prefix of the run: %s' % (s, days))
        continue
    last = dates[k - 1] if k else ''
    want = [l for l in full if l[0] in 'TS' and strategy(l) == s and l.split('|')[2] <= last]
    if k:
        want += [l for l in lines(ref + '/' + last) if strategy(l) == s]
    got = [l for l in now if strategy(l) == s]
    if got != want:
        extra = [l for l in got if l not in want][:2]
        lost = [l for l in want if l not in got][:2]
        bad.append('%s after %d days: %d rows, want %d; not in the reference: %s; lost: %s'
                   % (s, k, len(got), len(want), extra, lost))
    said.append('%s %d days %d trades' % (s, k, sum(l.startswith('T|') for l in got)))
print('; '.join(said))
for b in bad:
    print('  ' + b)
sys.exit(1 if bad else 0)
PY
}

# JUTSU CONF PROGRESS DATE...: the days in turn, each day's date written to
# PROGRESS as its run starts (run in a process group of its own, killed as one)
TRADE_LOOP='for d in "${@:4}"; do
  echo "$d" > "$3"; "$1" -c "$2" trade run --date "$d" >/dev/null 2>&1 || exit 1
done'
TREF=""
trade_ref() {   # the uninterrupted run, once, on SQLite
  local r d t0 ms=0
  tconf sqlite tref; r=$CONF
  "$JUTSU" -c "$r" sync >/dev/null 2>&1 || { fail "sync for the reference trading run"; return 1; }
  TREF="$TMP/tref"
  mkdir -p "$TREF"
  for d in "${TDATES[@]}"; do
    t0=$(now_ms)
    "$JUTSU" -c "$r" trade run --date "$d" >/dev/null 2>"$TMP/err" ||
      { fail "the reference trading run failed on $d: $(head -2 "$TMP/err")"; TREF=""; return 1; }
    ms=$((ms + $(now_ms) - t0))
    tdump sqlite "$r" | grep -E '^[PR]\|' > "$TREF/$d"
  done
  tdump sqlite "$r" > "$TREF/all"
  TREF_MS=$ms
  echo "trading reference: $TN days, $(grep -c '^T|' "$TREF/all") trades," \
       "$(grep -c '^S|' "$TREF/all") snapshots in $ms ms"
  [[ $(grep -c '^S|' "$TREF/all") -eq $((3 * TN)) ]] && pass ||
    fail "the reference holds $(grep -c '^S|' "$TREF/all") snapshots, want $((3 * TN))"
}

trade_kills() {
  local be=$1 c k at ms pid day before=0 stored out
  [[ -n "$TREF" ]] || trade_ref || return
  tconf "$be" trade; c=$CONF
  "$JUTSU" -c "$c" sync >/dev/null 2>&1 || { fail "$be: sync for the trading run"; return; }
  for k in 1 2 3; do
    # a random moment of the run of a random day not yet stored (a run's
    # strategies commit in its last fifth or so; the start is the host's)
    if ((before / 3 >= TN)); then   # the kill came too late: nothing left to kill
      echo "$be trading kill $k: every day is stored already"
      break
    fi
    at=${TDATES[before / 3 + RANDOM % (TN - before / 3)]}
    ms=$((RANDOM % (TREF_MS / TN + 1)))
    rm -f "$TMP/trade.day"
    setsid bash -c "$TRADE_LOOP" trade "$JUTSU" "$c" "$TMP/trade.day" "${TDATES[@]}" &
    pid=$!
    for _ in $(seq 1 12000); do
      kill -0 "$pid" 2>/dev/null || break
      day=""
      { read -r day < "$TMP/trade.day"; } 2>/dev/null
      [[ "$day" < "$at" ]] || break
      sleep 0.005
    done
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    tdump "$be" "$c" > "$TMP/$be-trade-$k.txt"
    stored=$(grep -c '^S|' "$TMP/$be-trade-$k.txt")
    if out=$(tcheck "$TMP/$be-trade-$k.txt"); then pass; else
      fail "$be trading kill $k: the database is not a prefix of the uninterrupted run"
    fi
    echo "$be trading kill $k: $ms ms into the run of $at:" \
         "$stored of $((3 * TN)) strategy days: $out"
    [[ $stored -ge $before ]] && pass ||
      fail "$be trading kill $k: $stored strategy days, $before were committed before"
    before=$stored
  done
  run "$be-trade-last" 0 bash -c "$TRADE_LOOP" trade "$JUTSU" "$c" "$TMP/trade.day" "${TDATES[@]}"
  tdump "$be" "$c" > "$TMP/$be-trade-last.txt"
  if cmp -s "$TREF/all" "$TMP/$be-trade-last.txt"; then pass; else
    fail "$be: the trading rows after three kills and a re-run differ from an uninterrupted run"
    diff "$TREF/all" "$TMP/$be-trade-last.txt" | head -5
  fi
  stored=$(grep -c '^S|' "$TMP/$be-trade-last.txt")
  [[ $stored -eq $((3 * TN)) ]] && pass || fail "$be: $stored strategy days, want $((3 * TN))"
}

# --- PostgreSQL restarted mid-import ---------------------------------------
pg_ctl_as_owner() {
  local pre=()
  [[ $(id -u) -eq 0 ]] && pre=(runuser -u postgres --)
  "${pre[@]}" "$JUTSU_TEST_PG_BIN/pg_ctl" -D "$JUTSU_TEST_PG_DIR/data" "$@" >/dev/null
}
pg_restart_mid_import() {
  local c rc
  conf postgresql restart; c=$CONF
  "$JUTSU" -c "$c" db upgrade >/dev/null || { fail "db upgrade before the restart"; return; }
  "$JUTSU" -c "$c" data import "$TMP/big.csv" --format json >"$TMP/restart.json" 2>"$TMP/restart.err" &
  local pid=$! n=0
  for _ in $(seq 1 3000); do
    n=$(q postgresql "$c" "SELECT COUNT(*) FROM market_data")
    [[ ${n:-0} -ge 3000 ]] && break
    sleep 0.01
  done
  pg_ctl_as_owner restart -m fast -w -t 60 -l "$JUTSU_TEST_PG_DIR/server.log" ||
    { fail "pg_ctl restart failed"; return; }
  wait "$pid"; rc=$?
  check_import postgresql "$c" "after the restart"
  echo "postgresql restart at $n rows: the import exited $rc with $STORED of $TOTAL stored"
  # what the report says was inserted is what is there
  local said
  said=$(sum_inserted "$TMP/restart.json")
  [[ $said -eq $STORED ]] && pass || fail "the report said $said inserted, the table has $STORED"
  run pg-after-restart 0 "$JUTSU" -c "$c" data import "$TMP/big.csv"
  check_import postgresql "$c" "after the second run"
  [[ $STORED -eq $TOTAL ]] && pass || fail "$STORED bars after the second run, want $TOTAL"
}

# --- SQLite on a full disk -------------------------------------------------
full_disk() {
  local c said
  mkdir -p "$TMP/full"
  if ! mount -t tmpfs -o size=3m tmpfs "$TMP/full" 2>/dev/null; then
    echo "SKIPPED full disk: cannot mount a tmpfs here (needs root)"
    return
  fi
  MOUNTED="$TMP/full"
  DBDIR="$TMP/full" conf sqlite full; c=$CONF
  run full 1 "$JUTSU" -c "$c" data import "$TMP/big.csv" --format json
  expect full out "the disk holding the database is full"
  check_import sqlite "$c" "on a full disk"
  echo "full disk: $STORED of $TOTAL bars stored"
  [[ $STORED -gt 0 && $STORED -lt $TOTAL ]] && pass || fail "full disk: $STORED bars stored"
  said=$(sum_inserted "$TMP/out")
  [[ $said -eq $STORED ]] && pass || fail "full disk: the report said $said inserted, the table has $STORED"
  run full-status 0 "$JUTSU" -c "$c" data status
  umount "$TMP/full" && MOUNTED=""
}

for be in "${backends[@]}"; do
  import_kills "$be"
  backfill_kill "$be"
  trade_kills "$be"
done
[[ " ${backends[*]} " == *" postgresql "* ]] && pg_restart_mid_import
full_disk
finish
