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
expect serve err "[scheduler] off: no database, so no scheduled job"
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

# with a database the scheduler runs: the start-up catch-up (sync, then
# prune) runs on the worker thread, and `scheduler status` shows the records
cat > "$TMP/db.yaml" <<YAML
log: {format: text}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync:
  symbols: [QQQ]
  sources: [sample]
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML
"$JUTSU" -c "$TMP/db.yaml" serve 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q "\[scheduler\] prune for .*: ok in" "$TMP/err" && break
  sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[[ $rc -eq 0 ]] && pass || fail "serve with a database exited $rc"
expect serve-db err "[scheduler] sync: trading days at 16:05 (13:05 on early closes) America/New_York, next "
expect serve-db err "[scheduler] prune: every day at 03:00 America/New_York, next "
expect serve-db err "[sync] 1 item, 0 failed: 4115 bars fetched, 4115 inserted"
expect serve-db err "[scheduler] prune for "
expect serve-db err "stopped cleanly"
# the bundled QQQ ends in May 2026: the days since wait for data, said in
# one line, and the EOD slot is no failure
expect serve-db err "[eod] "
expect serve-db err " wait for data: the newest QQQ bar is 2026-05-13; source sample reads files"
refute serve-db err "ERROR"
run status 0 "$JUTSU" -c "$TMP/db.yaml" scheduler status
expect status out "scheduler: enabled, grace 30 min, times in America/New_York"
expect status out "sync       yes      16:05  13:05  trading days yes"
expect status out "prune      yes      03:00  03:00  every day    yes"
refute status out "never run"
run status-json 0 "$JUTSU" -c "$TMP/db.yaml" scheduler status --format json
expect status-json out '"name":"sync"'
expect status-json out '"status":"ok"'
run status-no-db 3 "$JUTSU" -c "$TMP/j.yaml" scheduler status
expect status-no-db err "configures no database"

# a bad time stops serve before anything starts, with file:line:col
cat > "$TMP/badat.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/var/bad.db"}}
scheduler:
  jobs:
    sync: {at: "4pm"}
YAML
run serve-bad-at 3 "$JUTSU" -c "$TMP/badat.yaml" serve
expect serve-bad-at err "badat.yaml:4:16: scheduler.jobs.sync.at: \"4pm\" is not a time of day; write HH:MM"
refute serve-bad-at err "starting"
run check-bad-at 3 "$JUTSU" -c "$TMP/badat.yaml" config check
expect check-bad-at err "badat.yaml:4:16: scheduler.jobs.sync.at"

# JSON log lines carry the instance name
"$JUTSU" -c "$TMP/j.yaml" --log-format json serve 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 100); do grep -q '"msg":"ready' "$TMP/err" && break; sleep 0.05; done
kill -INT "$pid"; wait "$pid"
expect json-log err '"level":"info","who":"alpha","msg":"hello, publishing test.started"'
finish
