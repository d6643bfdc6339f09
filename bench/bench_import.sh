#!/usr/bin/env bash
# bench/bench_import.sh [BUILD_DIR] [ROWS] — `jutsu data import` end to end
# (CSV parse → validate → dedupe → bulk upsert + metadata + audit) against
# the raw storage baselines of bench_storage, measured in the same run, on
# SQLite and (when the test cluster's variables are set) PostgreSQL; then a
# full sync of the six bundled symbols into a fresh database.
#
# The generated file has ROWS bars (default 1,000,000) in the
# symbol,date,open,high,low,close,volume layout: the real trading days of
# conf/sample-data/QQQ.csv, for as many synthetic symbols as needed.
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
ROWS="${2:-1000000}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-import-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# --- the input -------------------------------------------------------------
awk -F, -v rows="$ROWS" 'NR > 1 { d[n++] = $1 }
  END {
    print "symbol,date,open,high,low,close,volume"
    for (k = 0; k < rows; k++) {
      s = int(k / n); i = k % n
      p = 50 + (s % 200) + (i % 97) * 0.013
      printf "S%04d,%s,%.6f,%.6f,%.6f,%.6f,%d\n", s, d[i], p, p + 1.25, p - 1.25, p + 0.5, 1000 + i
    }
  }' conf/sample-data/QQQ.csv > "$TMP/bars.csv"
echo "input: $ROWS bars in $(du -h "$TMP/bars.csv" | cut -f1) ($TMP/bars.csv)"

config() {   # $1 backend, $2 database name or file
  if [[ $1 == sqlite ]]; then
    printf 'database:\n  type: sqlite\n  sqlite: {path: "%s"}\n  backup_dir: "%s"\n' "$2" "$TMP"
  else
    printf 'database:\n  type: postgresql\n  postgresql: {host: %s, port: %s, user: %s, database: %s}\n' \
      "$JUTSU_TEST_PG_HOST" "$JUTSU_TEST_PG_PORT" "$JUTSU_TEST_PG_USER" "$2"
  fi
  printf 'log: {level: warn}\nsync:\n  symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV]\n  sources: [sample]\n'
  printf 'plugins:\n  - {name: sample, plugin: source-csv, config: {path: "%s/conf/sample-data"}}\n' "$PWD"
}

backends=(sqlite)
if [[ -n "${JUTSU_TEST_PG_HOST:-}" ]]; then backends+=(postgresql); fi

printf '\n%-11s %12s %12s %12s %8s\n' backend "import b/s" "raw b/s" "ratio" "inserted"
for be in "${backends[@]}"; do
  raw=$("$B/bench/bench_storage" --backend "$be" --rows "$ROWS" --json |
        awk -F'"raw":' 'NF > 1 { split($2, a, "\"rows_per_s\":"); split(a[2], b, /[,}]/); print b[1] }')
  if [[ $be == sqlite ]]; then
    db="$TMP/import.db"
  else
    db="jutsu_bench_import_$$"
    "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
      -U "$JUTSU_TEST_PG_USER" -d postgres -c "CREATE DATABASE $db"
  fi
  config "$be" "$db" > "$TMP/$be.yaml"
  "$B/jutsu" -c "$TMP/$be.yaml" db upgrade >/dev/null
  t0=$(now)
  "$B/jutsu" -c "$TMP/$be.yaml" data import "$TMP/bars.csv" --format json > "$TMP/$be.json"
  t1=$(now)
  ins=$(grep -o '"inserted":[0-9]*' "$TMP/$be.json" | tail -n 1 | cut -d: -f2)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  ours=$(rate "$ROWS" "$secs")
  printf '%-11s %12s %12.0f %12s %8s\n' "$be" "$ours" "$raw" \
    "$(awk -v a="$ours" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')" "$ins"

  # full sync of the six sample symbols into a fresh database
  if [[ $be == sqlite ]]; then db2="$TMP/sync.db"; else
    db2="jutsu_bench_sync_$$"
    "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
      -U "$JUTSU_TEST_PG_USER" -d postgres -c "CREATE DATABASE $db2"
  fi
  config "$be" "$db2" > "$TMP/$be-sync.yaml"
  "$B/jutsu" -c "$TMP/$be-sync.yaml" db upgrade >/dev/null
  t0=$(now)
  "$B/jutsu" -c "$TMP/$be-sync.yaml" sync --format json > "$TMP/$be-sync.json"
  t1=$(now)
  n=$(grep -o '"inserted":[0-9]*' "$TMP/$be-sync.json" | tail -n 1 | cut -d: -f2)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  printf '%-11s full sync of the 6 sample symbols: %s bars in %.2f s (%s bars/s)\n' "$be" "$n" \
    "$secs" "$(rate "$n" "$secs")"
  if [[ $be == postgresql ]]; then
    for d in "$db" "$db2"; do
      "$JUTSU_TEST_PG_BIN/psql" -X -q -h "$JUTSU_TEST_PG_HOST" -p "$JUTSU_TEST_PG_PORT" \
        -U "$JUTSU_TEST_PG_USER" -d postgres -c "DROP DATABASE $d"
    done
  fi
done
