# tests/cli/lib.bash — helpers for the CLI tests (sourced, not run).
# Each test script gets the jutsu binary as $1 and runs from the source root.
set -uo pipefail
JUTSU="$1"
TP_DIR="${JUTSU_TEST_PLUGIN_DIR:?run through ctest}"
BUILD_DIR="${JUTSU_BUILD_DIR:?run through ctest}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { PASSES=$((PASSES + 1)); }

# run NAME EXPECTED_EXIT CMD... : runs, keeps stdout in $TMP/out, stderr in $TMP/err
run() {
  local name="$1" want="$2"
  shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [[ "$got" != "$want" ]]; then
    fail "$name: exit $got, want $want"
    sed 's/^/  out: /' "$TMP/out" | head -20
    sed 's/^/  err: /' "$TMP/err" | head -20
  else
    pass
  fi
}

# expect NAME FILE(out|err) FIXED-STRING
expect() {
  if grep -qF -- "$3" "$TMP/$2"; then pass; else
    fail "$1: $2 lacks: $3"
    sed "s/^/  $2: /" "$TMP/$2" | head -20
  fi
}

refute() {
  if grep -qF -- "$3" "$TMP/$2"; then fail "$1: $2 has: $3"; else pass; fi
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [[ $FAILS -eq 0 ]]
}
