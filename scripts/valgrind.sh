#!/usr/bin/env bash
# scripts/valgrind.sh BUILD_DIR — the main paths under valgrind: no leaks,
# no invalid accesses. Runs the CLI commands a user runs and the unit test
# programs (in-process: CK_FORK=no).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
export JUTSU_SOURCE_DIR="$PWD" JUTSU_BUILD_DIR="$B" JUTSU_PLUGIN_PATH="$B/plugins" \
       JUTSU_TEST_PLUGIN_DIR="$B/tests/plugins" JUTSU_NO_DLCLOSE=1 CK_FORK=no

fail=0
check() {
  local name="$1"; shift
  if "${VG[@]}" "$@" >/tmp/jutsu-vg.out 2>&1; then
    echo "valgrind ok   $name"
  else
    echo "valgrind FAIL $name (exit $?; 99 is valgrind's own verdict)"
    # a check that failed first (Check's file:line:F: lines): with
    # CK_FORK=no it leaves what it held, and the leaks follow from it
    grep -E ':[0-9]+:[FE]:' /tmp/jutsu-vg.out | head -5 || true
    tail -40 /tmp/jutsu-vg.out
    fail=1
  fi
}

check "config check"   "$B/jutsu" -c conf/jutsu.yaml config check
check "config show"    "$B/jutsu" -c conf/jutsu.yaml config show --format json
check "plugins list"   "$B/jutsu" -c conf/jutsu.yaml plugins list
check "harness"        "$B/jutsu-plugin-test" "$B/tests/plugins/tp-good.so"
# users: the password hashed by the auth plugin, the key file made on first use
VT=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-vg-XXXXXX")
cat >"$VT/u.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$VT/u.db"}}
auth: {secret_key_file: "$VT/jutsu.key"}
plugins:
  - {name: password, plugin: auth-password, config: {opslimit: 1, memlimit_kib: 8192}}
  - {name: totp, plugin: auth-totp}
YAML
check "user add"       "$B/jutsu" -c "$VT/u.yaml" user add vg --role admin <<<"valgrind-checks-this-1"
check "user list"      "$B/jutsu" -c "$VT/u.yaml" user list --format json
check "user invite"    "$B/jutsu" -c "$VT/u.yaml" user invite --role viewer
rm -rf "$VT"
for t in "$B"/tests/test_*; do
  [[ -x "$t" ]] || continue
  # test_rest_live times a slow SSE reader, heartbeats and a 2,500-event
  # burst against deadlines that valgrind's slowdown can overrun: it passed
  # alone under valgrind on both backends and failed once inside this loop.
  # Its memory is checked by the ASan+UBSan pass; its leaks are not, until
  # the test's deadlines scale under valgrind (issue 15).
  [[ "$(basename "$t")" == test_rest_live ]] && { echo "valgrind skip test_rest_live"; continue; }
  # test_http_surface holds 10,000 connections and cuts slow clients off at
  # a 2 s request_timeout: deadlines valgrind's slowdown overruns. Its
  # memory, leaks included, is checked by the ASan+UBSan pass.
  [[ "$(basename "$t")" == test_http_surface ]] &&
    { echo "valgrind skip test_http_surface"; continue; }
  check "$(basename "$t")" "$t"
done
exit $fail
