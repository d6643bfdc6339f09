#!/usr/bin/env bash
# tests/arch/layers.sh — the rooms of core/ call downwards only.
#
#   layers.sh SRC_DIR OBJECTS_FILE ROOM...    check the build
#   layers.sh --self-test                     prove the check can fail
#
# ROOM... is core/'s rooms lowest first (JUTSU_ROOMS in core/CMakeLists.txt);
# OBJECTS_FILE lists the object files of libjutsu_sdk and libjutsu_core,
# one per line, each under <target>.dir/<room>/<file>.c.o. A call is a
# symbol one object leaves undefined (nm -u) and another defines (nm -g):
# what the linker says. An #include "room/..." of a higher room is refused
# too: types, macros and inline code the linker never sees. A room may call itself
# and the rooms before it; a call to a later room is a layering error, and
# so would be every file-level cycle between two rooms (one of its calls
# must go up). Also checked: no .c file in core/ but main.c, and every .c
# file of a room is built.
set -euo pipefail

fail=0
say() { echo "layers: $*" >&2; }

# check OBJECTS_FILE ROOM... — prints every upward call; returns 1 if any,
# or if nm fails or resolves no call at all (nothing checked is no pass).
check_objects() {
  local objects=$1; shift
  local ranks="" i=0
  for r in "$@"; do ranks+="$r=$i "; i=$((i + 1)); done
  local tmp
  tmp=$(mktemp -d)
  mapfile -t objs < <(grep -v '^$' "$objects")
  # -A starts each line with "FILE:" (then the value, for defined symbols)
  if ! nm -A --defined-only -g "${objs[@]}" >"$tmp/def" 2>"$tmp/err" ||
     ! nm -A -u "${objs[@]}" >"$tmp/und" 2>>"$tmp/err"; then
    echo "nm cannot read the objects:"; cat "$tmp/err"
    rm -rf "$tmp"
    return 1
  fi
  { awk '{ print "D", $NF, $1 }' "$tmp/def"; awk '{ print "U", $NF, $1 }' "$tmp/und"; } |
    awk '{ f = $3; sub(/:[^:\/]*$/, "", f); sub(/.*\.dir\//, "", f); sub(/\.o$/, "", f)
           print $1, $2, f }' >"$tmp/list"
  local rc=0
  awk -v ranks="$ranks" '
    BEGIN { n = split(ranks, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); rank[p[1]] = p[2] } }
    function room(f) { sub(/\/.*/, "", f); return f }
    $1 == "D" { def[$2] = $3; next }
    { uses[++nu] = $2 " " $3 }
    END {
      bad = 0; resolved = 0
      for (i = 1; i <= nu; i++) {
        split(uses[i], u, " ")
        if (!(u[1] in def)) continue
        resolved++
        from = room(u[2]); to = room(def[u[1]])
        if (!(from in rank)) { printf "core/%s: room %s is not in the room list\n", u[2], from; bad = 1; continue }
        if (!(to in rank)) { printf "core/%s: room %s is not in the room list\n", def[u[1]], to; bad = 1; continue }
        if (rank[to] > rank[from]) {
          printf "core/%s calls %s (core/%s): %s is below %s, and a lower room never calls a higher one\n", u[2], u[1], def[u[1]], from, to
          bad = 1
        }
      }
      if (resolved == 0) { print "no call between the objects was found: nothing was checked"; bad = 1 }
      exit bad
    }' "$tmp/list" || rc=$?
  rm -rf "$tmp"
  return $rc
}

# check_includes SRC_DIR ROOM... — prints every #include "room/..." of a
# higher room (types, macros and inline code the linker never sees).
check_includes() {
  local src=$1; shift
  local rooms=("$@") bad=0 i j
  for ((i = 0; i < ${#rooms[@]}; i++)); do
    for ((j = i + 1; j < ${#rooms[@]}; j++)); do
      local hits
      hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"${rooms[j]}/" \
             --include='*.c' --include='*.h' "$src/core/${rooms[i]}" 2>/dev/null || true)
      [[ -z "$hits" ]] && continue
      while IFS= read -r h; do
        echo "${h#"$src"/}: ${rooms[i]} includes a header of ${rooms[j]}, a higher room"
      done <<<"$hits"
      bad=1
    done
  done
  return $bad
}

self_test() {
  local t
  t=$(mktemp -d)
  mkdir -p "$t/x.dir/low" "$t/x.dir/high"
  printf 'int jutsu_high(void);\nint jutsu_low(void) { return jutsu_high(); }\n' >"$t/low.c"
  printf 'int jutsu_high(void);\nint jutsu_high(void) { return 1; }\n' >"$t/high.c"
  cc -c "$t/low.c" -o "$t/x.dir/low/low.c.o"
  cc -c "$t/high.c" -o "$t/x.dir/high/high.c.o"
  printf '%s\n' "$t/x.dir/low/low.c.o" "$t/x.dir/high/high.c.o" >"$t/objects"
  local ok=1
  if check_objects "$t/objects" low high >"$t/out" 2>&1; then
    say "self-test: low calling high was not reported"; ok=0
  elif ! grep -q "core/low/low.c calls jutsu_high (core/high/high.c): low is below high" "$t/out"; then
    say "self-test: the report does not name the call:"; cat "$t/out" >&2; ok=0
  fi
  if ! check_objects "$t/objects" high low >"$t/out" 2>&1; then
    say "self-test: a downward call was reported:"; cat "$t/out" >&2; ok=0
  fi
  if check_objects "$t/objects" low >"$t/out" 2>&1; then
    say "self-test: a room missing from the list was not reported"; ok=0
  fi
  cp "$t/objects" "$t/objects.ok"
  echo garbage >"$t/x.dir/high/high.c.o"
  if check_objects "$t/objects" high low >"$t/out" 2>&1; then
    say "self-test: an object nm cannot read passed"; ok=0
  fi
  printf '%s\n' "$t/x.dir/low/low.c.o" >"$t/objects"
  if check_objects "$t/objects" high low >"$t/out" 2>&1; then
    say "self-test: objects with no call between them passed"; ok=0
  fi
  mkdir -p "$t/src/core/low" "$t/src/core/high"
  printf '#include "high/high.h"\n' >"$t/src/core/low/low.c"
  printf '#include "low/low.h"\n' >"$t/src/core/high/high.c"
  if check_includes "$t/src" low high >"$t/out" 2>&1; then
    say "self-test: low including high's header was not reported"; ok=0
  elif ! grep -q "core/low/low.c:1:.*low includes a header of high" "$t/out"; then
    say "self-test: the include report is wrong:"; cat "$t/out" >&2; ok=0
  fi
  : >"$t/src/core/low/low.c"
  if ! check_includes "$t/src" low high >"$t/out" 2>&1; then
    say "self-test: a downward include was reported:"; cat "$t/out" >&2; ok=0
  fi
  rm -rf "$t"
  [[ $ok == 1 ]] && echo "layers: self-test ok (upward calls and includes, an unlisted room," \
                         "an unreadable object and an empty check are reported)"
  [[ $ok == 1 ]]
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
  exit $?
fi
if [[ $# -lt 3 ]]; then
  echo "usage: $0 SRC_DIR OBJECTS_FILE ROOM... | --self-test" >&2
  exit 2
fi
src=$1 objects=$2
shift 2
self_test || fail=1

if ! check_objects "$objects" "$@"; then
  say "an upward call between rooms (above); docs/architecture.md says which way calls go"
  fail=1
fi
if ! check_includes "$src" "$@"; then
  say "an upward #include between rooms (above); docs/architecture.md says which way they go"
  fail=1
fi
shopt -s nullglob

for f in "$src"/core/*.c; do
  [[ "$(basename "$f")" == main.c ]] && continue
  say "core/$(basename "$f"): a .c file outside every room: move it into the room of its concept"
  fail=1
done
built=$(sed 's|.*\.dir/||; s|\.o$||' "$objects" | sort)
for r in "$@"; do
  [[ -d "$src/core/$r" ]] || { say "room $r is listed but core/$r does not exist"; fail=1; continue; }
  for f in "$src/core/$r"/*.c; do
    grep -Fqx "$r/$(basename "$f")" <<<"$built" || { say "core/$r/$(basename "$f") is not built: list it in core/CMakeLists.txt"; fail=1; }
  done
done
for d in "$src"/core/*/; do
  r=$(basename "$d")
  [[ " $* " == *" $r "* ]] || { say "core/$r is a folder but not a room in JUTSU_ROOMS"; fail=1; }
done
[[ $fail == 0 ]] && echo "layers: $(wc -l <"$objects") objects in $# rooms call downwards only"
exit $fail
