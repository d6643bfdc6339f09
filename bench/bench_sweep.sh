#!/usr/bin/env bash
# bench/bench_sweep.sh [BUILD_DIR] [RUNS] — a parameter sweep of v3_5b over
# 2011-01-03..2025-06-27: `jutsu backtest --sweep upper_z=0.8:1.2:0.1
# --sweep sma_slow=100:190:10` (50 combinations, on the online cores), as a
# whole process on a warm SQLite database of the six bundled ETFs (synced
# untimed), beside one plain backtest of the same range (the unit a sweep
# is made of). Prints the median wall time of RUNS runs of each (default
# 3) in milliseconds, the sweep's per combination, and whether it meets the
# bar of issue 17: the 50 combinations in under 10 s. BENCH_SWEEP_JOBS
# sets --jobs (default: the online cores).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
RUNS="${2:-3}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-sweep-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/j.yaml" <<YAML
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: "$TMP/s.db"}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: v3_5b, plugin: strategy-regime}
YAML
J=("$B/jutsu" -c "$TMP/j.yaml")
BT=(backtest --strategy v3_5b --from 2011-01-03 --to 2025-06-27)
SWEEP=(--sweep upper_z=0.8:1.2:0.1 --sweep sma_slow=100:190:10)
[[ -n "${BENCH_SWEEP_JOBS:-}" ]] && SWEEP+=(--jobs "$BENCH_SWEEP_JOBS")
"${J[@]}" sync >/dev/null
# fails loudly if a combination fails, and says how many there are
n=$("${J[@]}" "${BT[@]}" "${SWEEP[@]}" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["failed"] == 0, [r["error"] for r in d["runs"] if r["error"]][:3]
print(d["combinations"], d["threads"])')
read -r combos threads <<<"$n"

median_ms() {   # the median wall time of RUNS runs of the command, in ms
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

one=$(median_ms "${J[@]}" "${BT[@]}")
all=$(median_ms "${J[@]}" "${BT[@]}" "${SWEEP[@]}")
printf '%-48s %10s\n' "" "median ms"
printf '%-48s %10s\n' "backtest v3_5b 2011-01-03..2025-06-27" "$one"
printf '%-48s %10s\n' "sweep, $combos combinations on $threads thread(s)" "$all"
printf '%-48s %10s\n' "  per combination" "$(( all / combos ))"
if (( all < 10000 )); then
  echo "bar (50 combinations under 10 s): met"
else
  echo "bar (50 combinations under 10 s): missed"
fi
