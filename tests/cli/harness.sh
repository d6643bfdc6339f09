# jutsu-plugin-test: passes a good plugin, explains broken ones.
source "$(dirname "$0")/lib.bash"
H="$BUILD_DIR/jutsu-plugin-test"

run good 0 "$H" "$TP_DIR/tp-good.so"
expect good out "ok   load"
expect good out "ok   per-instance state"
expect good out "ok   source.timeframes"
expect good out "passed, 0 failed"

run noop 1 "$H" "$TP_DIR/tp-noop.so"
expect noop out "FAIL load"
expect noop out "ops.fetch: missing (mandatory for a source plugin)"
expect noop out "0 passed, 1 failed"

run badmagic 1 "$H" "$TP_DIR/tp-badmagic.so"
expect badmagic out "FAIL load"
expect badmagic out "magic"

run initfail 1 "$H" "$TP_DIR/tp-initfail.so"
expect initfail out "FAIL init+start"
expect initfail out "cannot reach the test server"

printf 'count: 500\n' > "$TMP/c.yaml"
run badconfig 1 "$H" -c "$TMP/c.yaml" "$TP_DIR/tp-good.so"
expect badconfig out "FAIL config"
expect badconfig out "500 is out of range 1..100"

printf 'count: 7\ngreeting: hey\n' > "$TMP/ok.yaml"
run withconfig 0 "$H" -c "$TMP/ok.yaml" "$TP_DIR/tp-good.so"
run usage 2 "$H"
finish
