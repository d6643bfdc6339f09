# jutsu-plugin-test: passes a good plugin, explains broken ones; a bare
# file name is a file; each check says what it expected (and, failing,
# what it got) in text, json and tap.
source "$(dirname "$0")/lib.bash"
H="$BUILD_DIR/jutsu-plugin-test"

run good 0 "$H" "$TP_DIR/tp-good.so"
expect good out "ok   load"
expect good out "ok   per-instance state"
expect good out "ok   source.timeframes"
expect good out "(expected: at least one timeframe, each one of 1D, 1H, 5m, 15m)"
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

# a failing check: what it got, and under it what it expected
printf 'count: 500\n' > "$TMP/c.yaml"
run badconfig 1 "$H" -c "$TMP/c.yaml" "$TP_DIR/tp-good.so"
expect badconfig out "FAIL config                 got: settings refused"
expect badconfig out \
  "                            expected: the settings (-c FILE) valid against the plugin's schema"
expect badconfig out "500 is out of range 1..100"

printf 'count: 7\ngreeting: hey\n' > "$TMP/ok.yaml"
run withconfig 0 "$H" --config "$TMP/ok.yaml" "$TP_DIR/tp-good.so"
run usage 2 "$H"
run badformat 2 "$H" --format xml "$TP_DIR/tp-good.so"
expect badformat err "--format: use text, json or tap, not xml"

# a bare name is the file in the working directory, never a library
# search (which dlopen would do, then blame a missing dependency)
mkdir -p "$TMP/plugdir"
cp "$TP_DIR/tp-good.so" "$TMP/plugdir/"
(cd "$TMP/plugdir" && "$H" tp-good.so) >"$TMP/out" 2>"$TMP/err" && pass ||
  { fail "bare: jutsu-plugin-test tp-good.so in its folder"; cat "$TMP/out" "$TMP/err"; }
expect bare out "jutsu-plugin-test: tp-good.so"
expect bare out "passed, 0 failed"
refute bare out "cannot open shared object file"
(cd "$TMP/plugdir" && "$H" nosuch.so) >"$TMP/out" 2>"$TMP/err"
[[ $? -eq 1 ]] && pass || fail "missing: exit $?, want 1"
expect missing out "./nosuch.so: No such file or directory"
refute missing out "a library it depends on is missing"

# --kind-suite: the plugin must be of that kind; none runs no suite
run kind 0 "$H" --kind-suite source "$TP_DIR/tp-good.so"
expect kind out "ok   kind                   a source plugin"
run wrongkind 1 "$H" --kind-suite kpi --kind-suite strategy "$TP_DIR/tp-good.so"
expect wrongkind out "FAIL kind                   got: a source plugin, not strategy or kpi"
refute wrongkind out "init+start"
run nosuite 0 "$H" --kind-suite none "$TP_DIR/tp-good.so"
expect nosuite out "skip conformance            --kind-suite none"
refute nosuite out "source.fetch"
run badkind 2 "$H" --kind-suite sauce "$TP_DIR/tp-good.so"
expect badkind err "not a plugin kind: sauce"

# json: one valid object, a check's expected and got, diag lines kept
run json 1 "$H" -c "$TMP/c.yaml" --format json "$TP_DIR/tp-good.so"
python3 - "$TMP/out" <<'PY' && pass || fail "json: not the report described in harness.h"
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in r["checks"]}
assert r["plugin"].endswith("tp-good.so"), r["plugin"]
assert c["load"]["status"] == "ok" and c["load"]["expected"], c["load"]
cfg = c["config"]
assert cfg["status"] == "fail", cfg
assert cfg["expected"] == "the settings (-c FILE) valid against the plugin's schema", cfg
assert cfg["got"].startswith("settings refused"), cfg
assert any("500 is out of range 1..100" in d for d in cfg["diag"]), cfg
assert (r["passed"], r["failed"]) == (2, 1), (r["passed"], r["failed"])
PY

# tap: version, numbered lines, a YAML block under a failure, plan last
run tap 1 "$H" -c "$TMP/c.yaml" --format tap "$TP_DIR/tp-good.so"
expect tap out "TAP version 13"
expect tap out "ok 1 - load: the file opens and passes the loader's checks"
expect tap out "not ok 3 - config: the settings (-c FILE) valid against the plugin's schema"
expect tap out '  expected: "the settings (-c FILE) valid against the plugin'"'"'s schema"'
expect tap out '  got: "settings refused (pass them with -c FILE):"'
expect tap out "500 is out of range 1..100"
lines=$(grep -cE '^(not )?ok [0-9]+ - ' "$TMP/out")
[[ "$lines" == 3 && "$(tail -2 "$TMP/out" | head -1)" == "1..3" ]] && pass ||
  { fail "tap: 3 test lines and the plan 1..3"; cat "$TMP/out"; }
run tapgood 0 "$H" --format tap "$TP_DIR/tp-good.so"
expect tapgood out "# conformance: source"
refute tapgood out "not ok"
n=$(grep -cE '^ok [0-9]+ - ' "$TMP/out")
grep -qx "1..$n" "$TMP/out" && pass || { fail "tapgood: no plan 1..$n"; cat "$TMP/out"; }

# every check of every suite says what it expects: the source, kpi,
# strategy and storage suites on real plugins, in json
printf 'path: %s/db/scratch.db\n' "$TMP" > "$TMP/sqlite.yaml"
for p in "$TP_DIR/tp-good.so" "$JUTSU_PLUGIN_PATH/kpi-standard.so" \
         "$JUTSU_PLUGIN_PATH/strategy-buyhold.so" \
         "-c $TMP/sqlite.yaml $JUTSU_PLUGIN_PATH/storage-sqlite.so"; do
  # shellcheck disable=SC2086
  "$H" --format json $p >"$TMP/out" 2>"$TMP/err"
  python3 - "$TMP/out" <<'PY' && pass || fail "expectations: a check without one in $p"
import json, sys
r = json.load(open(sys.argv[1]))
bare = [c["name"] for c in r["checks"] if c["status"] != "skip" and not c["expected"]]
assert len(r["checks"]) > 8 and not bare, bare
PY
done
finish
