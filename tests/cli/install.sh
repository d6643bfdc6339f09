# `cmake --install` under a scratch prefix, then only what it installed:
# the jutsu there finds its plugins with no JUTSU_PLUGIN_PATH, its default
# config points inside the prefix, a plugin built outside the tree with
# nothing but `pkg-config jutsu-plugin` (or find_package(Jutsu)) passes the
# installed jutsu-plugin-test, and so does the example plugin of
# docs/examples/source-sine, built both ways from a copy of its folder, which
# the installed jutsu then loads and syncs bars from. The man pages are
# installed where man looks for them.
source "$(dirname "$0")/lib.bash"
P="$TMP/prefix"
SRC="$PWD"
run install 0 cmake --install "$BUILD_DIR" --prefix "$P"
expect install out "$P/etc/jutsu/jutsu.yaml"
MA=$(cd "$P/lib" && ls -d */ 2>/dev/null | grep -- '-linux-' | head -1)
LIBDIR="$P/lib/${MA%/}"
[[ -n "$MA" && -f "$LIBDIR/libjutsu_sdk.a" ]] && pass || fail "no lib/<multiarch>/libjutsu_sdk.a under $P"
[[ -f "$LIBDIR/jutsu/plugins/source-csv.so" ]] && pass || fail "no plugins in $LIBDIR/jutsu/plugins"
[[ -f "$P/include/jutsu/plugin.h" ]] && pass || fail "no include/jutsu/plugin.h"
[[ -f "$P/share/jutsu/sample-data/QQQ.csv" ]] && pass || fail "no share/jutsu/sample-data"

# the installed binary, away from the build tree and its environment
cd "$TMP" || exit 1
INST=(env -u JUTSU_PLUGIN_PATH -u JUTSU_CONFIG "$P/bin/jutsu" -c "$P/etc/jutsu/jutsu.yaml")
run plugins 0 "${INST[@]}" plugins list
expect plugins out "$LIBDIR/jutsu/plugins/source-csv.so"
refute plugins out "$BUILD_DIR"
run check 0 "${INST[@]}" config check
run sync 0 "${INST[@]}" sync --symbol QQQ --from 2026-05-01
expect sync out "QQQ      1D   sample"
[[ -f "$P/var/lib/jutsu/jutsu.db" ]] && pass || fail "the database is not under $P/var/lib/jutsu"

# a plugin from outside the tree: the test source plugin, built with the
# installed SDK through pkg-config alone (with the sanitizers of a
# sanitizer build: its libjutsu_sdk.a calls their runtime)
SAN=()
grep -q '^JUTSU_SANITIZE:BOOL=ON' "$BUILD_DIR/CMakeCache.txt" && SAN=(-fsanitize=address,undefined)
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
run pc 0 pkg-config --cflags --libs jutsu-plugin
expect pc out "-ljutsu_sdk"
# the plugin flags are a variable, not Cflags (lintian: pkg-config-bad-directive)
run pc-flags 0 pkg-config --variable=plugin_cflags jutsu-plugin
expect pc-flags out "-fvisibility=hidden"
mkdir -p "$TMP/out-of-tree"
cp "$SRC/tests/plugins/tp.c" "$TMP/out-of-tree/"
# shellcheck disable=SC2046
run cc 0 cc "${SAN[@]}" -std=c11 -Wall -Wextra -shared -o "$TMP/out-of-tree/tp-good.so" \
  -DTP_NAME='"tp-good"' "$TMP/out-of-tree/tp.c" $(pkg-config --cflags --libs jutsu-plugin) \
  $(pkg-config --variable=plugin_cflags jutsu-plugin) -Wl,--no-undefined
(cd "$TMP/out-of-tree" && env -u JUTSU_PLUGIN_PATH "$P/bin/jutsu-plugin-test" ./tp-good.so) \
  >"$TMP/out" 2>"$TMP/err" && pass || { fail "jutsu-plugin-test ./tp-good.so"; cat "$TMP/out" "$TMP/err"; }
expect harness out " 0 failed"

# the same with CMake: find_package(Jutsu) and jutsu_add_plugin()
mkdir -p "$TMP/cm"
cat >"$TMP/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.25)
project(tp_cmake LANGUAGES C)
find_package(Jutsu 0.1 REQUIRED)
jutsu_add_plugin(tp-cmake SOURCES "$SRC/tests/plugins/tp.c")
target_compile_definitions(tp-cmake PRIVATE TP_NAME="tp-cmake")
CM
run cmake-configure 0 cmake -S "$TMP/cm" -B "$TMP/cm/build" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_C_FLAGS="${SAN[*]}" -DCMAKE_MODULE_LINKER_FLAGS="${SAN[*]}"
run cmake-build 0 cmake --build "$TMP/cm/build"
run cmake-harness 0 env -u JUTSU_PLUGIN_PATH "$P/bin/jutsu-plugin-test" "$TMP/cm/build/tp-cmake.so"
expect cmake-harness out " 0 failed"

# the man pages (cmake/man.cmake), compressed when gzip was found
for page in man1/jutsu.1 man1/jutsu-plugin-test.1 man5/jutsu.yaml.5 man7/jutsu-plugin.7; do
  [[ -f "$P/share/man/$page.gz" || -f "$P/share/man/$page" ]] && pass ||
    fail "no share/man/$page under $P"
done

# the example plugin, from a copy of its sources (nothing built in the
# tree comes along): make with pkg-config ...
EX="$TMP/source-sine"
mkdir -p "$EX"
for f in sine.c Makefile CMakeLists.txt; do cp "$SRC/docs/examples/source-sine/$f" "$EX/"; done
run ex-make 0 env CFLAGS="-O2 ${SAN[*]}" LDFLAGS="${SAN[*]}" make -C "$EX"
# ... and CMake with find_package(Jutsu)
run ex-cmake-configure 0 cmake -S "$EX" -B "$EX/build" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_C_FLAGS="${SAN[*]}" -DCMAKE_MODULE_LINKER_FLAGS="${SAN[*]}"
run ex-cmake-build 0 cmake --build "$EX/build"
[[ -f "$EX/build/source-sine.so" ]] && pass || fail "cmake built no source-sine.so"
# a bare file name in the plugin's folder is that file (not a library search)
(cd "$EX" && env -u JUTSU_PLUGIN_PATH "$P/bin/jutsu-plugin-test" --kind-suite source \
  source-sine.so) >"$TMP/out" 2>"$TMP/err" && pass ||
  { fail "jutsu-plugin-test source-sine.so"; cat "$TMP/out" "$TMP/err"; }
expect ex-harness out "ok   source.fetch"
expect ex-harness out " 0 failed"
run ex-harness-cmake 0 env -u JUTSU_PLUGIN_PATH "$P/bin/jutsu-plugin-test" --format tap \
  "$EX/build/source-sine.so"
expect ex-harness-cmake out "TAP version 13"
refute ex-harness-cmake out "not ok"

# the installed jutsu loads it from plugin_path and syncs its bars
cat >"$EX/jutsu.yaml" <<YAML
plugin_path: [build]
database:
  type: sqlite
  sqlite: {path: sine.db}
plugins:
  - name: sine
    plugin: source-sine
    config: {start: "2026-01-01", symbols: [SINE, WAVE]}
YAML
EXJ=(env -u JUTSU_PLUGIN_PATH -u JUTSU_CONFIG "$P/bin/jutsu" -c "$EX/jutsu.yaml")
run ex-plugins 0 "${EXJ[@]}" plugins list
expect ex-plugins out "$EX/build/source-sine.so"
run ex-sync 0 "${EXJ[@]}" sync --source sine --symbol SINE --symbol WAVE --from 2026-05-01 \
  --to 2026-05-08
expect ex-sync out "SINE     1D   sine               6         6         0         0  2026-05-01"
expect ex-sync out "WAVE     1D   sine               6         6"
# 2026-05-04: 20577 days since the epoch, 25 into the 28-day wave (phase
# 228/256): 100 x (1 - 0.10 x 0.634393) = 93.66, exactly
run ex-show 0 "${EXJ[@]}" data show SINE --from 2026-05-04 --to 2026-05-05 --format csv
expect ex-show out "2026-05-04,92.120000,94.160000,91.620000,93.660000,1040000,sine,true"
expect ex-show out "2026-05-05,93.660000,96.000000,93.160000,95.500000,1050000,sine,true"
# the KPI example: metrics of its own, from the installed SDK alone, run by
# the installed jutsu's EOD job and shown by perf show
KX="$TMP/kpi-omega"
mkdir -p "$KX"
for f in kpi_omega.c Makefile; do cp "$SRC/docs/examples/kpi-omega/$f" "$KX/"; done
run kx-make 0 env CFLAGS="-O2 ${SAN[*]}" LDFLAGS="${SAN[*]}" make -C "$KX"
run kx-harness 0 env -u JUTSU_PLUGIN_PATH PLUGIN_TEST="$P/bin/jutsu-plugin-test" \
  make -s -C "$KX" check PLUGIN_TEST="$P/bin/jutsu-plugin-test"
expect kx-harness out " 0 failed"
cat >"$KX/jutsu.yaml" <<YAML
plugin_path: [.]
database:
  type: sqlite
  sqlite: {path: kpi.db}
sync: {symbols: [QQQ], sources: [sample], history_start: "2026-04-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$P/share/jutsu/sample-data"}}
  - {name: omega, plugin: kpi-omega}
YAML
KXJ=(env -u JUTSU_PLUGIN_PATH -u JUTSU_CONFIG "$P/bin/jutsu" -c "$KX/jutsu.yaml")
run kx-sync 0 "${KXJ[@]}" sync
run kx-eod 0 "${KXJ[@]}" eod backfill --from 2026-05-01 --to 2026-05-13
run kx-perf 0 "${KXJ[@]}" perf show QQQ --from 2026-05-11 --to 2026-05-13 --format json
expect kx-perf out '"omega_ratio"'
finish
