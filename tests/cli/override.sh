# config override on the real v3_5b (SQLite): a value is held to the range the
# YAML is held to, and a negative number is a value, not an option (issue 15,
# defect 7).
source "$(dirname "$0")/lib.bash"

cat > "$TMP/j.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/var/jutsu.db"}}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2024-01-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, initial_capital: "10000"}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")
run upgrade 0 "${J[@]}" db upgrade

# out of the plugin's range: refused as a usage error, the range quoted, nothing stored
run too-big 2 "${J[@]}" config override set v3_5b upper_z 1e308
expect too-big err "upper_z is 1e+308, not within -100..100"
expect too-big err "override upper_z = 1e308 of strategy v3_5b (plugin strategy-regime)"
run none-stored 0 "${J[@]}" config override list v3_5b
expect none-stored out "(no active override: v3_5b runs its YAML parameters)"
# the schema's INT range, as before
run int-range 2 "${J[@]}" config override set v3_5b sma_fast 99999
expect int-range err '99999 is out of range 1..2520 (key "sma_fast" in strategy v3_5b'

# a negative number is the value, wherever the options stand
run negative 0 "${J[@]}" config override set v3_5b lower_z -0.5
expect negative out "v3_5b.lower_z = -0.5 (was 0.2)"
run negative-reason 0 "${J[@]}" config override set --reason "calmer" v3_5b lower_z -.75
expect negative-reason out "v3_5b.lower_z = -.75 (was -0.5)"
run negative-after 0 "${J[@]}" config override set v3_5b lower_z -1e-1 --reason -5
expect negative-after out "v3_5b.lower_z = -1e-1 (was -.75)"
run listed 0 "${J[@]}" config override list v3_5b
expect listed out "lower_z                  -1e-1          0.2"
expect listed out " -5"
# still a usage error when it is not a number
run not-number 2 "${J[@]}" config override set v3_5b lower_z -x
expect not-number err "unknown option"
# and the rule between two parameters, with the other override in place
run below-lower 2 "${J[@]}" config override set v3_5b upper_z -2
expect below-lower err "lower_z (-0.1) must not be above upper_z (-2)"
finish
