# `data import` of one symbol larger than sync.batch_size commits batch by
# batch: a database refusal at bar 550 (a trigger) keeps the 5 batches of
# 100 before it, the report says so and counts only them, and a re-run
# resumes: the stored half skipped, the rest inserted, no duplicates.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
sync: {batch_size: 100}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
# 1000 real trading days of one symbol; bar 550 has the volume refused below
awk -F, 'NR == 1 { print; next } NR <= 1001 {
  printf "%s,10,11,9,10.5,10.5,%d\n", $1, NR - 1 == 550 ? 424242 : NR
}' conf/sample-data/QQQ.csv > "$TMP/BIG.csv"
db() { sqlite3 "$TMP/var/jutsu.db" "$1"; }

"$JUTSU" -c "$TMP/j.yaml" db upgrade >/dev/null
db "CREATE TRIGGER refuse_bar BEFORE INSERT ON market_data WHEN NEW.volume = 424242
    BEGIN SELECT RAISE(ABORT, 'injected failure'); END"

run partial 1 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/BIG.csv"
expect partial out "BIG      1D   files           1000       500         0         0"
expect partial out "injected failure"
expect partial out "500 of 1000 bars committed"
expect partial out "the failing batch rolled back"
expect partial out "total: 1000 fetched, 500 inserted, 0 skipped, 0 rejected; some items FAILED"
[[ $(db "SELECT COUNT(*) FROM market_data") -eq 500 ]] && pass ||
  fail "after the failure: $(db "SELECT COUNT(*) FROM market_data") bars stored, want 500"
[[ $(db "SELECT total_bars FROM data_metadata WHERE symbol = 'BIG'") -eq 500 ]] && pass ||
  fail "metadata disagrees with the 500 bars stored"

db "DROP TRIGGER refuse_bar"
run resume 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/BIG.csv"
expect resume out "BIG      1D   files           1000       500       500         0"
[[ $(db "SELECT COUNT(*) FROM market_data") -eq 1000 ]] && pass || fail "not whole after resume"
[[ $(db "SELECT COUNT(DISTINCT timestamp) FROM market_data") -eq 1000 ]] && pass ||
  fail "duplicates after resume"
[[ $(db "SELECT total_bars FROM data_metadata WHERE symbol = 'BIG'") -eq 1000 ]] && pass ||
  fail "metadata disagrees with the 1000 bars stored"
finish
