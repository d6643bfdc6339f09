# `cmake --install` under a scratch prefix, then only what it installed:
# the jutsu there finds its plugins with no JUTSU_PLUGIN_PATH, its default
# config points inside the prefix, and a plugin built outside the tree
# with nothing but `pkg-config jutsu-plugin` (or find_package(Jutsu))
# passes the installed jutsu-plugin-test.
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
mkdir -p "$TMP/out-of-tree"
cp "$SRC/tests/plugins/tp.c" "$TMP/out-of-tree/"
# shellcheck disable=SC2046
run cc 0 cc "${SAN[@]}" -std=c11 -Wall -Wextra -shared -o "$TMP/out-of-tree/tp-good.so" \
  -DTP_NAME='"tp-good"' "$TMP/out-of-tree/tp.c" $(pkg-config --cflags --libs jutsu-plugin) \
  -Wl,--no-undefined
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
finish
