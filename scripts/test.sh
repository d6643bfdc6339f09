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

echo "== [$(date -u +%T)] build (RelWithDebInfo, -Werror)"
scripts/build.sh build
echo "== [$(date -u +%T)] tests"
ctest --test-dir build --output-on-failure -j"$(nproc)"

if [[ "${1:-}" == "--quick" ]]; then exit 0; fi

echo "== [$(date -u +%T)] build (ASan + UBSan)"
scripts/build.sh build-asan -DJUTSU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DJUTSU_BUILD_BENCH=OFF
echo "== [$(date -u +%T)] tests under ASan + UBSan"
# LeakSanitizer on, with intercept_tls_get_addr=0 (issue 15, defect 12).
# The runtimes of gcc 12 and clang 14 alike take a dynamic TLS block (the
# __thread data of a dlopen()ed library: libpq, OpenSSL, libfido2 through our
# plugins) that glibc >= 2.25 malloc()s at 16 mod 4096 for one with a glibc
# 2.19 header, and read the two words before it as its bounds: ASan's own
# chunk header. The exit scan then reads a wild range and its tracer dies
# ("Tracer caught signal 11", "DTLS ... at 0x...1ca"), by chance of where
# malloc put the block: a flake of processes that loaded PostgreSQL's
# libraries (google/sanitizers#1322). Without the interception nothing is
# lost: LeakSanitizer still counts every block ld.so allocated, the dynamic
# TLS among them, as reachable. The ctest asan_dtls_tracer (tests/asan/)
# places such a block every time: it checks that these options survive it
# and still report a leak, and that the interception still dies of it.
# JUTSU_NO_DLCLOSE: plugins stay mapped at exit, so that a leak's stack
# names the plugin's functions; the normal build above runs the dlclose path.
JUTSU_NO_DLCLOSE=1 \
ASAN_OPTIONS=detect_leaks=1:intercept_tls_get_addr=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -E '^browser_pages_'
# The dashboard's page tests (browser_pages_*) run in the normal pass only:
# their server side is the REST routes the unit tests here already run
# under the sanitizers (browser_dashboard, which signs in every way, runs
# here too); the sanitizer pass grew from 9 to 14 minutes when they joined
# it, and CI has 45 in all.

# the packages are built and checked beside valgrind (their log is printed
# when both are done)
echo "== [$(date -u +%T)] packages (.deb, .rpm), their lints, an install into a clean Debian 12 root: started"
(scripts/package.sh --sign-throwaway && scripts/package-check.sh) > build/package.log 2>&1 &
package_pid=$!
echo "== [$(date -u +%T)] main paths under valgrind"
valgrind_rc=0
scripts/valgrind.sh build || valgrind_rc=$?
package_rc=0
wait "$package_pid" || package_rc=$?
echo "== [$(date -u +%T)] packages (.deb, .rpm), their lints, an install into a clean Debian 12 root"
cat build/package.log
if ((valgrind_rc != 0 || package_rc != 0)); then
  echo "test.sh: valgrind exit $valgrind_rc, packages exit $package_rc" >&2
  exit 1
fi

echo "== [$(date -u +%T)] static analysis (cppcheck, clang-tidy)"
scripts/lint.sh build
echo "== [$(date -u +%T)] hardening of the binaries"
scripts/hardening.sh build
echo "== [$(date -u +%T)] fuzz targets, 10 s each"
scripts/fuzz.sh --seconds 10
