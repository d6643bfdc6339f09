# CLI basics: version, help, usage errors and their exit codes.
source "$(dirname "$0")/lib.bash"

run version 0 "$JUTSU" --version
expect version out "jutsu 0.1.0 (plugin ABI $ABI)"
run version-cmd 0 "$JUTSU" version --format json
expect version-json out "\"abi_major\":$ABI_MAJOR"

run help 0 "$JUTSU" --help
expect help out "config check"
expect help out "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 configuration error"
run help-cmd 0 "$JUTSU" help config check
expect help-cmd out "usage: jutsu [-c FILE] config check [--format text|json]"
run help-group 0 "$JUTSU" help plugins
expect help-group out "plugins describe"
run help-scheduler 0 "$JUTSU" help scheduler status
expect help-scheduler out "usage: jutsu [-c FILE] scheduler status [--format text|json]"

run no-command 2 "$JUTSU"
run unknown-command 2 "$JUTSU" frobnicate
expect unknown-command err 'unknown command "frobnicate"'
run group-only 2 "$JUTSU" config
expect group-only err "config show"
run unknown-option 2 "$JUTSU" config check --bogus
expect unknown-option err "unknown option --bogus"
run bad-format 2 "$JUTSU" -c conf/jutsu.yaml config check --format xml
expect bad-format err "--format xml is not supported here (use one of: text,json)"
run bad-level 2 "$JUTSU" --log-level loud version

# config file resolution: -c, then $JUTSU_CONFIG, then /etc/jutsu/jutsu.yaml
JUTSU_CONFIG=/nonexistent/j.yaml run env-config 3 "$JUTSU" config check
expect env-config err "/nonexistent/j.yaml"
run missing-config 3 "$JUTSU" -c "$TMP/none.yaml" config check
expect missing-config err "$TMP/none.yaml"

run default-config 0 "$JUTSU" -c conf/jutsu.yaml config check
expect default-config out "conf/jutsu.yaml: OK"
finish
