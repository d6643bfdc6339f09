#!/usr/bin/env bash
# scripts/deps.sh — the one list of Debian packages Jutsu needs.
#
#   scripts/deps.sh          what building and running need
#   scripts/deps.sh --test   also what the test suite needs (PostgreSQL server, valgrind)
#   scripts/deps.sh --bench  also what bench/bench_http.sh compares against (wrk, nginx)
#   scripts/deps.sh --fuzz   also what scripts/fuzz.sh builds with (clang, libFuzzer)
#   scripts/deps.sh --package  also what scripts/package.sh and package-check.sh need
#   (modes add up: scripts/deps.sh --test --fuzz)
#
# Installs only what is missing (apt-get; sudo when not root). Safe to re-run.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config       # compiler and build
  libyaml-dev                            # config
  libjson-c-dev                          # events, REST bodies, JSON columns
  libsqlite3-dev sqlite3                 # storage-sqlite
  libpq-dev                              # storage-postgres
  libcurl4-openssl-dev                   # sources, broker
  libsodium-dev libssl-dev               # auth: Argon2id, JWT, sealed secrets, TOTP
  libqrencode-dev                        # auth-totp: the setup's QR code
  libcrypt-dev                           # auth-password: legacy bcrypt hashes
  libfido2-dev libcbor-dev               # auth-passkey: WebAuthn
  libmicrohttpd-dev zlib1g-dev           # frontend-http (zlib: gzip answers)
  tzdata ca-certificates                 # exchange time zone
  nodejs                                 # the dashboard's npm packages (npm_deps, below)
)
TEST_PKGS=(
  check libsubunit-dev                   # unit tests
  postgresql postgresql-client           # a real PostgreSQL server for the storage tests
  valgrind                               # leak checks on the main paths
  oathtool                               # an independent TOTP generator
  curl                                   # HTTP tests of the frontend
  cppcheck clang-tidy                    # scripts/lint.sh: static analysis
  devscripts                             # scripts/hardening.sh: hardening-check
  chromium                               # tests/browser: the dashboard in a real browser
)

BENCH_PKGS=(
  wrk nginx-light                        # bench/bench_http.sh: load, and the yardstick
)

FUZZ_PKGS=(
  clang libclang-rt-14-dev               # scripts/fuzz.sh: -fsanitize=fuzzer needs the runtime
)

PACKAGE_PKGS=(
  rpm lintian rpmlint                    # scripts/package.sh (cpack -G RPM), package-check.sh
  gpg gpg-agent                          # package.sh --sign: rpmsign signs with GnuPG
  debootstrap                            # package-check.sh: a clean Debian 12 root
  systemd                                # package-check.sh: systemd-analyze verify, security
)

want=("${BUILD_PKGS[@]}")
# check is needed to configure the test tree, which the build includes by default
want+=(check libsubunit-dev)
# modes add up: scripts/test.sh asks for --test --fuzz
for mode in "$@"; do
  case "$mode" in
    --test) want+=("${TEST_PKGS[@]}") ;;
    --bench) want+=("${BENCH_PKGS[@]}") ;;
    --fuzz) want+=("${FUZZ_PKGS[@]}") ;;
    --package) want+=("${PACKAGE_PKGS[@]}") ;;
    *) echo "deps.sh: unknown mode $mode (--test, --bench, --fuzz, --package)" >&2; exit 2 ;;
  esac
done

# The dashboard's npm packages, pinned by package-lock.json: uPlot (embedded
# in frontend-http at build time) and playwright-core (the browser tests
# drive Debian's chromium with it; it downloads no browser). npm ci runs
# again only when the lock file is newer than the last install.
npm_deps() {
  local root
  root="$(cd "$(dirname "$0")/.." && pwd)"
  if [[ -f "$root/node_modules/uplot/package.json" &&
        "$root/node_modules/.package-lock.json" -nt "$root/package-lock.json" ]]; then
    echo "deps: npm packages present"
    return 0
  fi
  if ! command -v npm >/dev/null; then
    # Debian's nodejs comes without npm (a nodejs build that bundles it
    # conflicts with Debian's npm package: so only when it is missing)
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm
  fi
  echo "deps: npm ci (package-lock.json)"
  (cd "$root" && npm ci --no-audit --no-fund)
}

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#want[@]} packages present"
  npm_deps
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_deps
