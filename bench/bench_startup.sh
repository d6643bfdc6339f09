#!/usr/bin/env bash
# bench/bench_startup.sh [BUILD_DIR] [RUNS] — host start-up: `jutsu config
# check` on a config that loads every plugin built (each .so opened,
# checked, every instance's settings validated), against `jutsu --version`
# (the bare process start, the baseline) in the same run. Prints the median
# and p90 wall time of RUNS runs (default 50) in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
RUNS="${2:-50}"
export JUTSU_PLUGIN_PATH="${JUTSU_PLUGIN_PATH:-$B/plugins}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-bench-startup-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# every plugin in the build, one instance each, with the settings it
# requires: read from its own schema (`plugins describe`, parsed with
# python3 as bench_http.sh does), so that a plugin that gains a required
# key does not stop the benchmark (broker-schwab's app_key did). Values
# are placeholders of the key's type, but source-csv's path must exist: it
# is absolute, whatever relative paths in a config are read against.
instance() {   # NAME PLUGIN: one line of plugins:
  "$B/jutsu" plugins describe "$2" --format json | python3 -c '
import json, sys
name, plugin, data = sys.argv[1], sys.argv[2], sys.argv[3]
known = {("source-csv", "path"): json.dumps(data)}
def value(k):
    if (plugin, k["name"]) in known:
        return known[(plugin, k["name"])]
    t = k.get("type")
    if t in ("int", "double"):
        return str(k.get("min", 1))
    if t == "bool":
        return "false"
    if t == "enum":
        return json.dumps(k["choices"][0])
    return json.dumps("x")
req = [k for k in json.load(sys.stdin).get("schema", []) if k.get("required")]
cfg = ", ".join("%s: %s" % (k["name"], value(k)) for k in req)
print("  - {name: %s, plugin: %s%s}" % (name, plugin, ", config: {%s}" % cfg if cfg else ""))
' "$1" "$2" "$PWD/conf/sample-data"
}
{
  printf 'log: {level: warn}\ndatabase:\n  type: sqlite\n  sqlite: {path: "%s/s.db"}\n' "$TMP"
  printf 'plugins:\n'
  for so in "$B"/plugins/*.so; do
    name=$(basename "$so" .so)
    case "$name" in
      storage-*) ;;   # the database: above
      *) instance "${name//-/_}" "$name" ;;
    esac
  done
} > "$TMP/all.yaml"
n=$(grep -c 'plugin:' "$TMP/all.yaml")
"$B/jutsu" -c "$TMP/all.yaml" config check >/dev/null   # fails loudly if the config is wrong

measure() {   # prints the sorted wall times in ms, one per line
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f %.2f", a[int(NR * 0.5) + 1] / 1000, a[int(NR * 0.9) + 1] / 1000 }'
}

read -r base50 base90 <<<"$(measure "$B/jutsu" --version)"
read -r full50 full90 <<<"$(measure "$B/jutsu" -c "$TMP/all.yaml" config check)"
printf '%-34s %10s %10s\n' "" "p50 ms" "p90 ms"
printf '%-34s %10s %10s\n' "jutsu --version (process start)" "$base50" "$base90"
printf '%-34s %10s %10s\n' "config check, $((n + 1)) plugins loaded" "$full50" "$full90"
