# storage-sqlite through the CLI: its settings, and the storage conformance
# suite run by jutsu-plugin-test against a scratch file.
source "$(dirname "$0")/lib.bash"
H="$BUILD_DIR/jutsu-plugin-test"
SO="${JUTSU_PLUGIN_PATH:?run through ctest}/storage-sqlite.so"

run describe 0 "$JUTSU" plugins describe storage-sqlite
expect describe out "storage-sqlite 1.0.0"
expect describe out "busy_timeout_ms"
expect describe out "var/jutsu.db"

printf 'path: %s/db/scratch.db\nbusy_timeout_ms: 2000\n' "$TMP" > "$TMP/ok.yaml"
run conformance 0 "$H" -c "$TMP/ok.yaml" "$SO"
expect conformance out "---- conformance: storage"
expect conformance out "ok   storage.roundtrip"
expect conformance out "ok   storage.bulk "
expect conformance out "ok   storage.err.check"
expect conformance out "ok   storage.schema.gone    15 of 15 tables gone"
expect conformance out "passed, 0 failed"
refute conformance out "FAIL"
[[ -f "$TMP/db/scratch.db" ]] && pass || fail "conformance: the database file was not created"

# the suite wants an empty database: a second run over the same file
# still works because the first one undid every migration
run again 0 "$H" -c "$TMP/ok.yaml" "$SO"
expect again out "passed, 0 failed"

printf 'path: ":memory:"\n' > "$TMP/mem.yaml"
run memory 1 "$H" -c "$TMP/mem.yaml" "$SO"
expect memory out "FAIL init+start"
expect memory out 'path ":memory:" is not allowed'

printf 'path: %s/ok.yaml/x.db\n' "$TMP" > "$TMP/bad.yaml"
run baddir 1 "$H" -c "$TMP/bad.yaml" "$SO"
expect baddir out "$TMP/ok.yaml, the directory of the SQLite database $TMP/ok.yaml/x.db, is not a directory"

printf 'synchronous: sometimes\n' > "$TMP/sync.yaml"
run badsync 1 "$H" -c "$TMP/sync.yaml" "$SO"
expect badsync out "FAIL config"
finish
