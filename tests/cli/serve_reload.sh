# serve_reload: SIGHUP re-reads the config; what may change at run time
# applies (log format, the jobs' times), what may not is named and keeps
# its running value, and a file with a problem changes nothing.
source "$(dirname "$0")/lib.bash"

# wait_for FILE TEXT: until the log holds TEXT (at most 60 s)
wait_for() {
  for _ in $(seq 1 1200); do
    grep -qF -- "$2" "$1" && return 0
    sleep 0.05
  done
  return 1
}

# config LEVEL FORMAT SYNC_AT BUSY_TIMEOUT_MS [WARMUP [SAMPLE_DIR]]
config() {
  cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
log: {level: $1, format: $2}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db", busy_timeout_ms: $4}
  backup_dir: "$TMP/var/backups"
scheduler:
  jobs: {sync: {at: "$3"}}
sync:
  symbols: [QQQ]
  sources: [sample]
plugins:
  - {name: sample, plugin: source-csv, config: {path: "${6:-$PWD/conf/sample-data}"}}
  - {name: hold, plugin: tp-strategy, config: {warmup: ${5:-3}}}
YAML
}

config info text 16:05 5000
"$JUTSU" -c "$TMP/j.yaml" serve 2>"$TMP/log" &
pid=$!
wait_for "$TMP/log" "[scheduler] prune for " && pass || { fail "serve did not start"; cat "$TMP/log"; }

# a file with a problem: refused, said with its position, nothing changes
config loud text 16:05 5000
kill -HUP "$pid"
wait_for "$TMP/log" "reload refused:" && pass || fail "no refusal"
cp "$TMP/log" "$TMP/err"
expect refused err "SIGHUP: reading $TMP/j.yaml again"
expect refused err "reload refused: $TMP/j.yaml has 1 problem (invalid configuration); the running config is kept and the service goes on"
expect refused err "reload: $TMP/j.yaml:2:"
expect refused err "\"loud\" is not one of"
kill -0 "$pid" 2>/dev/null && pass || fail "serve died on a bad reload"

# the same file again: nothing to do
config info text 16:05 5000
kill -HUP "$pid"
wait_for "$TMP/log" "reload: nothing to apply at run time: the file is unchanged" && pass ||
  fail "an unchanged file"

# the log's format and the sync's time apply; the database's timeout needs a restart
config info json 16:20 7000
kill -HUP "$pid"
wait_for "$TMP/log" "reload: applied" && pass || fail "no reload applied"
wait_for "$TMP/log" "sync: trading days at 16:20" && pass || fail "the new time is not in use"
cp "$TMP/log" "$TMP/err"
expect reload err "[jutsu] reload: 1 change needs a restart to apply (the running value is kept until then: systemctl restart jutsu): database.sqlite.busy_timeout_ms"
# the log is JSON from the reload on
expect reload err '"who":"jutsu","msg":"reload: applied 2 changes: log.format, scheduler.jobs.sync.at"'
expect reload err '"who":"scheduler","msg":"sync: trading days at 16:20 '

# a strategy's parameters apply at its next trading run
config info json 16:20 7000 5
kill -HUP "$pid"
wait_for "$TMP/log" "takes its new parameters at its next trading run" && pass ||
  fail "the strategy's new parameters"
cp "$TMP/log" "$TMP/err"
expect strategy err '"msg":"reload: applied 1 change: plugins.hold.config.warmup"'
# ... but not beside a change to another instance, which needs a restart
ln -s "$PWD/conf/sample-data" "$TMP/data"
config info json 16:20 7000 8 "$TMP/data"
kill -HUP "$pid"
wait_for "$TMP/log" "plugins.sample.config.path, plugins.hold.config.warmup" && pass ||
  fail "a source's path with a strategy's parameter"
cp "$TMP/log" "$TMP/err"
expect mixed err 'reload: 3 changes need a restart to apply'
expect mixed err 'database.sqlite.busy_timeout_ms, plugins.sample.config.path, plugins.hold.config.warmup"'
expect mixed err '"msg":"reload: nothing to apply at run time"'

kill -TERM "$pid"
wait "$pid"
rc=$?
[[ $rc -eq 0 ]] && pass || fail "serve exited $rc"
cp "$TMP/log" "$TMP/err"
expect stop err '"msg":"stopped cleanly"'
finish
