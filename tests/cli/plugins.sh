# plugins list / describe, and config show with secrets masked.
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
plugin_path: ["$TP_DIR"]
plugins:
  - name: greeter
    plugin: tp-good
    config:
      greeting: "\${JUTSU_TEST_GREETING:-bonjour}"
      api_token: s3cr3t-token
YAML
# The test plugin directory holds broken plugins on purpose: list shows
# them as refused and exits 1.
run list 1 "$JUTSU" -c "$TMP/j.yaml" plugins list
expect list out "tp-good              source    0.0.1     $ABI   $TP_DIR/tp-good.so"
expect list out "(refused, see below)"
expect list err "abi_major: plugin was built for ABI $((ABI_MAJOR + 1)).$ABI_MINOR"
run list-json 1 "$JUTSU" -c "$TMP/j.yaml" plugins list --format json
expect list-json out '"name":"tp-good"'
expect list-json out '"refused":['

run describe 0 "$JUTSU" -c "$TMP/j.yaml" plugins describe tp-good
expect describe out "tp-good 0.0.1: test plugin (tp-good)"
expect describe out "count"
expect describe out "Bars served per fetch"
run describe-json 0 "$JUTSU" -c "$TMP/j.yaml" plugins describe tp-good --format json
expect describe-json out '"name":"greeting"'
run describe-host 0 "$JUTSU" -c "$TMP/j.yaml" plugins describe host
expect describe-host out "queue_size"
run describe-missing 1 "$JUTSU" -c "$TMP/j.yaml" plugins describe nothing-here
expect describe-missing err 'no plugin "nothing-here"'

run show 0 "$JUTSU" -c "$TMP/j.yaml" config show
expect show out "bonjour"
expect show out "********"
refute show out "s3cr3t-token"
expect show out "count: 3"
JUTSU_TEST_GREETING=hola DATABASE_URL="postgresql://u:pw-in-url@h:5/d" \
  run show-env 0 "$JUTSU" -c "$TMP/j.yaml" config show
expect show-env out "hola"
expect show-env out 'type: "postgresql"'
expect show-env out "password: '********'"
expect show-env out "pool_size: 16"
refute show-env out "pw-in-url"
refute show-env err "pw-in-url"
run show-json 0 "$JUTSU" -c "$TMP/j.yaml" config show --format json
expect show-json out '"count":3'
refute show-json out "s3cr3t-token"
finish
