# sync and data commands on the embedded default layout (SQLite in a temp
# dir, the bundled sample data through source-csv).
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync:
  symbols: [QQQ, TLT]
  sources: [sample]
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML

# an empty table is a result (the header); what it means is a diagnostic
run status-empty 0 "$JUTSU" -c "$TMP/j.yaml" data status
expect status-empty out "SYMBOL   TF   LAST BAR"
expect status-empty err "no market data yet"
refute status-empty out "no market data yet"

run sync 0 "$JUTSU" -c "$TMP/j.yaml" sync
expect sync out "QQQ      1D   sample          4115      4115         0         0  2010-01-04 2026-05-13 ok"
expect sync out "TLT      1D   sample          3895      3895         0         0  2010-01-04 2025-06-27 ok"
expect sync out "total: 8010 fetched, 8010 inserted, 0 skipped, 0 rejected"

run resync 0 "$JUTSU" -c "$TMP/j.yaml" sync --format json
expect resync out '"inserted":0'

run one-symbol 0 "$JUTSU" -c "$TMP/j.yaml" sync --symbol tqqq --from 2024-01-01 --to 2024-01-31
expect one-symbol out "TQQQ     1D   sample            21        21"

run status 0 "$JUTSU" -c "$TMP/j.yaml" data status
expect status out "QQQ      1D   2026-05-13                 4115"
run status-json 0 "$JUTSU" -c "$TMP/j.yaml" data status --format json
expect status-json out '"total_bars":3895'

run show 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --from 2010-01-04 --to 2010-01-05
expect show out "2010-01-04                    46.330002          46.490002          46.270000          46.419998     62822800 csv"
run show-csv 0 "$JUTSU" -c "$TMP/j.yaml" data show qqq --from 2010-01-04 --to 2010-01-04 --format csv
expect show-csv out "2010-01-04,46.330002,46.490002,46.270000,46.419998,62822800,csv,true"
run show-json 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --from 2026-05-13 --format json
expect show-json out '"close":"714.710022"'

run gaps 0 "$JUTSU" -c "$TMP/j.yaml" data gaps QQQ
expect gaps out "QQQ: 4115 valid daily bars, 0 missing trading days"
refute gaps err "QQQ"
run gaps-to 0 "$JUTSU" -c "$TMP/j.yaml" data gaps TLT --to 2025-07-03
expect gaps-to out "2025-06-30"
expect gaps-to out "2025-07-03"
refute gaps-to out "2025-07-04"
expect gaps-to out "TLT: 3895 valid daily bars, 4 missing trading days"

# a symbol never stored is not found (exit 1, named, nothing on stdout),
# in every format; a stored one with no bar in the range is an empty result
stdout_empty() { if [[ -s "$TMP/out" ]]; then fail "$1: stdout not empty"; else pass; fi; }
for fmt in table json csv; do
  run show-unknown-$fmt 1 "$JUTSU" -c "$TMP/j.yaml" data show XYZ --format $fmt
  expect show-unknown-$fmt err "jutsu: error: no 1D bars of XYZ are stored (stored: QQQ, TLT, TQQQ)"
  expect show-unknown-$fmt err "\`jutsu sync --symbol XYZ\` fetches it"
  stdout_empty show-unknown-$fmt
done
run gaps-unknown 1 "$JUTSU" -c "$TMP/j.yaml" data gaps xyz
expect gaps-unknown err "jutsu: error: no 1D bars of XYZ are stored"
stdout_empty gaps-unknown
run gaps-unknown-json 1 "$JUTSU" -c "$TMP/j.yaml" data gaps XYZ --format json
stdout_empty gaps-unknown-json
run show-other-tf 1 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --timeframe 1H
expect show-other-tf err "no 1H bars of QQQ are stored (it has 1D bars: --timeframe 1D)"
run show-empty-range 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --from 2030-01-02
expect show-empty-range out "TIME                               OPEN"
expect show-empty-range err "no 1D bars of QQQ in that range"
run show-empty-json 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --from 2030-01-02 --format json
if [[ "$(tr -d ' \n' < "$TMP/out")" == "[]" ]]; then pass; else fail "show-empty-json: not []"; fi
run show-empty-csv 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ --from 2030-01-02 --format csv
expect show-empty-csv out "time,open,high,low,close,volume,source,valid"

# import: a malformed row is named with file:line; the rest is stored; again inserts 0
cat > "$TMP/ABC.csv" <<CSV
Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,10,11,9,10.5,10.5,100
2024-01-03,ten,11,9,10.5,10.5,100
2024-01-04,10,11,9,10.75,10.75,100
CSV
run import 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/ABC.csv"
expect import err "$TMP/ABC.csv:3"
expect import out "ABC      1D   sample             2         2         0         1"
run import-again 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/ABC.csv" --format json
expect import-again out '"inserted":0'
run import-symbol 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/ABC.csv" --symbol XYZ
expect import-symbol out "XYZ"

run bad-date 2 "$JUTSU" -c "$TMP/j.yaml" sync --from 2024-13-01
expect bad-date err "jutsu: usage error: --from 2024-13-01: there is no month 13"
run bad-date-form 2 "$JUTSU" -c "$TMP/j.yaml" sync --from 2024-1-3
expect bad-date-form err "jutsu: usage error: --from 2024-1-3: write the date as YYYY-MM-DD"
run bad-tf 2 "$JUTSU" -c "$TMP/j.yaml" sync --timeframe 2D --symbol QQQ
# a range that ends before it begins is a usage error in every command
for cmd in "sync" "data show QQQ" "data gaps QQQ" "perf show QQQ" "trades list"; do
  # shellcheck disable=SC2086
  run "reversed-${cmd// /-}" 2 "$JUTSU" -c "$TMP/j.yaml" $cmd --from 2024-03-01 --to 2024-02-01
  expect "reversed-${cmd// /-}" err "jutsu: usage error: --from 2024-03-01 is after --to 2024-02-01"
done
run no-file 1 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/missing.csv"
expect no-file out "missing.csv"

# the symbol rule at the doors: --symbol, file names, data show; the rule quoted
RULE="1 to 10 characters of upper-case A-Z, 0-9, '.', '-', '^' or '='"
run sym-traversal 2 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/ABC.csv" --symbol ../../etc
expect sym-traversal err "--symbol: \"../../etc\" is not a symbol: '/' is not allowed"
expect sym-traversal err "$RULE"
run sym-empty 2 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/ABC.csv" --symbol ""
expect sym-empty err "\"\" is not a symbol: it is empty (a symbol is $RULE)"
run sym-long 2 "$JUTSU" -c "$TMP/j.yaml" sync --symbol "$(printf 'A%.0s' {1..300})"
expect sym-long err "is not a symbol: it is 300 characters long (a symbol is $RULE)"
cp "$TMP/ABC.csv" "$TMP/a;b c.csv"
run sym-file 1 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/a;b c.csv"
expect sym-file out "\"A;B C\" is not a symbol: ';' is not allowed (a symbol is $RULE)"
expect sym-file out "0 inserted"
run sym-show 2 "$JUTSU" -c "$TMP/j.yaml" data show ../x
expect sym-show err "\"../x\" is not a symbol: '/' is not allowed"
run sym-status 0 "$JUTSU" -c "$TMP/j.yaml" data status
refute sym-status out "ETC"
refute sym-status out "A;B"
# a file that gives no bars still names its symbol (from its name, as the
# reader does), and the reader's message is not prefixed with the file twice
printf 'Date,Open,High,Low,Close,Volume\n' > "$TMP/HDR.csv"
run header-only 0 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/HDR.csv"
expect header-only out "HDR      1D"
refute header-only out "?"
expect header-only err "$TMP/HDR.csv: no rows after the header: nothing to import"
: > "$TMP/EMPTY.csv"
run empty-csv 1 "$JUTSU" -c "$TMP/j.yaml" data import "$TMP/EMPTY.csv"
expect empty-csv out "EMPTY    1D"
expect empty-csv out " $TMP/EMPTY.csv: the file is empty: no header line"
refute empty-csv out "$TMP/EMPTY.csv: $TMP/EMPTY.csv"
finish
