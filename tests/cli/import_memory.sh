# An import's memory does not grow with the number of symbols in the file
# (issue 17): a file of 48 symbols, one after another, peaks at about what
# one of 16 does (16, not fewer: the page cache and the reader's window must
# be full in both). Each symbol is exactly two batches long, so the last
# batch of each takes every bar buffered: the emptied buffer of such a
# symbol was kept to the end of the file (a batch's worth, 56 bytes a bar,
# per symbol: 3.5 MiB per million bars of the bench's input), 14 MiB more
# here before the fix, under 1 MiB after.
# Not measured under AddressSanitizer, whose shadow memory says nothing
# about ours, nor without /usr/bin/time.
source "$(dirname "$0")/lib.bash"

if [[ ! -x /usr/bin/time ]] || grep -qa __asan_init "$JUTSU"; then
  echo "skipped: no /usr/bin/time, or an AddressSanitizer build"
  exit 0
fi

BATCH=4097
# conf DB: the config of an import into DB
conf() {
  cat <<YAML
log: {level: error}
database:
  type: sqlite
  sqlite: {path: "$1"}
  backup_dir: "$TMP/var/backups"
sync: {batch_size: $BATCH}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
}
# gen SYMBOLS FILE: each symbol 2 * BATCH consecutive weekdays from 1900-01-01
gen() {
  awk -v nsym="$1" -v per="$((2 * BATCH))" 'BEGIN {
    print "symbol,date,open,high,low,close,volume"
    split("31 28 31 30 31 30 31 31 30 31 30 31", dim, " ")
    for (s = 0; s < nsym; s++) {
      y = 1900; m = 1; d = 1; wd = 1
      for (k = 0; k < per; k++) {
        printf "S%d,%04d-%02d-%02d,50.5,51.75,49.25,51,%d\n", s, y, m, d, 1000 + k % 777
        do {
          wd = (wd + 1) % 7
          leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
          if (++d > dim[m] + (m == 2 && leap)) { d = 1; if (++m > 12) { m = 1; y++ } }
        } while (wd == 0 || wd == 6)
      }
    }
  }' > "$2"
}
# rss SYMBOLS: the import of a fresh file of SYMBOLS symbols into a fresh
# database, whose row count is checked; its peak RSS in KiB in $TMP/rssN
rss() {
  local db="$TMP/var/s$1.db" csv="$TMP/s$1.csv" want=$(($1 * 2 * BATCH)) n
  gen "$1" "$csv"
  conf "$db" > "$TMP/s$1.yaml"
  run "upgrade $1" 0 "$JUTSU" -c "$TMP/s$1.yaml" db upgrade
  run "import $1" 0 /usr/bin/time -f %M -o "$TMP/rss$1" "$JUTSU" -c "$TMP/s$1.yaml" \
    data import "$csv"
  n=$(sqlite3 "$db" "SELECT COUNT(*) FROM market_data")
  [[ $n -eq $want ]] && pass || fail "$1 symbols: stored $n of $want bars"
}

mkdir -p "$TMP/var"
rss 16
rss 48
small=$(cat "$TMP/rss16")
large=$(cat "$TMP/rss48")
echo "peak RSS: $small KiB for 16 symbols, $large KiB for 48"
(( large - small < 6 * 1024 )) && pass ||
  fail "peak RSS $((small / 1024)) MiB for 16 symbols, $((large / 1024)) MiB for 48"
finish
