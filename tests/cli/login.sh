# jutsu login: which instance it picks, and what it says when it cannot.
source "$(dirname "$0")/lib.bash"

cat >"$TMP/csv.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/csv.db"}}
plugins:
  - {name: files, plugin: source-csv, config: {path: "$TMP"}}
YAML
run none 3 "$JUTSU" -c "$TMP/csv.yaml" login
expect none err "csv.yaml has no instance that can log in (a source that needs a person's approval, such as source-schwab)"
run cannot 3 "$JUTSU" -c "$TMP/csv.yaml" login files
expect cannot err "instance files (plugin source-csv) cannot log in: its plugin has no login"
run unknown 3 "$JUTSU" -c "$TMP/csv.yaml" login nosuch
expect unknown err "csv.yaml has no instance named nosuch"
run noschwab 3 "$JUTSU" -c "$TMP/csv.yaml" schwab login
expect noschwab err "csv.yaml has no source-schwab instance"
run toomany 2 "$JUTSU" -c "$TMP/csv.yaml" login a b
expect toomany err "name at most one instance"

# Two Schwab instances: the login flow itself needs nothing from the
# network until an address is pasted (test_source_schwab covers the rest).
schwab() {
  printf '  - name: %s\n    plugin: source-schwab\n    config: {app_key: k-%s, app_secret: s, token_file: "%s/%s.json", api_base: "http://127.0.0.1:9", auth_base: "http://127.0.0.1:9/"}\n' \
    "$1" "$1" "$TMP" "$1"
}
{ echo "database: {type: sqlite, sqlite: {path: \"$TMP/s.db\"}}"
  echo "plugins:"
  schwab first
  schwab second
} >"$TMP/two.yaml"
run several 3 "$JUTSU" -c "$TMP/two.yaml" login
expect several err "two.yaml has 2 instances that can log in: name one, as in \`jutsu login first\`"
run named 1 "$JUTSU" -c "$TMP/two.yaml" login second </dev/null
expect named out "Open this address in a browser"
expect named out "client_id=k-second"
expect named err "second: no address was pasted (end of input)"
refute named err "k-first"
run alias 3 "$JUTSU" -c "$TMP/two.yaml" schwab login
expect alias err "has 2 instances that can log in"
finish
