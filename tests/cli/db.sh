# `jutsu db ...` end to end: schema revisions up and down, backup and restore
# with verified row counts, prune; on a scratch SQLite file and on a scratch
# PostgreSQL database of the test cluster (scripts/pg-test-cluster.sh); and
# connection failures that say where they failed but never the password.
source "$(dirname "$0")/lib.bash"
unset DATABASE_URL DATABASE_TYPE POSTGRES_HOST POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD \
      POSTGRES_DATABASE

TABLES="blacklisted_tokens config_history config_overrides daily_performance data_audit_log
data_metadata eod_job_status jutsu_schema_migrations live_trades market_data passkeys
performance_snapshots positions system_state user_invitations users"
TABLES=$(echo $TABLES)      # one line, single spaces
# the revisions, oldest first: the newest is head, the one before it is
# where `downgrade -1` lands
REVS=(0001_initial 0002_strategy_context 0003_kpi_state 0004_realized_pnl 0005_kpi_metrics)
HEAD=${REVS[-1]}
PREV=${REVS[-2]}
KNOWN=$(IFS=,; echo "${REVS[*]}" | sed 's/,/, /g')
NOW_US=$(( $(date +%s) * 1000000 ))
OLD_US=$(( NOW_US - 800 * 86400 * 1000000 ))

# Backend hooks, set by use_sqlite / use_pg:
#   q SQL       runs SQL, prints rows (fields separated by |)
#   tables      prints the database's table names, space separated, sorted
#   seed_sql    three market_data rows, money as the backend stores it
#   snap_sql    one snapshot 800 days old and one from now
use_sqlite() {
  B=sqlite
  DBFILE="$TMP/sq/db/jutsu.db"
  CONF="$TMP/sq.yaml"
  printf 'database:\n  type: sqlite\n  backup_dir: %s\n  sqlite:\n    path: %s\n' \
    "$TMP/sqlite-backups" "$DBFILE" >"$CONF"
  q() { sqlite3 "$DBFILE" "$1"; }
  tables() { q "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                ORDER BY name" | tr '\n' ' ' | sed 's/ $//'; }
  # SQLite keeps NUMERIC(18,6) as INTEGER micro-units
  seed_sql="INSERT INTO market_data (symbol, timeframe, timestamp, open, high, low, close, volume,
              data_source, is_valid, created_at) VALUES
            ('SPY', '1D', 1735776000000000, 999999999999999999, 1, -123456789, 505555555, 123456,
             'csv', 1, 1735776000000001),
            ('SPY', '1D', 1735862400000000, 501000000, 510250000, 499000001, 507000000, 0,
             'yahoo', 0, 1735862400000001),
            ('QQQ', '1D', 1735776000000000, 400000000, 400000001, 399999999, 400000000, 99,
             'csv', 1, 1735776000000002)"
  snap_sql="INSERT INTO performance_snapshots (timestamp, total_equity, mode) VALUES
            ($OLD_US, 100000000000, 'offline_mock'), ($NOW_US, 100500000000, 'offline_mock')"
}

use_pg() {
  B=postgresql
  PSQL="${JUTSU_TEST_PG_BIN:+$JUTSU_TEST_PG_BIN/}psql"
  PGDB="jutsu_cli_$$_$RANDOM"
  CONF="$TMP/pg.yaml"
  printf 'database:\n  backup_dir: %s\n' "$TMP/postgresql-backups" >"$CONF"
  local server="$JUTSU_TEST_PG_HOST:$JUTSU_TEST_PG_PORT"
  export DATABASE_URL="postgresql://$JUTSU_TEST_PG_USER@$server/$PGDB"
  q() { PGTZ=UTC "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -h "$JUTSU_TEST_PG_HOST" \
          -p "$JUTSU_TEST_PG_PORT" -U "$JUTSU_TEST_PG_USER" -d "${2:-$PGDB}" -c "$1"; }
  tables() { q "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" \
               | tr '\n' ' ' | sed 's/ $//'; }
  seed_sql="INSERT INTO market_data (symbol, timeframe, timestamp, open, high, low, close, volume,
              data_source, is_valid, created_at) VALUES
            ('SPY', '1D', '2025-01-02T00:00:00Z', 999999999999.999999, 0.000001, -123.456789,
             505.555555, 123456, 'csv', TRUE, '2025-01-02T00:00:00.000001Z'),
            ('SPY', '1D', '2025-01-03T00:00:00Z', 501, 510.25, 499.000001, 507, 0, 'yahoo',
             FALSE, '2025-01-03T00:00:00.000001Z'),
            ('QQQ', '1D', '2025-01-02T00:00:00Z', 400, 400.000001, 399.999999, 400, 99, 'csv',
             TRUE, '2025-01-02T00:00:00.000002Z')"
  snap_sql="INSERT INTO performance_snapshots (timestamp, total_equity, mode) VALUES
            (now() - interval '800 days', 100000, 'offline_mock'),
            (now(), 100500, 'offline_mock')"
  q "CREATE DATABASE $PGDB" postgres || { fail "pg: cannot create $PGDB"; return 1; }
  trap 'q "DROP DATABASE IF EXISTS $PGDB" postgres 2>/dev/null; rm -rf "$TMP"' EXIT
}

check_tables() {    # NAME WANT
  local got
  got=$(tables)
  if [[ "$got" == "$2" ]]; then pass; else fail "$1: tables are [$got], want [$2]"; fi
}

check_eq() {        # NAME GOT WANT
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got [$2], want [$3]"; fi
}

sequence() {
  local J=("$JUTSU" -c "$CONF") p="$B"

  # revisions
  run "$p-current" 0 "${J[@]}" db current
  expect "$p-current" out ": base"
  refute "$p-current" out "(head)"
  run "$p-upgrade" 0 "${J[@]}" db upgrade
  expect "$p-upgrade" out ": $HEAD (head)"
  if [[ $B == sqlite ]]; then
    [[ -s "$DBFILE" ]] && pass || fail "$p-upgrade: $DBFILE was not created"
  fi
  check_tables "$p-upgrade" "$TABLES"
  run "$p-history" 0 "${J[@]}" db history
  expect "$p-history" out "* 0001_initial "
  expect "$p-history" out "* 0002_strategy_context "
  expect "$p-history" out "* $HEAD "
  expect "$p-history" out "<- current"

  run "$p-down-1" 0 "${J[@]}" db downgrade -1
  expect "$p-down-1" out ": $PREV"
  refute "$p-down-1" out "(head)"
  run "$p-history-1" 0 "${J[@]}" db history
  expect "$p-history-1" out "* $PREV "
  expect "$p-history-1" out "  $HEAD "
  refute "$p-history-1" out "* $HEAD"
  check_tables "$p-down-1" "$TABLES"
  run "$p-down-base" 0 "${J[@]}" db downgrade base
  expect "$p-down-base" out ": base"
  check_tables "$p-down-base" "jutsu_schema_migrations"
  run "$p-up-0001" 0 "${J[@]}" db upgrade 0001_initial
  expect "$p-up-0001" out ": 0001_initial"
  check_tables "$p-up-0001" "$TABLES"
  run "$p-up-head" 0 "${J[@]}" db upgrade
  expect "$p-up-head" out ": $HEAD (head)"

  run "$p-unknown" 2 "${J[@]}" db upgrade 0007_nope
  expect "$p-unknown" err "unknown revision \"0007_nope\"; known: $KNOWN"
  run "$p-unknown-down" 2 "${J[@]}" db downgrade 0007_nope
  expect "$p-unknown-down" err "$KNOWN"
  run "$p-still-head" 0 "${J[@]}" db current
  expect "$p-still-head" out "(head)"

  # backup, lose the rows, restore: counts verified, values identical
  q "$seed_sql" || fail "$p: seeding market_data failed"
  q "SELECT * FROM market_data ORDER BY id" >"$TMP/$p-before"
  check_eq "$p-seeded" "$(wc -l <"$TMP/$p-before")" 3
  local bk="$TMP/$p-dir/one.backup"
  mkdir -p "$TMP/$p-dir"
  run "$p-backup" 0 "${J[@]}" db backup "$bk"
  expect "$p-backup" out "backed up "
  expect "$p-backup" out "manifest $bk.manifest.json"
  [[ -s "$bk" ]] && pass || fail "$p-backup: $bk is missing or empty"
  grep -q '"market_data":3' "$bk.manifest.json" && pass ||
    fail "$p-backup: the manifest lacks the count"
  q "DELETE FROM market_data"
  check_eq "$p-deleted" "$(q 'SELECT COUNT(*) FROM market_data')" 0
  run "$p-restore" 0 "${J[@]}" db restore "$bk"
  expect "$p-restore" out "row counts of 16 tables verified"
  q "SELECT * FROM market_data ORDER BY id" >"$TMP/$p-after"
  if cmp -s "$TMP/$p-before" "$TMP/$p-after"; then pass; else
    fail "$p-restore: market_data differs after restore"
    diff "$TMP/$p-before" "$TMP/$p-after" | head -10
  fi

  sed 's/"market_data":3/"market_data":4/' "$bk.manifest.json" >"$TMP/m" &&
    mv "$TMP/m" "$bk.manifest.json"
  run "$p-tampered" 1 "${J[@]}" db restore "$bk"
  expect "$p-tampered" err "after restore market_data has 3 rows, the backup had 4"
  rm -f "$bk.manifest.json"
  run "$p-no-manifest" 1 "${J[@]}" db restore "$bk"
  expect "$p-no-manifest" err "$bk.manifest.json: cannot read the backup's manifest"

  # an upgrade of a database that holds data writes a backup first
  run "$p-down-data" 0 "${J[@]}" db downgrade -1
  run "$p-up-data" 0 "${J[@]}" db upgrade
  check_eq "$p-auto-backup" \
    "$(ls "$TMP/$p-backups" 2>/dev/null | grep -c "jutsu-$PREV-before-upgrade")" 1
  check_eq "$p-rows-kept" "$(q 'SELECT COUNT(*) FROM market_data')" 3

  # retention: a snapshot over a year old goes, a fresh one stays
  q "$snap_sql" || fail "$p: seeding performance_snapshots failed"
  run "$p-prune" 0 "${J[@]}" db prune
  expect "$p-prune" out "pruned 1 performance snapshot(s) older than a year"
  check_eq "$p-pruned" "$(q 'SELECT COUNT(*) FROM performance_snapshots')" 1
  run "$p-prune-again" 0 "${J[@]}" db prune --format json
  expect "$p-prune-again" out '{"snapshots_deleted":0,"tokens_deleted":0}'
}

use_sqlite
sequence

# A server that is not there: exit 1, names user@host:port, never the password.
printf 'log:\n  level: info\n' >"$TMP/nodb.yaml"
DATABASE_URL="postgresql://jutsu_pw:Sekr1t-nope@127.0.0.1:1/jutsu" \
  run pg-unreachable 1 "$JUTSU" -c "$TMP/nodb.yaml" db current
expect pg-unreachable err "jutsu_pw@127.0.0.1:1/jutsu"
refute pg-unreachable err "Sekr1t-nope"
refute pg-unreachable out "Sekr1t-nope"

if [[ -n "${JUTSU_TEST_PG_HOST:-}" ]]; then
  if use_pg; then
    sequence
    # the wrong password for a role that must give one
    SERVER="$JUTSU_TEST_PG_HOST:$JUTSU_TEST_PG_PORT"
    DATABASE_URL="postgresql://jutsu_pw:wrong-Pa55word@$SERVER/$PGDB" \
      run pg-wrong-password 1 "$JUTSU" -c "$TMP/nodb.yaml" db current
    expect pg-wrong-password err "jutsu_pw@$JUTSU_TEST_PG_HOST:$JUTSU_TEST_PG_PORT"
    expect pg-wrong-password err "password authentication failed"
    refute pg-wrong-password err "wrong-Pa55word"
    refute pg-wrong-password out "wrong-Pa55word"
    unset DATABASE_URL
    q "DROP DATABASE $PGDB" postgres && pass || fail "pg: cannot drop $PGDB"
    check_eq pg-dropped "$(q "SELECT COUNT(*) FROM pg_database WHERE datname = '$PGDB'" postgres)" 0
  fi
elif [[ "${JUTSU_TEST_NO_PG:-}" == 1 ]]; then
  echo "SKIPPING the PostgreSQL half (JUTSU_TEST_NO_PG=1)"
else
  fail "PostgreSQL: the test cluster's variables are not set: run through scripts/test.sh, or" \
       "eval \"\$(scripts/pg-test-cluster.sh start)\" first (JUTSU_TEST_NO_PG=1 skips it)"
fi
finish
