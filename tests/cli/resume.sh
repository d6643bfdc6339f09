# A job killed at any moment leaves whole batches and resumes where it
# stopped: kill -9 an import mid-way, check the database is consistent
# (metadata and audit agree with the bars), run it again, check it is whole.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
sync: {batch_size: 500}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
# 40 symbols x 4115 real trading days
awk -F, 'NR > 1 { d[n++] = $1 } END {
  print "symbol,date,open,high,low,close,volume"
  for (s = 0; s < 40; s++) for (i = 0; i < n; i++)
    printf "R%02d,%s,%d.5,%d.75,%d.25,%d.5,%d\n", s, d[i], 10 + i % 50, 10 + i % 50, 10 + i % 50, 10 + i % 50, i
}' conf/sample-data/QQQ.csv > "$TMP/big.csv"
total=$((40 * 4115))

consistent() {   # every symbol's metadata total equals its stored bars
  sqlite3 "$TMP/var/jutsu.db" "SELECT COUNT(*) FROM data_metadata m WHERE total_bars <>
    (SELECT COUNT(*) FROM market_data b WHERE b.symbol = m.symbol AND b.timeframe = m.timeframe)"
}

"$JUTSU" -c "$TMP/j.yaml" db upgrade >/dev/null
"$JUTSU" -c "$TMP/j.yaml" data import "$TMP/big.csv" >/dev/null 2>&1 &
pid=$!
# wait until some batches are in, then kill without warning
for _ in $(seq 1 200); do
  n=$(sqlite3 "$TMP/var/jutsu.db" "SELECT COUNT(*) FROM market_data" 2>/dev/null || echo 0)
  [[ ${n:-0} -gt 2000 ]] && break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
stored=$(sqlite3 "$TMP/var/jutsu.db" "SELECT COUNT(*) FROM market_data")
echo "killed with $stored of $total bars stored"
[[ $stored -gt 0 ]] && pass || fail "nothing was stored before the kill"
# symbols are stored one after the other, each in batches of 500: whole
# symbols of 4115 bars plus whole batches of the current one
[[ $(( (stored % 4115) % 500 )) -eq 0 ]] && pass || fail "a partial batch: $stored bars is not whole symbols plus whole batches of 500"
[[ $(consistent) == 0 ]] && pass || fail "metadata disagrees with the bars after the kill"
audit=$(sqlite3 "$TMP/var/jutsu.db" "SELECT COALESCE(SUM(bars_affected), 0) FROM data_audit_log")
[[ $audit -eq $stored ]] && pass || fail "audit rows count $audit bars, the table has $stored"

run again 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/big.csv" --format json
[[ $(sqlite3 "$TMP/var/jutsu.db" "SELECT COUNT(*) FROM market_data") -eq $total ]] && pass || fail "not whole after the second run"
[[ $(consistent) == 0 ]] && pass || fail "metadata disagrees with the bars after the second run"
expect again out "\"inserted\":$((total - stored))"
finish
