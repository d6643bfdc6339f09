# A CSV file that gives one date twice with different values: the second
# row is rejected like an unreadable one, naming its file:line, the line it
# repeats and which one is kept; an identical repeat is left to the sync,
# which drops it and counts it as skipped.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML

cat > "$TMP/DUP.csv" <<CSV
Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,10,11,9,10.5,10.5,100
2024-01-03,10,11,9,10.25,10.25,100
2024-01-04,10,11,9,10.75,10.75,100
2024-01-03,10,11,9,10.9,10.9,100
2024-01-04,10,11,9,10.75,10.75,100
CSV
run import 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/DUP.csv"
expect import err "rejected $TMP/DUP.csv:5: Date: \"2024-01-03\" is also on line 3, with other"
expect import err "values (Close 10.25 there, 10.9 here): line 3 is kept, this row is dropped"
refute import err "DUP.csv:6"
# 4 delivered (line 6 repeats line 4 exactly: skipped), 3 stored, 1 rejected
expect import out "DUP      1D   sample             4         3         1         1"
run show 0 "$JUTSU" -c "$TMP/j.yaml" data show DUP --from 2024-01-03 --to 2024-01-03 --format csv
expect show out "2024-01-03,10.000000,11.000000,9.000000,10.250000,100"

# a symbol-column file: the same date of two symbols is no duplicate
cat > "$TMP/multi.csv" <<CSV
symbol,date,open,high,low,close,volume
AAA,2024-01-02,1,2,1,1.5,10
BBB,2024-01-02,1,2,1,1.75,10
AAA,2024-01-02,1,2,1,1.5,11
CSV
run multi 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/multi.csv"
expect multi err "rejected $TMP/multi.csv:4: date: \"2024-01-02\" of AAA is also on line 2,"
expect multi err "(volume 10 there, 11 here): line 2 is kept"
refute multi err "multi.csv:3"
finish
