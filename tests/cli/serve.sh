# serve: starts the instances, runs until SIGTERM, shuts down in reverse.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
log: {format: text}
plugins:
  - {name: alpha, plugin: tp-good, config: {trace_file: "$TMP/trace"}}
  - {name: beta,  plugin: tp-good, config: {trace_file: "$TMP/trace", greeting: salut}}
  - {name: gamma, plugin: tp-initfail, required: false}
YAML
"$JUTSU" -c "$TMP/j.yaml" serve 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 100); do
  grep -q "ready:" "$TMP/err" && break
  sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[[ $rc -eq 0 ]] && pass || fail "serve exited $rc"
expect serve err "[alpha] hello, publishing test.started"
expect serve err "[beta] salut, publishing test.started"
expect serve err 'instance "gamma" (plugin tp-initfail) failed to initialise: cannot reach the test server'
expect serve err "continuing without it (required: false)"
expect serve err "ready: 2 instances running"
expect serve err "SIGTERM received: shutting down"
expect serve err "stopped cleanly"
printf 'init alpha\nstart alpha\ninit beta\nstart beta\nstop beta\nstop alpha\ndestroy beta\ndestroy alpha\n' > "$TMP/want"
if cmp -s "$TMP/want" "$TMP/trace"; then pass; else fail "lifecycle order"; diff "$TMP/want" "$TMP/trace"; fi

# a required instance that fails stops start-up with its name and reason
cat > "$TMP/bad.yaml" <<YAML
plugin_path: ["$TP_DIR"]
plugins:
  - {name: alpha, plugin: tp-good, config: {trace_file: "$TMP/trace2"}}
  - {name: gamma, plugin: tp-initfail}
YAML
run required-fails 1 "$JUTSU" -c "$TMP/bad.yaml" serve
expect required-fails err 'instance "gamma" (plugin tp-initfail) failed to initialise: cannot reach'
expect required-fails err "start-up failed"
printf 'init alpha\nstart alpha\nstop alpha\ndestroy alpha\n' > "$TMP/want2"
if cmp -s "$TMP/want2" "$TMP/trace2"; then pass; else fail "unwind order"; fi

# JSON log lines carry the instance name
"$JUTSU" -c "$TMP/j.yaml" --log-format json serve 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 100); do grep -q '"msg":"ready' "$TMP/err" && break; sleep 0.05; done
kill -INT "$pid"; wait "$pid"
expect json-log err '"level":"info","who":"alpha","msg":"hello, publishing test.started"'
finish
