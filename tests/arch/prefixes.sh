#!/usr/bin/env bash
# tests/arch/prefixes.sh — every global symbol the host's libraries define
# carries the jutsu_ prefix (the subsystem's name follows it by convention,
# jutsu_bus_*, jutsu_cfg_*, jutsu_dbs_*: review keeps that part).
#
#   prefixes.sh LIB.a...      check the libraries
#   prefixes.sh --self-test   prove the check can fail
#
# Plugins and tests link libjutsu_sdk and libjutsu_core: a global named
# `trader_open` or `check_text` collides with whatever else they define,
# and says nothing about where it lives.
set -euo pipefail

# check FILE... — prints every global without the prefix; 1 if any.
check() {
  nm -g --defined-only "$@" | awk '
    NF == 1 && /:$/ { obj = $1; next }
    # the instrumentation of a sanitizer or coverage build adds its own
    NF == 3 && $3 !~ /^jutsu_/ && $3 !~ /^__(odr_asan|asan_|ubsan_|sanitizer_|gcov_|llvm_|sancov_)/ { printf "%s %s: %s has no jutsu_ prefix (make it static, or prefix it with its subsystem)\n", obj, $2, $3; bad = 1 }
    END { exit bad }'
}

self_test() {
  local t
  t=$(mktemp -d)
  printf 'int jutsu_ok(void);\nint jutsu_ok(void) { return 0; }\nint bad_name(void);\nint bad_name(void) { return 1; }\nstatic int fine(void) { return 2; }\nint jutsu_uses(void);\nint jutsu_uses(void) { return fine(); }\nint __helper(void);\nint __helper(void) { return 3; }\n' >"$t/a.c"
  cc -c "$t/a.c" -o "$t/a.o"
  # the real run reads archives, whose nm output names each member
  ar rcs "$t/liba.a" "$t/a.o"
  local ok=1
  if check "$t/liba.a" >"$t/out" 2>&1; then
    echo "prefixes: self-test: bad_name was not reported" >&2; ok=0
  elif ! grep -q "^a.o: T: bad_name has no jutsu_ prefix" "$t/out" ||
       ! grep -q "__helper has no jutsu_ prefix" "$t/out" || grep -q "jutsu_ok\|fine" "$t/out"; then
    echo "prefixes: self-test: wrong report:" >&2; cat "$t/out" >&2; ok=0
  fi
  rm -rf "$t"
  [[ $ok == 1 ]] && echo "prefixes: self-test ok (a global without the prefix is reported)"
  [[ $ok == 1 ]]
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
  exit $?
fi
[[ $# -ge 1 ]] || { echo "usage: $0 LIB.a... | --self-test" >&2; exit 2; }
self_test
if check "$@"; then
  echo "prefixes: every global of $(printf '%s ' "${@##*/}")starts with jutsu_"
else
  exit 1
fi
