# Paper history (docs/trading.md): `trade replay` trades a paper_since
# strategy on the stored days, once, up to where its data ends, and the EOD
# rows follow; a bad or misplaced paper_since is a config error.
source "$(dirname "$0")/lib.bash"

yaml() {   # $1: the strategy instance's extra keys
  cat <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/var/jutsu.db"}}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2024-01-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock$1}
YAML
}
yaml ', paper_since: "2025-06-01"' > "$TMP/j.yaml"
J=("$JUTSU" -c "$TMP/j.yaml")
run sync 0 "${J[@]}" sync

# 2025-06-02 .. 2025-06-27 (19 trading days: Juneteenth is a holiday): the
# bundled TLT, TMF and TMV end there
run replay 0 "${J[@]}" trade replay
expect replay out "v3_5b (offline_mock): traded 2025-06-02 .. 2025-06-27: 19 trading days"
expect replay out "eod backfill 2025-06-02 .. 2025-06-27: 19 days completed"
run perf 0 "${J[@]}" perf show v3_5b --format csv
if [[ $(grep -c '^' "$TMP/out") -eq 20 ]]; then pass; else
  fail "perf show v3_5b: $(grep -c '^' "$TMP/out") lines, want a header and 19 rows"
fi
run perf-qqq 0 "${J[@]}" perf show QQQ --from 2025-06-02 --to 2025-06-27 --format csv
if [[ $(grep -c '^' "$TMP/out") -eq 20 ]]; then pass; else
  fail "perf show QQQ: $(grep -c '^' "$TMP/out") lines, want a header and 19 rows"
fi

# once: a second replay finds nothing, and says so
run again 0 "${J[@]}" trade replay --format json
expect again out '"days":0,'
expect again out '"eod_from":null,'
run again-text 0 "${J[@]}" trade replay --strategy v3_5b
expect again-text out "v3_5b (offline_mock): up to date (paper since 2025-06-01"

# not a date; on a live strategy; on another kind of instance
yaml ', paper_since: "2025-13-01"' > "$TMP/bad.yaml"
run bad-date 3 "$JUTSU" -c "$TMP/bad.yaml" config check
expect bad-date err 'paper_since of strategy v3_5b: "2025-13-01" is not a date (YYYY-MM-DD)'
yaml ', mode: online_live, paper_since: "2025-01-02"' | sed 's/mode: offline_mock, //' \
  > "$TMP/live.yaml"
run live 3 "$JUTSU" -c "$TMP/live.yaml" config check
expect live err "paper_since does not apply"
finish
