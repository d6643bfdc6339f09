#!/usr/bin/env bash
# scripts/package.sh [BUILD_DIR] — the .deb and .rpm packages, in one go:
# a Release build configured for /usr in its own directory (default
# build-package), then `cpack -G DEB` and `cpack -G RPM` into dist/
# (cmake/package.cmake says what each package holds). Prints the files.
# scripts/package-check.sh checks them; docs/install.md, "Packages".
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-package}"

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
ls -l dist/*.deb dist/*.rpm
