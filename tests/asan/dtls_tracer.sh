#!/usr/bin/env bash
# tests/asan/dtls_tracer.sh DTLS_EXIT DTLS_LIB — issue 15, defect 12.
# Runs dtls_exit (threads alive at exit, each holding a dynamic TLS block at
# 16 mod 4096: see dtls_exit.c) three times:
#   1. with the sanitizer options of the test suite: exits 0;
#   2. the same with a leak planted: LeakSanitizer reports it and it alone,
#      so run 1's exit 0 means it checked, not that it was off, and the
#      blocks only the threads' dynamic TLS points to are not taken for leaks;
#   3. the same with the __tls_get_addr interception back on: the runtime
#      must die as in google/sanitizers#1322, or this test proves nothing
#      (and if the runtime got fixed, the setting may go: see scripts/test.sh).
set -uo pipefail
exe="${1:?usage: dtls_tracer.sh DTLS_EXIT DTLS_LIB}"
lib="${2:?usage: dtls_tracer.sh DTLS_EXIT DTLS_LIB}"
# Those of scripts/test.sh, which exports them to ctest; the same by
# default, for a bare ctest run.
opts="${ASAN_OPTIONS:-detect_leaks=1:intercept_tls_get_addr=0:abort_on_error=1}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-dtls-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0   # the runs that must fail abort(): no core files
fails=0

fail() {
  echo "FAIL: $*"
  sed 's/^/  err: /' "$tmp/err" | head -20
  fails=$((fails + 1))
}

# run ASAN_OPTIONS [leak]: sets $rc, stderr in $tmp/err (the outer 2>
# silences bash's "Aborted" line for the runs that must abort)
run() {
  { ASAN_OPTIONS="$1" "$exe" "$lib" ${2:+"$2"} >/dev/null 2>"$tmp/err"; } 2>/dev/null
  rc=$?
  if ! grep -q 'dynamic TLS blocks at 16 mod 4096' "$tmp/err"; then
    fail "dtls_exit did not place its blocks (exit $rc, ASAN_OPTIONS=$1)"
    return 1
  fi
  grep -F 'dtls_exit:' "$tmp/err" | head -1
}

echo "ASAN_OPTIONS=$opts"
if run "$opts"; then
  [[ $rc == 0 ]] || fail "suite's ASAN_OPTIONS: exit $rc, want 0" \
    "(does it have intercept_tls_get_addr=0? issue 15, defect 12)"
fi
if run "$opts" leak; then
  if [[ $rc == 0 ]] || ! grep -q 'detected memory leaks' "$tmp/err"; then
    fail "planted leak: exit $rc without a leak report: is detect_leaks on?"
  elif ! grep -qF 'SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).' \
      "$tmp/err"; then
    fail "planted leak: more reported than its 77 bytes (the blocks held in dynamic TLS?)"
  fi
fi
if run "$opts:intercept_tls_get_addr=1"; then
  if [[ $rc == 0 ]] || ! grep -q 'Tracer caught signal 11' "$tmp/err"; then
    fail "interception on: exit $rc without 'Tracer caught signal 11':" \
      "the runtime no longer mistakes the block (google/sanitizers#1322 fixed?)"
  fi
fi
if ((fails > 0)); then
  echo "$fails of 3 runs failed"
  exit 1
fi
echo "3 runs as expected: the suite's options survive the block, the interception dies of it"
