#!/usr/bin/env bash
# scripts/fuzz.sh [--seconds N] [TARGET...] — build the libFuzzer targets of
# tests/fuzz with clang and run each for N seconds (default 60), one after
# the other.
#
#   TARGET       a name from tests/fuzz (csv, fuzz_csv and fuzz_csv.c all
#                mean the same); none = every target
#   --seconds N  time per target; CI runs `scripts/fuzz.sh --seconds 10`
#
# Each target starts from a copy of tests/fuzz/corpus/TARGET in a temporary
# folder, so the repo's corpus does not grow (copy a new input you want to
# keep by hand: docs/fuzzing.md). Prints per target the executions, exec/s
# and the result; a crash (or leak, timeout, out-of-memory) is kept under
# BUILD/fuzz-crashes/TARGET/ and its path printed, and the script then
# exits 1. The log of each run is BUILD/fuzz-logs/TARGET.log.
#
# The build dir is build-fuzz, or $JUTSU_FUZZ_BUILD; it is configured with
# CC=clang the first time (a tree configured with another compiler is
# refused by tests/fuzz/CMakeLists.txt). Needs clang and libFuzzer:
# scripts/deps.sh --fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
names=()
while (($#)); do
  case "$1" in
    --seconds)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || {
        echo "fuzz.sh: --seconds needs a whole number of seconds above 0" >&2; exit 2; }
      seconds=$2; shift 2 ;;
    --seconds=*)
      seconds=${1#--seconds=}
      [[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || {
        echo "fuzz.sh: --seconds needs a whole number of seconds above 0" >&2; exit 2; }
      shift ;;
    -h|--help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) n=${1%.c}; n=${n#fuzz_}; names+=("$n"); shift ;;
  esac
done

all=()
for f in tests/fuzz/fuzz_*.c; do
  n=${f#tests/fuzz/fuzz_}; all+=("${n%.c}")
done
if ((${#names[@]} == 0)); then
  names=("${all[@]}")
fi
for n in "${names[@]}"; do
  if [[ ! -f tests/fuzz/fuzz_$n.c ]]; then
    echo "fuzz.sh: no target \"$n\"; there are: ${all[*]}" >&2
    exit 2
  fi
done

if ! command -v clang >/dev/null; then
  echo "fuzz.sh: clang is missing: scripts/deps.sh --fuzz" >&2
  exit 2
fi

build=${JUTSU_FUZZ_BUILD:-build-fuzz}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  # the fuzz tree builds only what the targets link: no tests, no benches
  CC=clang cmake -S . -B "$build" -DJUTSU_FUZZ=ON -DJUTSU_BUILD_TESTS=OFF \
    -DJUTSU_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
else
  cmake -S . -B "$build" -DJUTSU_FUZZ=ON >/dev/null
fi
targets=()
for n in "${names[@]}"; do targets+=(--target "fuzz_$n"); done
mkdir -p "$build"
build=$(cd "$build" && pwd)
# the compiler's chatter only when the build fails
if ! cmake --build "$build" -j"$(nproc)" "${targets[@]}" >"$build/fuzz-build.log" 2>&1; then
  tail -n 40 "$build/fuzz-build.log" >&2
  echo "fuzz.sh: the build failed (whole log: $build/fuzz-build.log)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/fuzz-logs"

# leaks count as failures (libFuzzer's default); a report stops the run
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
printf '%-24s %12s %10s  %s\n' target executions exec/s result
for n in "${names[@]}"; do
  corpus="$work/$n"
  crashes="$build/fuzz-crashes/$n"
  log="$build/fuzz-logs/$n.log"
  mkdir -p "$corpus" "$crashes"
  if [[ -d "tests/fuzz/corpus/$n" ]]; then
    cp -r "tests/fuzz/corpus/$n/." "$corpus/"
  fi
  rc=0
  # new inputs go to the copy (the first folder); -timeout: an input that
  # takes 10 s is a hang, reported as a failure
  "$build/fuzz/fuzz_$n" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    failed=1
    sanitizer='(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)'
    what=$(grep -m1 -oE "ERROR: ${sanitizer}[^(]*" "$log" ||
           grep -m1 -oE 'runtime error: .*' "$log" || echo "exit $rc")
    result="FAILED: $what; input: ${artifact:-none written}; log: $log"
  fi
  printf '%-24s %12s %10s  %s\n' "fuzz_$n" "${execs:-?}" "${rate:-?}" "$result"
done
if ((failed)); then
  echo "fuzz.sh: a target failed: reproduce with BUILD/fuzz/fuzz_TARGET INPUT" >&2
  exit 1
fi
