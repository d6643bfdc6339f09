#!/usr/bin/env bash
# scripts/test.sh — README command 2: install what the tests need, build,
# and run the whole suite twice: a normal build, then AddressSanitizer +
# UndefinedBehaviorSanitizer; then the main paths under valgrind; then the
# static analysis, the hardening check of the binaries, the packages and
# their checks (scripts/package.sh, package-check.sh), and every fuzz
# target for 10 s (scripts/fuzz.sh runs them long).
#
#   scripts/test.sh [--quick]     --quick: the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--quick" ]]; then scripts/deps.sh --test
else scripts/deps.sh --test --fuzz --package; fi

# A throw-away PostgreSQL cluster for the storage tests (issue: storage).
if [[ -x scripts/pg-test-cluster.sh ]]; then
  eval "$(scripts/pg-test-cluster.sh start)"
  trap 'scripts/pg-test-cluster.sh stop' EXIT
fi

echo "== build (RelWithDebInfo, -Werror)"
scripts/build.sh build
echo "== tests"
ctest --test-dir build --output-on-failure -j"$(nproc)"

if [[ "${1:-}" == "--quick" ]]; then exit 0; fi

echo "== build (ASan + UBSan)"
scripts/build.sh build-asan -DJUTSU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DJUTSU_BUILD_BENCH=OFF
echo "== tests under ASan + UBSan"
# JUTSU_NO_DLCLOSE: plugins stay mapped at exit. When dlclose unloads a
# plugin's libraries, a stale dynamic-TLS entry stays behind, and
# LeakSanitizer's exit scan crashes on it ("Tracer caught signal 11" after
# "DTLS ... at 0x...1ca"), seen on `jutsu db downgrade` against PostgreSQL.
# The normal build above runs the dlclose path; leak reports keep the
# plugins' symbols this way too.
# Even so the tracer still crashes now and then at the exit of a forked test
# process that used PostgreSQL (twice in one run of 70 tests, in tests that
# pass alone): LeakSanitizer is off here until its cause is found (issue 15,
# defect 12), and the leaks are checked by valgrind below, which runs every
# test program and the CLI's main paths. ASan's memory errors and UBSan stay.
JUTSU_NO_DLCLOSE=1 \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)"

echo "== main paths under valgrind"
scripts/valgrind.sh build

echo "== static analysis (cppcheck, clang-tidy)"
scripts/lint.sh build
echo "== hardening of the binaries"
scripts/hardening.sh build
echo "== packages (.deb, .rpm), their lints, an install into a clean Debian 12 root"
scripts/package.sh
scripts/package-check.sh
echo "== fuzz targets, 10 s each"
scripts/fuzz.sh --seconds 10
