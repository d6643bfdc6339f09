# The first hour of a new user, on the bundled config and data: the first
# `serve` ends in green (the days after the sample data's end wait for data:
# no ERROR, no hint that cannot help), and `config show` shows an override.
source "$(dirname "$0")/lib.bash"

# conf/jutsu.yaml as shipped, in a directory of its own: its relative paths
# (database, key file) land under $TMP whichever directory they are taken
# from; only the sample data's path and the listening port are changed.
mkdir -p "$TMP/conf" "$TMP/var" "$TMP/conf/var"
sed -e "s#^\(\s*path:\s*\).*sample-data.*#\1\"$PWD/conf/sample-data\"#" \
    -e 's#listen: "127.0.0.1:8080"#listen: "127.0.0.1:0"#' conf/jutsu.yaml > "$TMP/conf/jutsu.yaml"
if grep -q "path: \"$PWD/conf/sample-data\"" "$TMP/conf/jutsu.yaml" &&
   grep -q 'listen: "127.0.0.1:0"' "$TMP/conf/jutsu.yaml"; then pass; else
  fail "conf/jutsu.yaml changed: the copy still names the shipped sample path or port 8080"
  finish
  exit 1
fi

(cd "$TMP" && exec "$JUTSU" -c conf/jutsu.yaml --log-format text serve) 2>"$TMP/serve.err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q "\[scheduler\] prune for .*: ok in" "$TMP/serve.err" && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
[[ $rc -eq 0 ]] && pass || fail "serve exited $rc"
cp "$TMP/serve.err" "$TMP/err"
expect serve err "[scheduler] eod for "
expect serve err "wait for data: the newest QQQ bar is 2026-05-13; source sample reads files, and $PWD/conf/sample-data/QQQ.csv ends there: add the later rows to it, then run \`jutsu sync\`"
expect serve err "stopped cleanly"
refute serve err "ERROR"
refute serve err "partial"
# `jutsu sync` fetches nothing new from files: no hint may say only that
refute serve err "run \`jutsu sync\`, or see"
refute serve err "not complete"
if [[ $(grep -c "wait for data" "$TMP/serve.err") -eq 1 ]]; then pass; else
  fail "the days that wait for data are said in more than one line"
  grep "wait for data" "$TMP/serve.err" | head -5
fi
if grep "\[scheduler\] eod for .*: ok in" "$TMP/serve.err" >/dev/null; then pass; else
  fail "the eod slot did not end ok"
  grep "\[scheduler\] eod" "$TMP/serve.err"
fi

J=("$JUTSU" -c conf/jutsu.yaml)
cd "$TMP" || exit 1
run status 0 "${J[@]}" eod status --days 1
expect status out "waiting"
expect status out "waits for data: the newest QQQ bar is 2026-05-13"

# `config show` shows what runs: an override in place of the file's value,
# marked with the file's value, who set it and when
run override 0 "${J[@]}" config override set v3_5d upper_z 1.1 --reason "first hour"
run show 0 "${J[@]}" config show
expect show out "    upper_z: 1.1  # override (file: 1.2), by "
expect show out ", reason: first hour"
refute show out "upper_z: 1.2"
run show-json 0 "${J[@]}" config show --format json
expect show-json out '"upper_z":1.1,'
expect show-json out '"overrides":{'
expect show-json out '"value":1.1,'
expect show-json out '"file":1.2,'
expect show-json out '"reason":"first hour"'
run unset 0 "${J[@]}" config override unset v3_5d upper_z
run show-after 0 "${J[@]}" config show
expect show-after out "    upper_z: 1.2"
refute show-after out "# override ("
finish
