#!/usr/bin/env bash
# scripts/hardening.sh [BUILD_DIR] — checks that what we ship was built
# hardened (docs/hardening.md): PIE, stack protector, _FORTIFY_SOURCE, full
# RELRO (RELRO + BIND_NOW), no text relocations. One line per binary; exits
# 1 when any protection is missing, 2 when the checker itself is missing.
# Needs a release-type build (fortify is off in Debug and with JUTSU_SANITIZE).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"

if ! command -v hardening-check >/dev/null; then
  echo "hardening: hardening-check not found (Debian package devscripts)" >&2
  exit 2
fi
if ! command -v readelf >/dev/null; then
  echo "hardening: readelf not found (Debian package binutils)" >&2
  exit 2
fi

# The shipped binaries: the host, the plugin harness, every plugin.
bins=("$B/jutsu" "$B/jutsu-plugin-test")
shopt -s nullglob
bins+=("$B"/plugins/*.so)
shopt -u nullglob
if ((${#bins[@]} < 3)); then
  echo "hardening: no plugins under $B/plugins: build first (scripts/build.sh $B)" >&2
  exit 2
fi

# --nocfprotection: we compile with -fcf-protection, but Debian 12's crt
# objects carry no IBT/SHSTK note, so no binary linked here (not even
# /bin/ls) can carry it; hardening-check would fail every one.
HC=(hardening-check --nocfprotection)

fail=0
for f in "${bins[@]}"; do
  if [[ ! -f "$f" ]]; then
    echo "hardening FAIL $f (missing)"
    fail=1
    continue
  fi
  if ! out=$("${HC[@]}" "$f" 2>&1); then
    echo "hardening FAIL $f"
    # the protections that hardening-check judged missing
    grep -E ': no|unknown' <<<"$out" | grep -v -E 'ignored|Stack clash|Control flow' || true
    fail=1
    continue
  fi
  # -fPIC everywhere: hardening-check does not look for text relocations
  if readelf -d "$f" | grep -q TEXTREL; then
    echo "hardening FAIL $f (text relocations: an object was built without -fPIC)"
    fail=1
    continue
  fi
  echo "hardening ok   $f"
done
if ((fail)); then
  echo "hardening: FAILED (see docs/hardening.md)"
  exit 1
fi
echo "hardening: ${#bins[@]} binaries ok"
