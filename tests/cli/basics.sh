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

# Every help fits an 80-column terminal: a long usage is folded at a space
# outside brackets (an option stays with its value) under the first argument.
run help-backtest 0 "$JUTSU" help backtest
expect help-backtest out "usage: jutsu [-c FILE] backtest --strategy ID --from DATE --to DATE"
expect help-backtest out "                                [--capital N] [--param NAME=VALUE]..."
"$JUTSU" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z0-9-]*\)\( [a-z0-9-]*\)\? .*/\1\2/p' \
  > "$TMP/commands"
[[ $(wc -l < "$TMP/commands") -ge 30 ]] && pass || fail "help: fewer than 30 commands listed"
wide=$("$JUTSU" --help | awk 'length($0) > 80')
[[ -z $wide ]] && pass || fail "--help: lines over 80 columns: $wide"
while read -r cmd; do
  # shellcheck disable=SC2086  # the command's words, split on purpose
  if ! out=$("$JUTSU" help $cmd 2>&1 && "$JUTSU" $cmd --help 2>&1); then
    fail "help $cmd or $cmd --help failed: $out"
    continue
  fi
  wide=$(awk 'length($0) > 80' <<< "$out")
  [[ -z $wide ]] && pass || fail "help $cmd: lines over 80 columns: $wide"
done < "$TMP/commands"

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
