# Config errors: each exits 3 with file:line:col in the message.
source "$(dirname "$0")/lib.bash"

printf 'log:\n  level: info\n  format: [text\n' > "$TMP/syntax.yaml"
run syntax 3 "$JUTSU" -c "$TMP/syntax.yaml" config check
expect syntax err "$TMP/syntax.yaml:4:1:"

printf 'log:\n  level: info\n  colour: blue\n' > "$TMP/unknown.yaml"
run unknown-key 3 "$JUTSU" -c "$TMP/unknown.yaml" config check
expect unknown-key err "$TMP/unknown.yaml:3:3: unknown key \"log.colour\""
expect unknown-key err "allowed: level, format"

printf 'bus:\n  queue_size: lots\n' > "$TMP/type.yaml"
run wrong-type 3 "$JUTSU" -c "$TMP/type.yaml" config check
expect wrong-type err "$TMP/type.yaml:2:15: \"lots\" is not an integer"

cat > "$TMP/plugins.yaml" <<YAML
plugin_path: ["$TP_DIR"]
plugins:
  - name: one
    plugin: tp-good
    config: {count: 0}
  - name: one
    plugin: tp-good
  - name: two
    plugin: tp-missing
  - name: three
    plugin: tp-othermajor
YAML
run plugin-errors 3 "$JUTSU" -c "$TMP/plugins.yaml" config check
expect plugin-errors err "$TMP/plugins.yaml:5:21: 0 is out of range 1..100"
expect plugin-errors err "$TMP/plugins.yaml:6:11: duplicate instance name \"one\""
expect plugin-errors err "$TMP/plugins.yaml:9:13: unknown plugin \"tp-missing\""
expect plugin-errors err "plugin was built for ABI $((ABI_MAJOR + 1)).$ABI_MINOR, host has ABI $ABI"
expect plugin-errors err "5 problems found"

run json 3 "$JUTSU" -c "$TMP/plugins.yaml" config check --format json
expect json out '"ok":false'
expect json out 'duplicate instance name'

printf 'db: ${JUTSU_TEST_UNSET_VAR}\n' > "$TMP/env.yaml"
run unset-var 3 "$JUTSU" -c "$TMP/env.yaml" config check
expect unset-var err "JUTSU_TEST_UNSET_VAR"
expect unset-var err "$TMP/env.yaml:1:5"
finish
