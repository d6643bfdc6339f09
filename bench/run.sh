#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR] — runs the benchmarks already built in BUILD_DIR
# (default: build) and prints their tables. Builds nothing: run
# `cmake --build BUILD_DIR` first.
#
# bench_storage measures PostgreSQL too when the test cluster's variables
# are set (eval "$(scripts/pg-test-cluster.sh start)"); otherwise SQLite
# only; so do bench_eod and bench_backtest. BENCH_STORAGE_ROWS overrides its
# row count (default 1,000,000); BENCH_EOD_REPS and BENCH_BACKTEST_REPS their
# repetitions (15 and 5). bench_http.sh needs wrk and nginx
# (scripts/deps.sh --bench), as does bench_rest.sh; BENCH_HTTP_SECONDS sets
# their run length.
set -uo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
status=0

bench() {
  local prog="$B/bench/$1"
  shift
  if [[ ! -x "$prog" ]]; then
    echo "bench/run.sh: $prog is not built (cmake --build $B)" >&2
    status=1
    return
  fi
  echo "==== $(basename "$prog") $*"
  "$prog" "$@" || { echo "bench/run.sh: $(basename "$prog") failed" >&2; status=1; }
  echo
}

bench bench_bus
bench bench_storage --rows "${BENCH_STORAGE_ROWS:-1000000}"
bench bench_eod --reps "${BENCH_EOD_REPS:-15}"
bench bench_backtest --reps "${BENCH_BACKTEST_REPS:-5}"

script() {
  echo "==== $1"
  "bench/$1" "$B" "${@:2}" || { echo "bench/run.sh: $1 failed" >&2; status=1; }
  echo
}
script bench_startup.sh
script bench_import.sh "${BENCH_STORAGE_ROWS:-1000000}"
script bench_sweep.sh
script bench_http.sh
script bench_reads.sh
script bench_rest.sh

# a benchmark added later is listed, not guessed at
for p in "$B"/bench/bench_*; do
  case "$(basename "$p")" in
    bench_bus | bench_storage | bench_eod | bench_backtest | bench_rawloop) ;;
    *) [[ -x "$p" && ! -d "$p" ]] && echo "bench/run.sh: $(basename "$p") is built but not run here: add it" ;;
  esac
done
exit $status
