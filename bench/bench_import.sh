#!/usr/bin/env bash
# bench/bench_import.sh [BUILD_DIR] [ROWS...] — ingest (issue 17): `jutsu data
# import` end to end against the raw loop (bench_rawloop: one prepared
# INSERT stepped per row, one transaction, into the spec's CREATE TABLE
# market_data verbatim), measured in the same run, alternating, median of
# BENCH_IMPORT_REPS (3) whole processes each, the sizes alternating too,
# peak RSS by /usr/bin/time.
# Default ROWS: 1000000; give "1000000 10000000" for the 10 M row too.
#
# The input: consecutive weekdays from 1900-01-01, 1 M per symbol (1 M
# weekdays end in 5733, the last year a 4-digit date can hold is not far
# off), so ROWS above 1 M are several symbols of 1 M one after another.
# Layout symbol,date,open,high,low,close,volume; the raw loop reads the
# same file with fgets and strtok. On PostgreSQL (when the test cluster's
# variables are set) only the import is timed: there is no raw loop there.
# Then a full sync of the six bundled symbols into a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
shift || true
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1000000)
REPS="${BENCH_IMPORT_REPS:-3}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-import-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# gen ROWS FILE: 1 M weekdays per symbol S0, S1, ...
gen() {
  awk -v rows="$1" 'BEGIN {
    print "symbol,date,open,high,low,close,volume"
    split("31 28 31 30 31 30 31 31 30 31 30 31", dim, " ")
    for (k = 0; k < rows; k++) {
      if (k % 1000000 == 0) { y = 1900; m = 1; d = 1; wd = 1 }   # 1900-01-01: a Monday
      p = 50 + (k % 97) * 0.013 + (k % 1000) * 0.001
      printf "S%d,%04d-%02d-%02d,%.6f,%.6f,%.6f,%.6f,%d\n", int(k / 1000000), y, m, d,
             p, p + 1.25, p - 1.25, p + 0.5, 1000 + k % 5000
      do {   # the next weekday
        wd = (wd + 1) % 7
        leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        if (++d > dim[m] + (m == 2 && leap)) { d = 1; if (++m > 12) { m = 1; y++ } }
      } while (wd == 0 || wd == 6)
    }
  }' > "$2"
}

files_plugin() {
  printf 'log: {level: error}\nplugins:\n'
  printf '  - {name: files, plugin: source-csv, config: {path: "%s"}}\n' "$TMP"
}
sqlite_conf() {
  printf 'database:\n  type: sqlite\n  sqlite: {path: "%s"}\n  backup_dir: "%s"\n' "$1" "$TMP"
  files_plugin
}
pg_conf() {
  printf 'database:\n  type: postgresql\n'
  printf '  postgresql: {host: %s, port: %s, user: %s, database: %s}\n' \
    "$JUTSU_TEST_PG_HOST" "$JUTSU_TEST_PG_PORT" "$JUTSU_TEST_PG_USER" "$1"
  files_plugin
}
psql_do() {
  "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
    -U "$JUTSU_TEST_PG_USER" -d postgres -c "$1"
}

# timed OUT CMD...: "seconds peak_kib" of the whole process into OUT
timed() {
  local out=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$TMP/stderr" ||
    { cat "$TMP/stderr" >&2; exit 1; }
}

# one_rep ROWS: one timed run of each at this size, appended to its list
one_rep() {
  local rows=$1 csv="$TMP/bars-$1.csv"
  rm -f "$TMP"/raw.db* "$TMP"/imp.db*
  timed "$TMP/t" "$B/bench/bench_rawloop" "$csv" "$TMP/raw.db"
  cat "$TMP/t" >> "$TMP/raw-$rows.t"
  n=$(sqlite3 "$TMP/raw.db" "SELECT COUNT(*) FROM market_data")
  [[ $n -eq $rows ]] || { echo "bench_import: the raw loop stored $n of $rows" >&2; exit 1; }
  rm -f "$TMP"/raw.db*
  sqlite_conf "$TMP/imp.db" > "$TMP/imp.yaml"
  "$B/jutsu" -c "$TMP/imp.yaml" db upgrade >/dev/null
  timed "$TMP/t" "$B/jutsu" -c "$TMP/imp.yaml" data import "$csv"
  cat "$TMP/t" >> "$TMP/imp-$rows.t"
  n=$(sqlite3 "$TMP/imp.db" "SELECT COUNT(*) FROM market_data")
  [[ $n -eq $rows ]] || { echo "bench_import: the import stored $n of $rows" >&2; exit 1; }
  rm -f "$TMP"/imp.db*
  if [[ -n "${JUTSU_TEST_PG_HOST:-}" ]]; then
    local pgdb="jutsu_bench_import_$$"
    psql_do "CREATE DATABASE $pgdb"
    pg_conf "$pgdb" > "$TMP/pg.yaml"
    "$B/jutsu" -c "$TMP/pg.yaml" db upgrade >/dev/null
    timed "$TMP/t" "$B/jutsu" -c "$TMP/pg.yaml" data import "$csv"
    cat "$TMP/t" >> "$TMP/pg-$rows.t"
    psql_do "DROP DATABASE $pgdb"
  fi
}

# report ROWS: prints a row per backend
report() {
  local rows=$1
  local rs ri rk ik
  rs=$(cut -d' ' -f1 "$TMP/raw-$rows.t" | median)
  rk=$(cut -d' ' -f2 "$TMP/raw-$rows.t" | sort -n | tail -1)
  ri=$(cut -d' ' -f1 "$TMP/imp-$rows.t" | median)
  ik=$(cut -d' ' -f2 "$TMP/imp-$rows.t" | sort -n | tail -1)
  local rbs ibs
  rbs=$(awk -v n="$rows" -v s="$rs" 'BEGIN { printf "%.0f", n / s }')
  ibs=$(awk -v n="$rows" -v s="$ri" 'BEGIN { printf "%.0f", n / s }')
  printf '%-10s %10s %12s %12s %7s %10s %10s\n' sqlite "$rows" "$rbs" "$ibs" \
    "$(ratio "$ibs" "$rbs")" "$((rk / 1024)) MiB" "$((ik / 1024)) MiB"
  echo "sqlite $rows $ibs" >> "$TMP/rates"
  if [[ -s "$TMP/pg-$rows.t" ]]; then
    local ps pk pbs
    ps=$(cut -d' ' -f1 "$TMP/pg-$rows.t" | median)
    pk=$(cut -d' ' -f2 "$TMP/pg-$rows.t" | sort -n | tail -1)
    pbs=$(awk -v n="$rows" -v s="$ps" 'BEGIN { printf "%.0f", n / s }')
    printf '%-10s %10s %12s %12s %7s %10s %10s\n' postgresql "$rows" "-" "$pbs" "-" "-" \
      "$((pk / 1024)) MiB"
    echo "postgresql $rows $pbs" >> "$TMP/rates"
  fi
}

echo "ingest: median of $REPS whole processes each, alternating; peak RSS the largest"
printf '%-10s %10s %12s %12s %7s %10s %10s\n' backend rows "raw b/s" "import b/s" ratio \
  "raw RSS" "import RSS"
: > "$TMP/rates"
for rows in "${SIZES[@]}"; do
  gen "$rows" "$TMP/bars-$rows.csv"
  : > "$TMP/raw-$rows.t"; : > "$TMP/imp-$rows.t"; : > "$TMP/pg-$rows.t"
done
# the sizes alternate too: this VM's speed drifts over minutes, and the
# ratio between sizes must not be the ratio between two stretches of time
for ((r = 0; r < REPS; r++)); do
  for rows in "${SIZES[@]}"; do one_rep "$rows"; done
done
for rows in "${SIZES[@]}"; do report "$rows"; done
# throughput at each size against the first size's
awk 'NR == 1 || !($1 in base) { base[$1] = $3 }
     $3 != base[$1] { printf "%s: %s rows at %.2fx the throughput of the first size\n",
                             $1, $2, $3 / base[$1] }' \
  "$TMP/rates"

# full sync of the six sample symbols into a fresh database
printf 'database:\n  type: sqlite\n  sqlite: {path: "%s"}\n  backup_dir: "%s"\n' \
  "$TMP/sync.db" "$TMP" > "$TMP/sync.yaml"
printf 'log: {level: warn}\nsync:\n  symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV]\n' >> "$TMP/sync.yaml"
printf '  sources: [sample]\n' >> "$TMP/sync.yaml"
printf 'plugins:\n  - {name: sample, plugin: source-csv, config: {path: "%s/conf/sample-data"}}\n' \
  "$PWD" >> "$TMP/sync.yaml"
"$B/jutsu" -c "$TMP/sync.yaml" db upgrade >/dev/null
t0=$(date +%s.%N)
"$B/jutsu" -c "$TMP/sync.yaml" sync --format json > "$TMP/sync.json"
t1=$(date +%s.%N)
n=$(grep -o '"inserted":[0-9]*' "$TMP/sync.json" | tail -n 1 | cut -d: -f2)
awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN {
  printf "sqlite full sync of the 6 sample symbols: %s bars in %.2f s (%.0f bars/s)\n",
         n, b - a, n / (b - a) }'
