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

# symbols are held to the symbol rule where they are configured, at file:line:col
cat > "$TMP/symbols.yaml" <<'YAML'
sync:
  symbols: ["../x", "a b", "THISISWAYTOOLONG", qqq]
eod:
  baselines:
    - {id: b1, symbol: "../x"}
YAML
run bad-symbols 3 "$JUTSU" -c "$TMP/symbols.yaml" config check
SYMRULE="(a symbol is 1 to 10 characters of upper-case A-Z, 0-9, '.', '-', '^' or '=')"
Y="$TMP/symbols.yaml"
expect bad-symbols err \
  "$Y:2:13: sync.symbols: \"../x\" is not a symbol: '/' is not allowed $SYMRULE"
expect bad-symbols err "$Y:2:21: sync.symbols: \"a b\" is not a symbol: ' ' is not allowed"
expect bad-symbols err \
  "$Y:2:28: sync.symbols: \"THISISWAYTOOLONG\" is not a symbol: it is 16 characters long"
expect bad-symbols err "$Y:5:24: eod.baselines symbol: \"../x\" is not a symbol"
expect bad-symbols err "4 problems found"

# Only a regular file of at most 4 MiB is read as a config (issue 15, defect
# 3): /dev/zero used to be read until memory ran out, then said "out of
# memory" and "0 problems found" with exit 1. The memory limit keeps a
# regression from taking the machine with it; a sanitizer build reserves
# terabytes of address space for its shadow memory, so it runs without.
limit_memory() (
  if ! grep -q __asan_init "$JUTSU"; then ulimit -v 2000000; fi
  exec timeout 60 "$@"
)
run dev-zero 3 limit_memory "$JUTSU" -c /dev/zero config check
expect dev-zero err "/dev/zero: not a regular file (a character device)"
expect dev-zero err "1 problem found"
refute dev-zero err "out of memory"

mkdir "$TMP/confdir"
run directory 3 "$JUTSU" -c "$TMP/confdir" config check
expect directory err "$TMP/confdir: not a regular file (a directory)"

# 5 MiB of comments: valid YAML, but past the cap
head -c 5242880 /dev/zero | tr '\0' '#' > "$TMP/big.yaml"
run too-big 3 "$JUTSU" -c "$TMP/big.yaml" config check
expect too-big err \
  "$TMP/big.yaml: larger than 4 MiB, the most a config file may be"
# ... and 4 MiB exactly is read (and found empty: all comments)
head -c 4194304 /dev/zero | tr '\0' '#' > "$TMP/max.yaml"
run at-cap 3 "$JUTSU" -c "$TMP/max.yaml" config check
expect at-cap err "$TMP/max.yaml: the config file is empty"

# An empty file is a mistake (a failed copy, the wrong path), not "every
# default": docs/config.md gives it no meaning. {} asks for the defaults.
: > "$TMP/empty.yaml"
run empty 3 "$JUTSU" -c "$TMP/empty.yaml" config check
expect empty err "$TMP/empty.yaml: the config file is empty"
printf '# log: {level: debug}\n\n   \n' > "$TMP/comments.yaml"
run comments-only 3 "$JUTSU" -c "$TMP/comments.yaml" config check
expect comments-only err "$TMP/comments.yaml: the config file is empty"
echo '{}' > "$TMP/defaults.yaml"
run explicit-defaults 0 "$JUTSU" -c "$TMP/defaults.yaml" config check
finish
