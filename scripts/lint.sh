#!/usr/bin/env bash
# scripts/lint.sh [BUILD_DIR] — static analysis of core/, plugins/ and
# include/ (not tests/, not bench/): cppcheck, then clang-tidy (bugprone-*,
# cert-*: see .clang-tidy). Exits 0 only when both are clean. Reads the
# compile commands of BUILD_DIR (default build), configuring it if needed;
# nothing is compiled. Suppressions and their reasons: .clang-tidy,
# scripts/cppcheck-suppressions.txt, and NOLINT / cppcheck-suppress
# comments at single lines (docs/hardening.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
B="${1:-build}"
JOBS="${JUTSU_LINT_JOBS:-$(nproc)}"

for tool in cppcheck clang-tidy run-clang-tidy; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint: $tool not found (Debian packages cppcheck, clang-tidy)" >&2
    exit 2
  fi
done
if [[ ! -f "$B/compile_commands.json" ]]; then
  cmake -S . -B "$B" >/dev/null
fi
B="$(cd "$B" && pwd)"

fail=0

# --- cppcheck: every translation unit of core/ and plugins/ as compiled;
# headers of include/ come in through them.
echo "lint: cppcheck"
if ! cppcheck --project="$B/compile_commands.json" \
       -i"$ROOT/tests" -i"$ROOT/bench" -i"$B" \
       --enable=warning,portability,performance --library=posix --library=gnu \
       --inline-suppr --suppressions-list=scripts/cppcheck-suppressions.txt \
       --error-exitcode=1 -j"$JOBS" --quiet \
       --template='{file}:{line}: {severity} [{id}] {message}'; then
  echo "lint: cppcheck FAILED"
  fail=1
fi

# --- clang-tidy, one process per file, JOBS at a time. -U_FORTIFY_SOURCE:
# analyse the plain libc calls, not glibc's _chk wrappers around them.
# -Wno-error: compiler warnings are gcc's job (-Werror in the build); here
# only the checks of .clang-tidy count.
echo "lint: clang-tidy"
out="$(mktemp "${TMPDIR:-/tmp}/jutsu-tidy-XXXXXX")"
trap 'rm -f "$out"' EXIT
if ! run-clang-tidy -p "$B" -j "$JOBS" \
       -extra-arg=-U_FORTIFY_SOURCE -extra-arg=-Wno-error \
       "^$ROOT/(core|plugins)/" >"$out" 2>&1; then
  fail=1
fi
# run-clang-tidy echoes each command and clang's "N warnings generated",
# in colour: show the findings only, in plain text.
sed -i 's/\x1b\[[0-9;]*m//g' "$out"
if grep -E -q ': (warning|error):' "$out"; then
  grep -E -A3 ': (warning|error):' "$out"
  echo "lint: clang-tidy FAILED"
  fail=1
elif ((fail)); then
  tail -20 "$out"
  echo "lint: clang-tidy FAILED (no finding printed; see above)"
else
  # a clean run that checked nothing would be a broken lint, not a clean tree
  n=$(grep -c '^clang-tidy' "$out" || true)
  echo "lint: clang-tidy: $n files clean"
  if ((n == 0)); then
    fail=1
  fi
fi

if ((fail)); then
  exit 1
fi
echo "lint: clean"
