# storage-postgres through jutsu-plugin-test: the storage conformance suite
# (tests/harness/suite_storage.c) on a scratch database of the test cluster,
# and what an unreachable server looks like.
source "$(dirname "$0")/lib.bash"
H="$BUILD_DIR/jutsu-plugin-test"
PLUGIN="${JUTSU_PLUGIN_PATH:?run through ctest}/storage-postgres.so"

if [[ -z "${JUTSU_TEST_PG_HOST:-}" ]]; then
  if [[ "${JUTSU_TEST_NO_PG:-}" == 1 ]]; then
    echo "SKIPPED: no PostgreSQL test cluster (JUTSU_TEST_NO_PG=1)"
    exit 0
  fi
  echo "FAIL: JUTSU_TEST_PG_HOST is not set: start the test cluster first," \
       "eval \"\$(scripts/pg-test-cluster.sh start)\" (JUTSU_TEST_NO_PG=1 skips)"
  exit 1
fi

PSQL=("${JUTSU_TEST_PG_BIN:-/usr/bin}/psql" -q -X -v ON_ERROR_STOP=1 -h "$JUTSU_TEST_PG_HOST"
      -p "$JUTSU_TEST_PG_PORT" -U "$JUTSU_TEST_PG_USER" -d postgres)
DB="jutsu_t_cli_$$"
"${PSQL[@]}" -c "CREATE DATABASE $DB" || { echo "FAIL: cannot create database $DB"; exit 1; }
trap '"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

# trust authentication ignores the password: it is there to be hidden
cat >"$TMP/pg.yaml" <<YAML
host: "$JUTSU_TEST_PG_HOST"
port: $JUTSU_TEST_PG_PORT
user: "$JUTSU_TEST_PG_USER"
database: "$DB"
password: "pw-never-shown-123"
YAML
run suite 0 "$H" -c "$TMP/pg.yaml" "$PLUGIN"
expect suite out "---- conformance: storage"
expect suite out "ok   storage.describe       \"postgresql $JUTSU_TEST_PG_USER@$JUTSU_TEST_PG_HOST:$JUTSU_TEST_PG_PORT/$DB\", no password"
expect suite out "ok   storage.roundtrip"
expect suite out "ok   storage.bulk "
expect suite out "ok   storage.schema.gone    15 of 15 tables gone"
expect suite out " 0 failed"
refute suite out "pw-never-shown-123"
refute suite err "pw-never-shown-123"

# the CLI on PostgreSQL: a read open at both ends stays inside what a
# TIMESTAMPTZ holds (INT64_MIN / 2 micro-seconds is 144,170 BC: refused)
cat >"$TMP/j.yaml" <<YAML
database:
  type: postgresql
  postgresql: {host: "$JUTSU_TEST_PG_HOST", port: $JUTSU_TEST_PG_PORT, user: "$JUTSU_TEST_PG_USER", database: "$DB"}
sync: {symbols: [QQQ], sources: [sample], history_start: "2026-04-01"}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML
run pg-sync 0 "$JUTSU" -c "$TMP/j.yaml" sync
run pg-show 0 "$JUTSU" -c "$TMP/j.yaml" data show QQQ
expect pg-show out "2026-04-01"
expect pg-show out "2026-05-13"
refute pg-show err "out of range"
run pg-gaps 0 "$JUTSU" -c "$TMP/j.yaml" data gaps QQQ
expect pg-gaps out "QQQ: 30 valid daily bars, 0 missing trading days"
run pg-absent 1 "$JUTSU" -c "$TMP/j.yaml" data show NOPE
expect pg-absent err "no 1D bars of NOPE are stored (stored: QQQ)"

cat >"$TMP/down.yaml" <<YAML
host: 127.0.0.1
port: 1
user: jutsu
database: nowhere
password: "pw-never-shown-123"
YAML
run down 1 "$H" -c "$TMP/down.yaml" "$PLUGIN"
expect down out "FAIL storage.connect"
expect down err "cannot connect to PostgreSQL at 127.0.0.1:1 as user \"jutsu\" (database \"nowhere\")"
expect down err "is the server running"
refute down out "pw-never-shown-123"
refute down err "pw-never-shown-123"
finish
