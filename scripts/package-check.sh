#!/usr/bin/env bash
# scripts/package-check.sh [DIST_DIR] — checks what scripts/package.sh made
# (default dist/):
#
#   1. lintian on the .debs and rpmlint on the .rpms: no errors; the
#      warnings kept are listed, each with its reason, in
#      packaging/lintian-suppress and packaging/rpmlintrc; each .rpm's
#      signature checked against dist/RPM-GPG-KEY-jutsu.asc (package.sh
#      --sign or --sign-throwaway)
#   2. the files, requirements and provides of each package (rpm -qpl,
#      -qpR, --provides; dpkg-deb -f), against the lists below
#   3. a clean Debian 12 root (debootstrap, minbase), the .debs installed
#      there with apt resolving their dependencies from Debian's mirror, and
#      there: jutsu --version, and as the user jutsu config check, db upgrade
#      and a sync of the sample data; systemd-analyze verify of the installed
#      unit and its security exposure <= 2.0
#
# Needs root (debootstrap, chroot) and scripts/deps.sh --package.
# JUTSU_DEBOOTSTRAP_CACHE: where the bookworm tarball and the .debs apt
# fetched are kept between runs (default ~/.cache/jutsu-debootstrap; a CI
# cache); JUTSU_DEBIAN_MIRROR: the mirror
# (default http://deb.debian.org/debian); JUTSU_KEEP_ROOT=1 keeps the root.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST="${1:-dist}"
CACHE="${JUTSU_DEBOOTSTRAP_CACHE:-$HOME/.cache/jutsu-debootstrap}"
MIRROR="${JUTSU_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
MAX_EXPOSURE=2.0

failures=0
ok() { echo "  ok    $*"; }
bad() { echo "  FAIL  $*"; failures=$((failures + 1)); }
# has TEXT PATTERN WHAT / hasnt TEXT PATTERN WHAT: a line of TEXT matches
# the extended regex PATTERN, or none does
has() { if grep -Eq -- "$2" <<<"$1"; then ok "$3"; else bad "$3 (no line matches '$2')"; fi; }
hasnt() { if grep -Eq -- "$2" <<<"$1"; then bad "$3 (a line matches '$2')"; else ok "$3"; fi; }

shopt -s nullglob
debs=("$DIST"/*.deb)
rpms=("$DIST"/*.rpm)
if ((${#debs[@]} != 3 || ${#rpms[@]} != 3)); then
  echo "package-check.sh: want 3 .deb and 3 .rpm in $DIST/, found ${#debs[@]} and" \
       "${#rpms[@]}: run scripts/package.sh first" >&2
  exit 1
fi
for tool in lintian rpmlint rpm debootstrap; do
  command -v "$tool" >/dev/null ||
    { echo "package-check.sh: $tool is missing: run scripts/deps.sh --package" >&2; exit 1; }
done
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
ABI=$(sed -n 's/^#define JUTSU_ABI_MAJOR *\([0-9]*\).*/\1/p' include/jutsu/version.h)
PLUGINS="/usr/lib/$MA/jutsu/plugins"

echo "== lintian"
# --fail-on error: warnings are shown, only errors fail
if lintian --fail-on error --suppress-tags-from-file packaging/lintian-suppress \
     "${debs[@]}"; then
  ok "lintian: no errors"
else
  bad "lintian reports errors (above)"
fi

echo "== rpm signatures"
# a temporary rpm database holding the key, which rpmlint reads too (its
# signature check says unknown-key for a key rpm does not know)
rpmhome=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-rpmdb-XXXXXX")
trap 'rm -rf "$rpmhome"' EXIT   # until it is removed below, after rpmlint
mkdir "$rpmhome/db"
echo "%_dbpath $rpmhome/db" >"$rpmhome/.rpmmacros"
if [[ -f $DIST/RPM-GPG-KEY-jutsu.asc ]]; then
  rpm --dbpath "$rpmhome/db" --import "$DIST/RPM-GPG-KEY-jutsu.asc"
  for f in "${rpms[@]}"; do
    has "$(rpm --dbpath "$rpmhome/db" -K "$f" 2>&1)" ": digests signatures OK$" \
      "$(basename "$f"): signed with the key of RPM-GPG-KEY-jutsu.asc"
  done
else
  bad "no $DIST/RPM-GPG-KEY-jutsu.asc: the .rpm files are unsigned (scripts/package.sh --sign KEY)"
fi

echo "== rpmlint"
out=$(HOME="$rpmhome" rpmlint -r packaging/rpmlintrc "${rpms[@]}" 2>&1) || true
echo "$out"
has "$out" "^ *[0-9]+ packages and 0 specfiles checked; 0 errors" "rpmlint: no errors"
rm -rf "$rpmhome"

echo "== rpm contents and requirements"
rpm_of() { local f=("$DIST/$1"-[0-9]*.rpm); echo "${f[0]}"; }
core=$(rpm -qpl "$(rpm_of jutsu)")
has "$core" "^/usr/bin/jutsu$" "jutsu: /usr/bin/jutsu"
for p in source-csv storage-sqlite kpi-standard strategy-regime frontend-http auth-password; do
  has "$core" "^$PLUGINS/$p.so$" "jutsu: plugin $p"
done
hasnt "$core" "storage-postgres" "jutsu: not storage-postgres (libpq)"
hasnt "$core" "^/usr/include/|jutsu-plugin-test|libjutsu_sdk" "jutsu: nothing of the SDK"
for f in /etc/jutsu/jutsu.yaml /usr/lib/systemd/system/jutsu.service \
         /usr/lib/sysusers.d/jutsu.conf /usr/lib/tmpfiles.d/jutsu.conf \
         /usr/share/jutsu/sample-data/QQQ.csv; do
  has "$core" "^$f$" "jutsu: $f"
done
has "$(rpm -qp --configfiles "$(rpm_of jutsu)")" "^/etc/jutsu/jutsu.yaml$" \
    "jutsu: jutsu.yaml is %config"
has "$(rpm -qp --provides "$(rpm_of jutsu)")" "^jutsu-plugin-abi-$ABI$" \
    "jutsu: provides jutsu-plugin-abi-$ABI"
req=$(rpm -qpR "$(rpm_of jutsu)")
for lib in libyaml-0.so.2 libjson-c.so.5 libsodium.so.23 libsqlite3.so.0 libmicrohttpd.so.12; do
  has "$req" "^$lib\(\)\(64bit\)" "jutsu: requires $lib"
done
hasnt "$req" "libpq" "jutsu: does not require libpq"

pg=$(rpm -qpl "$(rpm_of jutsu-postgresql)")
has "$pg" "^$PLUGINS/storage-postgres.so$" "jutsu-postgresql: storage-postgres"
hasnt "$pg" "^/usr/bin/" "jutsu-postgresql: no binaries"
req=$(rpm -qpR "$(rpm_of jutsu-postgresql)")
has "$req" "^libpq.so.5\(\)\(64bit\)" "jutsu-postgresql: requires libpq.so.5"
has "$req" "^jutsu-plugin-abi-$ABI$" "jutsu-postgresql: requires jutsu-plugin-abi-$ABI"

dev=$(rpm -qpl "$(rpm_of jutsu-devel)")
for f in /usr/bin/jutsu-plugin-test /usr/include/jutsu/plugin.h "/usr/lib/$MA/libjutsu_sdk.a" \
         "/usr/lib/$MA/pkgconfig/jutsu-plugin.pc" "/usr/lib/$MA/cmake/Jutsu/JutsuConfig.cmake" \
         /usr/share/doc/jutsu-dev/plugin-abi.md; do
  has "$dev" "^$f$" "jutsu-devel: $f"
done
hasnt "$dev" "\.so$" "jutsu-devel: no plugins"
req=$(rpm -qpR "$(rpm_of jutsu-devel)")
has "$req" "^jutsu( |$)" "jutsu-devel: requires jutsu"
has "$req" "^json-c-devel$" "jutsu-devel: requires json-c-devel"

echo "== deb control fields"
deb_of() { local f=("$DIST/$1"_*.deb); echo "${f[0]}"; }
has "$(dpkg-deb -f "$(deb_of jutsu)" Provides)" "jutsu-plugin-abi-$ABI" \
    "jutsu: Provides jutsu-plugin-abi-$ABI"
dep=$(dpkg-deb -f "$(deb_of jutsu)" Depends | tr ',' '\n')
has "$dep" "libsodium23" "jutsu: Depends libsodium23 (from shlibdeps)"
hasnt "$dep" "libpq5" "jutsu: does not depend on libpq5"
has "$(dpkg-deb --ctrl-tarfile "$(deb_of jutsu)" | tar -xO ./conffiles)" \
    "^/etc/jutsu/jutsu.yaml$" "jutsu: jutsu.yaml is a conffile"
dep=$(dpkg-deb -f "$(deb_of jutsu-postgresql)" Depends | tr ',' '\n')
has "$dep" "libpq5" "jutsu-postgresql: Depends libpq5"
has "$dep" "jutsu-plugin-abi-$ABI" "jutsu-postgresql: Depends jutsu-plugin-abi-$ABI"
has "$(dpkg-deb -f "$(deb_of jutsu-dev)" Depends)" "(^|, )jutsu \(= " \
    "jutsu-dev: Depends jutsu (= version)"

echo "== a clean Debian 12 root"
mkdir -p "$CACHE"
tarball="$CACHE/bookworm-minbase.tgz"
work=$(mktemp -d /tmp/jutsu-pkgcheck.XXXXXX)
root="$work/root"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  if [[ "${JUTSU_KEEP_ROOT:-}" == 1 ]]; then echo "kept $root"; else rm -rf "$work"; fi
}
trap cleanup EXIT
if [[ ! -s "$tarball" ]]; then
  echo "  (first run: debootstrap downloads bookworm once into $tarball)"
  debootstrap --variant=minbase --make-tarball="$tarball.part" bookworm "$work/tb" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; echo "package-check.sh: debootstrap failed" >&2; exit 1; }
  mv "$tarball.part" "$tarball"
  rm -rf "$work/tb"
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$MIRROR" \
  >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log"; echo "package-check.sh: debootstrap failed" >&2; exit 1; }
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# no daemon starts inside the root (invoke-rc.d / deb-systemd-invoke ask this)
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
# the .debs apt fetched last time, so that a re-run downloads nothing new
mkdir -p "$CACHE/archives"
cp "$CACHE/archives/"*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true

if in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq /tmp/debs/*.deb' >"$work/apt.log" 2>&1; then
  ok "apt installs the three .debs with their dependencies"
  find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' ! -name 'jutsu*' \
    -exec cp -u {} "$CACHE/archives/" \;
else
  tail -30 "$work/apt.log"
  bad "apt-get install of the .debs (log above)"
  exit 1
fi

# run WHAT CMD...: CMD in the root; its output kept in $out
run() {
  local what="$1"
  shift
  if out=$(in_root "$@" 2>&1); then ok "$what"; else bad "$what: $out"; fi
}
as_jutsu=(runuser -u jutsu --)
run "jutsu --version" jutsu --version
has "$out" "0\.|[0-9]+\.[0-9]+" "jutsu --version prints a version"
run "getent passwd jutsu" getent passwd jutsu
has "$out" "^jutsu:x:[0-9]+:[0-9]+:.*:/var/lib/jutsu:/usr/sbin/nologin$" \
    "the user jutsu, home /var/lib/jutsu, no login"
run "stat /var/lib/jutsu" stat -c '%U:%G %a' /var/lib/jutsu
has "$out" "^jutsu:jutsu 750$" "/var/lib/jutsu is jutsu's, 0750"
run "config check as jutsu" "${as_jutsu[@]}" jutsu config check
run "db upgrade as jutsu" "${as_jutsu[@]}" jutsu db upgrade
run "sync of the sample data as jutsu" "${as_jutsu[@]}" jutsu sync
has "$out" "QQQ +1D +sample" "the sync stored QQQ from the sample source"
run "stat the database" stat -c '%U' /var/lib/jutsu/jutsu.db
has "$out" "^jutsu$" "the database is jutsu's"
# shellcheck disable=SC2016 # dpkg-query's own ${field}, not the shell's
run "the conffile is registered" dpkg-query -W -f='${Conffiles}' jutsu
has "$out" "/etc/jutsu/jutsu.yaml" "dpkg knows /etc/jutsu/jutsu.yaml as a conffile"
run "the service is enabled" test -L /etc/systemd/system/multi-user.target.wants/jutsu.service

unit=/usr/lib/systemd/system/jutsu.service
# --man=no: the root has no man(1); the page itself is checked below
run "systemd-analyze verify $unit" systemd-analyze verify --man=no "$unit"
run "jutsu(1), the unit's Documentation=" test -f /usr/share/man/man1/jutsu.1.gz
if out=$(in_root systemd-analyze security --offline=yes "$unit" 2>&1); then :; fi
level=$(sed -n 's/.*Overall exposure level for jutsu.service: \([0-9.]*\).*/\1/p' <<<"$out")
if [[ -n "$level" ]] && awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'; then
  ok "systemd-analyze security: exposure $level <= $MAX_EXPOSURE"
else
  echo "$out" | grep -v "^✓"
  bad "systemd-analyze security: exposure '${level:-?}' above $MAX_EXPOSURE"
fi

echo "== the example KPI plugin, built in the root from jutsu-dev alone"
# the sources jutsu-dev ships, a compiler, and pkg-config: nothing of the
# source tree; then the installed harness and an EOD run of the installed jutsu
ex=/usr/share/doc/jutsu-dev/examples/kpi-omega
if in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      gcc libc6-dev make pkg-config' >"$work/apt-cc.log" 2>&1; then
  ok "apt installs gcc, libc6-dev, make and pkg-config"
else
  tail -20 "$work/apt-cc.log"
  bad "apt-get install gcc libc6-dev make pkg-config (log above)"
fi
run "copy the example's sources" sh -c "mkdir -p /tmp/ko && cp $ex/kpi_omega.c $ex/Makefile /tmp/ko/"
run "make (pkg-config jutsu-plugin)" make -C /tmp/ko
run "jutsu-plugin-test --kind-suite kpi" jutsu-plugin-test --kind-suite kpi /tmp/ko/kpi-omega.so
has "$out" " 0 failed" "the installed harness passes the example"
cat >"$root/tmp/ko/jutsu.yaml" <<'YAML'
plugin_path: [/tmp/ko]
database: {type: sqlite, sqlite: {path: /tmp/ko/ko.db}}
sync: {symbols: [QQQ], sources: [sample], history_start: "2026-04-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: /usr/share/jutsu/sample-data}}
  - {name: omega, plugin: kpi-omega}
YAML
run "sync with the example's config" jutsu -c /tmp/ko/jutsu.yaml sync
run "eod backfill with the example KPI" jutsu -c /tmp/ko/jutsu.yaml eod backfill \
  --from 2026-05-01 --to 2026-05-13
run "perf show" jutsu -c /tmp/ko/jutsu.yaml perf show QQQ --from 2026-05-13 --format json
has "$out" '"omega_ratio"' "the example's metric is stored and shown"

echo
if ((failures)); then
  echo "package-check.sh: $failures check(s) failed"
  exit 1
fi
echo "package-check.sh: all checks passed"
