# The man pages (cmake/man.cmake): every page renders without a warning;
# jutsu(1) has every command `jutsu help` lists, its global options and
# exit codes; jutsu.yaml(5) every host section and every built plugin.
source "$(dirname "$0")/lib.bash"
command -v groff >/dev/null || { echo "man: groff is not installed"; exit 1; }
M="$BUILD_DIR/man"

# as a person reads it: no line breaks inside a command, no hyphenation
render() { groff -man -Tutf8 -rLL=400n -rHY=0 "$1" 2>/dev/null | col -b; }

for page in jutsu.1 jutsu.yaml.5 jutsu-plugin-test.1 jutsu-plugin.7; do
  if [[ ! -s "$M/$page" ]]; then fail "no $M/$page (the man target builds it)"; continue; fi
  groff -man -Tutf8 -ww -z "$M/$page" >"$TMP/warn" 2>&1
  [[ ! -s "$TMP/warn" ]] && pass || { fail "$page: groff warns"; cat "$TMP/warn"; }
  if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$M/$page" >"$TMP/out" 2>"$TMP/err" && [[ -s "$TMP/out" ]] && pass ||
      { fail "$page: man -l"; cat "$TMP/err"; }
  fi
  grep -q '@[A-Z_]*@' "$M/$page" && fail "$page: a @VAR@ left unfilled" || pass
done
grep -qxF "$ABI." "$M/jutsu-plugin.7" && pass || fail "jutsu-plugin.7 does not name ABI $ABI"

# jutsu(1): the commands of `jutsu help`, one by one
render "$M/jutsu.1" >"$TMP/jutsu.txt"
run help 0 "$JUTSU" help
awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print substr($0, 3, 18) }' \
  "$TMP/out" | sed 's/ *$//' >"$TMP/commands"
[[ $(wc -l <"$TMP/commands") -gt 20 ]] && pass || fail "help: too few commands read"
while read -r cmd; do
  grep -qE "^ +jutsu $cmd( |$)" "$TMP/jutsu.txt" && pass || fail "jutsu.1 lacks \`jutsu $cmd\`"
done <"$TMP/commands"
# ... its global options, from the same help
for opt in --config --log-level --log-format --verbose --quiet --no-color --help --version; do
  grep -qE "^ +(-[a-z], )?$opt( |$)" "$TMP/jutsu.txt" && pass || fail "jutsu.1 lacks $opt"
done
# a help line that runs on (the default config's path) runs on in the page
default=$("$JUTSU" --help | sed -n 's/^ *else \(\/.*\))$/\1/p')
[[ -n $default ]] && grep -qF "else $default)" "$TMP/jutsu.txt" && pass ||
  fail "jutsu.1 lacks the default config ('$default') that --help names"
for code in "0      success" "3      configuration error"; do
  grep -qF "$code" "$TMP/jutsu.txt" && pass || fail "jutsu.1 lacks exit status $code"
done

# jutsu.yaml(5): the host's sections and every plugin built with it
render "$M/jutsu.yaml.5" >"$TMP/yaml.txt"
for key in log.level database.backup_dir sync.symbols eod.baselines "plugins[].config"; do
  awk -v k="$key" '{ sub(/^ +/, "") } $0 == k { f = 1 } END { exit !f }' "$TMP/yaml.txt" &&
    pass || fail "jutsu.yaml.5 lacks the key $key"
done
n=0
for so in "${JUTSU_PLUGIN_PATH:?run through ctest}"/*.so; do
  name=$(basename "$so" .so)
  grep -qE "^ +$name \([a-z]+\)$" "$TMP/yaml.txt" && pass || fail "jutsu.yaml.5 lacks $name"
  n=$((n + 1))
done
[[ $n -ge 10 ]] && pass || fail "only $n plugins in $JUTSU_PLUGIN_PATH"
grep -qE "^ +config\.path$" "$TMP/yaml.txt" && pass || fail "jutsu.yaml.5 lacks source-csv's path"
finish
