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

# Checks run JUTSU_VG_JOBS at a time (default: the number of cores; each
# program under valgrind is single-threaded at heart, and the unit tests
# already run side by side under ctest -j). Their verdicts print in order.
JOBS="${JUTSU_VG_JOBS:-$(nproc)}"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "valgrind.sh: JUTSU_VG_JOBS must be 1 or more" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-vg-out-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
names=()
running=0

# check NAME CMD...: starts CMD under valgrind; its output and exit code go
# to $OUT/N.out and $OUT/N.rc (N its place in the order)
check() {
  local name="$1"; shift
  local n=${#names[@]}
  names+=("$name")
  if ((running >= JOBS)); then wait -n || true; running=$((running - 1)); fi
  ( rc=0; "${VG[@]}" "$@" >"$OUT/$n.out" 2>&1 || rc=$?; echo "$rc" >"$OUT/$n.rc" ) \
    <"${CHECK_STDIN:-/dev/null}" &
  running=$((running + 1))
}

# report: every verdict, in the order the checks were started
report() {
  local fail=0
  for n in "${!names[@]}"; do
    local rc; rc=$(cat "$OUT/$n.rc" 2>/dev/null || echo "none (the check did not finish)")
    if [[ $rc == 0 ]]; then
      echo "valgrind ok   ${names[$n]}"
    else
      echo "valgrind FAIL ${names[$n]} (exit $rc; 99 is valgrind's own verdict)"
      # a check that failed first (Check's file:line:F: lines): with
      # CK_FORK=no it leaves what it held, and the leaks follow from it
      grep -E ':[0-9]+:[FE]:' "$OUT/$n.out" | head -5 || true
      tail -40 "$OUT/$n.out"
      fail=1
    fi
  done
  return $fail
}

check "config check"   "$B/jutsu" -c conf/jutsu.yaml config check
check "config show"    "$B/jutsu" -c conf/jutsu.yaml config show --format json
check "plugins list"   "$B/jutsu" -c conf/jutsu.yaml plugins list
check "harness"        "$B/jutsu-plugin-test" "$B/tests/plugins/tp-good.so"
# users: the password hashed by the auth plugin, the key file made on first
# use; one after the other (each reads what the one before wrote)
VT=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-vg-XXXXXX")
trap 'rm -rf "$OUT" "$VT"' EXIT
cat >"$VT/u.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$VT/u.db"}}
auth: {secret_key_file: "$VT/jutsu.key"}
plugins:
  - {name: password, plugin: auth-password, config: {opslimit: 1, memlimit_kib: 8192}}
  - {name: totp, plugin: auth-totp}
YAML
echo "valgrind-checks-this-1" >"$VT/pw"
CHECK_STDIN="$VT/pw" check "user add" "$B/jutsu" -c "$VT/u.yaml" user add vg --role admin
wait
running=0
check "user list"      "$B/jutsu" -c "$VT/u.yaml" user list --format json
check "user invite"    "$B/jutsu" -c "$VT/u.yaml" user invite --role viewer
wait
running=0
serial=()
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
  # alone, as ctest runs them (RUN_SERIAL): test_pg_outage stops and
  # restarts the test cluster under every other test's connections
  case "$(basename "$t")" in
    test_pg_outage | test_storage_postgres) serial+=("$t"); continue ;;
  esac
  check "$(basename "$t")" "$t"
done
wait
for t in "${serial[@]}"; do
  running=0
  check "$(basename "$t")" "$t"
  wait
done
report
