#!/usr/bin/env bash
# scripts/package.sh [--sign KEY | --sign-throwaway] [BUILD_DIR] — the .deb
# and .rpm packages, in one go: a Release build configured for /usr in its
# own directory (default build-package), then `cpack -G DEB` and `cpack -G
# RPM` into dist/ (cmake/package.cmake says what each package holds).
# Prints the files. scripts/package-check.sh checks them; docs/install.md,
# "Packages".
#
# --sign KEY signs the .rpm files with KEY of the caller's GnuPG keyring
# (rpmsign) and exports its public key to dist/RPM-GPG-KEY-jutsu.asc, which
# package-check.sh verifies them with. --sign-throwaway does the same with
# a one-day key made for the run in a temporary keyring: it proves the
# signing path and lets the checks run, and means nothing to anyone else.
# The .deb files are not signed one by one: Debian signs the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
sign=""
throwaway=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --sign) sign=${2:?--sign needs a GnuPG key id or user id}; shift 2 ;;
    --sign-throwaway) throwaway=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "package.sh: unknown option $1 (--sign KEY, --sign-throwaway)" >&2; exit 2 ;;
    *) break ;;
  esac
done
dir="${1:-build-package}"

if ((throwaway)); then
  GNUPGHOME=$(mktemp -d "${TMPDIR:-/tmp}/jutsu-sign-XXXXXX")
  export GNUPGHOME
  trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
  sign="package-check@jutsu.invalid"
  gpg --batch --quiet --passphrase '' --quick-gen-key \
    "Jutsu package check, throwaway <$sign>" rsa3072 sign 1d 2>/dev/null
fi
if [[ -n $sign ]]; then
  command -v rpmsign >/dev/null && command -v gpg >/dev/null ||
    { echo "package.sh: --sign needs rpmsign and gpg: run scripts/deps.sh --package" >&2; exit 1; }
  gpg --batch --list-secret-keys "$sign" >/dev/null 2>&1 ||
    { echo "package.sh: --sign $sign: no such secret key in ${GNUPGHOME:-~/.gnupg}" >&2; exit 1; }
fi

for tool in cpack dpkg-shlibdeps rpmbuild; do
  command -v "$tool" >/dev/null ||
    { echo "package.sh: $tool is missing: run scripts/deps.sh --package" >&2; exit 1; }
done

# No -Werror here: a compiler's new warning must not stop a release (the
# test build has -Werror). Only what the packages hold is built
# (jutsu_package_files), not the test programs: cpack then installs without
# building `all`, and fails on any file that was not built.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DJUTSU_BUILD_BENCH=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target jutsu_package_files

rm -rf dist
mkdir -p dist
for gen in DEB RPM; do
  echo "== cpack -G $gen"
  # its own log: cpack is chatty, and a failure names the log to read
  if ! (cd "$dir" && cpack -G "$gen") >"$dir/cpack-$gen.log" 2>&1; then
    tail -30 "$dir/cpack-$gen.log" >&2
    echo "package.sh: cpack -G $gen failed; the whole log is $dir/cpack-$gen.log" >&2
    exit 1
  fi
done
if [[ -n $sign ]]; then
  # rpm's default %__gpg is gpg2, which Debian does not ship under that name
  rpmsign --define "__gpg $(command -v gpg)" --define "_gpg_name $sign" --addsign dist/*.rpm \
    </dev/null >/dev/null
  gpg --batch --armor --export "$sign" >dist/RPM-GPG-KEY-jutsu.asc
  echo "signed the .rpm files with $sign (public key: dist/RPM-GPG-KEY-jutsu.asc)"
else
  echo "the .rpm files are not signed (--sign KEY); package-check.sh will say so"
fi
ls -l dist/*.deb dist/*.rpm
