# A large import is streamed (issue 17): 300,000 bars of one symbol in
# batches of 10,000 end with exactly the input in the table: the row count,
# and the sums of close and volume in micro-units, equal the file's. A date
# the file repeats with other values a few rows later is rejected naming
# both lines (the first kept); an identical repeat is skipped; a repeat
# 150,000 rows later, beyond what the reader remembers, is dropped by the
# database's conflict clause: the first is kept there too, the sums say so.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync: {batch_size: 10000}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
N=300000
# consecutive weekdays from 1900-01-01 (a Monday); prices in micro-units
awk -v rows="$N" 'BEGIN {
  print "Date,Open,High,Low,Close,Volume"
  split("31 28 31 30 31 30 31 31 30 31 30 31", dim, " ")
  y = 1900; m = 1; d = 1; wd = 1
  for (k = 0; k < rows; k++) {
    c = 50000000 + (k % 9973) * 1237 + 1
    printf "%04d-%02d-%02d,%d.%06d,%d.%06d,%d.%06d,%d.%06d,%d\n", y, m, d,
           int((c - 1) / 1e6), (c - 1) % 1e6, int((c + 2e6) / 1e6), (c + 2e6) % 1e6,
           int((c - 2e6) / 1e6), (c - 2e6) % 1e6, int(c / 1e6), c % 1e6, 1000 + k % 777
    do {
      wd = (wd + 1) % 7
      leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
      if (++d > dim[m] + (m == 2 && leap)) { d = 1; if (++m > 12) { m = 1; y++ } }
    } while (wd == 0 || wd == 6)
  }
}' > "$TMP/gen.csv"
# the sums of the file as generated, before the repeats go in
want=$(awk -F, 'NR > 1 { split($5, p, "."); c += p[1] * 1000000 + p[2]; v += $6 }
                END { printf "%d|%.0f|%.0f", NR - 1, c, v }' "$TMP/gen.csv")
# line 1001 (bar 1000) again 3 rows later with another close; line 2001
# again identical; line 3001 again 150,000 rows later with another close
awk -F, -v OFS=, 'NR == 1001 { a = $0 } NR == 2001 { b = $0 } NR == 3001 { c = $0 }
  { print }
  NR == 1004 { split(a, f, ","); f[5] = "99.000000"; print f[1], f[2], f[3], f[4], f[5], f[6] }
  NR == 2004 { print b }
  NR == 153001 { split(c, f, ","); f[5] = "98.000000"; print f[1], f[2], f[3], f[4], f[5], f[6] }' \
  "$TMP/gen.csv" > "$TMP/BIG.csv"
db() { sqlite3 "$TMP/var/jutsu.db" "$1"; }

"$JUTSU" -c "$TMP/j.yaml" db upgrade >/dev/null
# peak RSS in KiB of an import (RSS FILE DB), for the memory check below
rss() {
  sed "s|$TMP/var/jutsu.db|$2|" "$TMP/j.yaml" > "$TMP/rss.yaml"
  "$JUTSU" -c "$TMP/rss.yaml" db upgrade >/dev/null
  /usr/bin/time -f %M -o "$TMP/rss" "$JUTSU" -c "$TMP/rss.yaml" data import "$1" >/dev/null 2>&1
  cat "$TMP/rss"
}
run import 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/BIG.csv"
expect import err "BIG.csv:1005: Date: \"1903-10-30\" is also on line 1001, with other values"
expect import err "line 1001 is kept, this row is dropped"
refute import err "BIG.csv:2005"
refute import err "BIG.csv:153004"
got=$(db "SELECT COUNT(*), SUM(close), SUM(volume) FROM market_data WHERE symbol = 'BIG'")
[[ $got == "$want" ]] && pass || fail "count|sum(close)|sum(volume): stored $got, the file $want"
[[ $(db "SELECT COUNT(DISTINCT timestamp) FROM market_data") -eq $N ]] && pass ||
  fail "a date stored twice"
[[ $(db "SELECT total_bars FROM data_metadata WHERE symbol = 'BIG'") -eq $N ]] && pass ||
  fail "metadata: $(db "SELECT total_bars FROM data_metadata") bars, want $N"
[[ $(db "SELECT COUNT(*) FROM data_audit_log WHERE symbol = 'BIG'") -eq $((N / 10000 + 1)) ]] &&
  pass || fail "audit rows: $(db "SELECT COUNT(*) FROM data_audit_log"), want one per batch"

# memory does not grow with the file: 300,000 bars take about what 150,000
# do, both past what the page cache and the reader's window hold (the whole
# file held in memory took 25 MiB more); not measured under
# AddressSanitizer, whose shadow memory says nothing about ours
if [[ -x /usr/bin/time ]] && ! grep -qa __asan_init "$JUTSU"; then
  head -n 150001 "$TMP/gen.csv" > "$TMP/SMALL.csv"
  small=$(rss "$TMP/SMALL.csv" "$TMP/var/small.db")
  large=$(rss "$TMP/gen.csv" "$TMP/var/large.db")
  (( large - small < 12 * 1024 )) && pass ||
    fail "peak RSS $((small / 1024)) MiB for 150,000 bars, $((large / 1024)) MiB for 300,000"
fi

# a re-run stores nothing new and skips every bar
run again 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/BIG.csv" --format json
expect again out '"inserted":0'
[[ $(db "SELECT COUNT(*) FROM market_data") -eq $N ]] && pass || fail "the re-run added rows"
finish
