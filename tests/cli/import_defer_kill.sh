# An import killed while idx_market_data_ts is set aside (see
# core/store/index_defer.c) leaves the index owed, never lost: the
# database holds whole batches, passes its integrity check, and its
# jutsu_deferred_indexes row keeps the index's own CREATE statement;
# `jutsu db upgrade` builds it and drops the bookkeeping; a second run
# completes the table and leaves the schema as the migrations made it.
source "$(dirname "$0")/lib.bash"

DB="$TMP/var/jutsu.db"
cat > "$TMP/j.yaml" <<YAML
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: "$DB"}
sync: {batch_size: 1000}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
# 60 symbols x 4115 real trading days, one symbol after the other: from the
# second symbol on, every batch lands inside the index's range (the import
# takes seconds, the poll below a few milliseconds a turn)
awk -F, 'NR > 1 { d[n++] = $1 } END {
  print "symbol,date,open,high,low,close,volume"
  for (s = 0; s < 60; s++) for (i = 0; i < n; i++) {
    p = 10 + i % 50
    printf "K%02d,%s,%d.5,%d.75,%d.25,%d.5,%d\n", s, d[i], p, p, p, p, i
  }
}' conf/sample-data/QQQ.csv > "$TMP/big.csv"
total=$((60 * 4115))
q() { sqlite3 "$DB" "$1"; }
want_sql="CREATE INDEX idx_market_data_ts ON market_data(timestamp)"

"$JUTSU" -c "$TMP/j.yaml" db upgrade >/dev/null
[[ $(q "SELECT sql FROM sqlite_schema WHERE name = 'idx_market_data_ts'") == "$want_sql" ]] &&
  pass || fail "the migrations did not make idx_market_data_ts as expected"

"$JUTSU" -c "$TMP/j.yaml" data import "$TMP/big.csv" >/dev/null 2>&1 &
pid=$!
# wait until the index is set aside and a few batches went in without it,
# then kill without warning
aside=0
for _ in $(seq 1 1000); do
  n=$(q "SELECT COUNT(*) FROM jutsu_deferred_indexes" 2>/dev/null || echo 0)
  if [[ ${n:-0} -eq 1 ]]; then
    stored=$(q "SELECT COUNT(*) FROM market_data" 2>/dev/null || echo 0)
    if [[ ${stored:-0} -ge 8000 ]]; then aside=1; break; fi
  fi
  sleep 0.01
done
# still running, or the kill below tests nothing
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[[ $aside == 1 ]] && pass || fail "the import never set the index aside (or ended first)"
[[ $alive == 1 ]] && pass || fail "the import ended before the kill: make the file larger"

stored=$(q "SELECT COUNT(*) FROM market_data")
echo "killed with $stored of $total bars stored, the index set aside"
[[ $(q "PRAGMA integrity_check") == ok ]] && pass || fail "integrity check after the kill"
# whole symbols of 4115 bars plus whole batches of 1000 of the current one
[[ $(( (stored % 4115) % 1000 )) -eq 0 ]] && pass || fail "a partial batch: $stored bars"
[[ -z $(q "SELECT 1 FROM sqlite_schema WHERE name = 'idx_market_data_ts'") ]] && pass ||
  fail "the index is there, yet its row says it is owed"
[[ $(q "SELECT definition FROM jutsu_deferred_indexes WHERE name = 'idx_market_data_ts'
        AND table_name = 'market_data'") == "$want_sql" ]] && pass ||
  fail "the owed row does not keep the index's definition"
# reads are right without it, only slower
[[ $(q "SELECT COUNT(*) FROM market_data
        WHERE timestamp = (SELECT MIN(timestamp) FROM market_data)") -ge 1 ]] && pass ||
  fail "a read by timestamp failed while owed"

run upgrade 0 "$JUTSU" -c "$TMP/j.yaml" -v db upgrade
expect upgrade err "built 1 index an interrupted import had set aside"
[[ $(q "SELECT sql FROM sqlite_schema WHERE name = 'idx_market_data_ts'") == "$want_sql" ]] &&
  pass || fail "db upgrade did not build the index again"
[[ -z $(q "SELECT 1 FROM sqlite_schema WHERE name = 'jutsu_deferred_indexes'") ]] && pass ||
  fail "the bookkeeping table outlived its last row"
[[ $(q "PRAGMA integrity_check") == ok ]] && pass || fail "integrity check after the rebuild"
[[ $(q "SELECT COUNT(*) FROM market_data") -eq $stored ]] && pass ||
  fail "the rebuild changed the bars"

run again 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/big.csv" --format json
expect again out "\"inserted\":$((total - stored))"
[[ $(q "SELECT COUNT(*) FROM market_data") -eq $total ]] && pass ||
  fail "not whole after the second run"
[[ $(q "SELECT sql FROM sqlite_schema WHERE name = 'idx_market_data_ts'") == "$want_sql" ]] &&
  pass || fail "the index is not back after the second run"
[[ -z $(q "SELECT 1 FROM sqlite_schema WHERE name = 'jutsu_deferred_indexes'") ]] && pass ||
  fail "the bookkeeping table is left after the second run"
finish
