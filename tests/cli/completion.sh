# jutsu completion bash: the script parses, and completes what the command
# table has (first words, second words, a command's --options).
source "$(dirname "$0")/lib.bash"

run script 0 "$JUTSU" completion bash
expect script out "complete -F _jutsu jutsu"
bash -n "$TMP/out" && pass || fail "the script does not parse"
cp "$TMP/out" "$TMP/comp.bash"
complete_of() {   # complete_of WORD... : what _jutsu offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _jutsu;
           echo "${COMPREPLY[*]}"' _ "$TMP/comp.bash" "$@"
}
[[ "$(complete_of jutsu da)" == "data" ]] && pass || fail "jutsu da: $(complete_of jutsu da)"
[[ "$(complete_of jutsu data s)" == "show status" ]] && pass \
  || fail "jutsu data s: $(complete_of jutsu data s)"
[[ "$(complete_of jutsu -c x.yaml user add bob --r)" == "--role" ]] && pass \
  || fail "user add --r: $(complete_of jutsu -c x.yaml user add bob --r)"
[[ "$(complete_of jutsu user "")" == *invite* ]] && pass || fail "user: $(complete_of jutsu user "")"
[[ "$(complete_of jutsu --log-l)" == "--log-level" ]] && pass || fail "global option"
[[ "$(complete_of jutsu trades "")" == "list" ]] && pass \
  || fail "trades: $(complete_of jutsu trades "")"
[[ "$(complete_of jutsu po)" == "positions" ]] && pass || fail "po: $(complete_of jutsu po)"
[[ "$(complete_of jutsu trades list --l)" == "--log-level --log-format --limit" ]] && pass \
  || fail "trades list --l: $(complete_of jutsu trades list --l)"
[[ "$(complete_of jutsu backtest --no)" == "--no-color" ]] && pass \
  || fail "--no-color: $(complete_of jutsu backtest --no)"
[[ "$(complete_of jutsu backtest --t)" == "--to --trades" ]] && pass \
  || fail "backtest --t: $(complete_of jutsu backtest --t)"
# --format offers the command's own formats
[[ "$(complete_of jutsu positions --format "")" == "table csv json" ]] && pass \
  || fail "positions --format: $(complete_of jutsu positions --format "")"
[[ "$(complete_of jutsu data status --format "")" == "text json" ]] && pass \
  || fail "data status --format: $(complete_of jutsu data status --format "")"
# every command of `jutsu help` is offered
run help 0 "$JUTSU" help
all=$(complete_of jutsu "")
for w in $(awk '/^  [a-z]/ {print $1}' "$TMP/out" | sort -u); do
  [[ " $all " == *" $w "* ]] && pass || fail "first word $w not offered"
done
run nobash 2 "$JUTSU" completion zsh
expect nobash err "say \`bash\`"
finish
