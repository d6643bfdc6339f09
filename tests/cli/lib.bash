# tests/cli/lib.bash — helpers for the CLI tests (sourced, not run).
# Each test script gets the jutsu binary as $1 and runs from the source root.
set -uo pipefail
JUTSU="$1"
TP_DIR="${JUTSU_TEST_PLUGIN_DIR:?run through ctest}"
BUILD_DIR="${JUTSU_BUILD_DIR:?run through ctest}"
# The plugin ABI version, from the header the binary was built from, so
# that an ABI bump changes what the tests expect without anyone editing them.
ABI_MAJOR=$(sed -n 's/^#define JUTSU_ABI_MAJOR \([0-9][0-9]*\)$/\1/p' include/jutsu/version.h)
ABI_MINOR=$(sed -n 's/^#define JUTSU_ABI_MINOR \([0-9][0-9]*\)$/\1/p' include/jutsu/version.h)
if [[ -z "$ABI_MAJOR" || -z "$ABI_MINOR" ]]; then
  echo "no JUTSU_ABI_MAJOR/MINOR in include/jutsu/version.h"
  exit 1
fi
ABI="$ABI_MAJOR.$ABI_MINOR"
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
