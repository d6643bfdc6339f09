# serve_lock: one `jutsu serve` per SQLite database (a kernel lock on
# DBPATH.lock, which dies with its holder); several on PostgreSQL.
source "$(dirname "$0")/lib.bash"

# wait_for FILE TEXT: until the log holds TEXT (at most 60 s)
wait_for() {
  for _ in $(seq 1 1200); do
    grep -qF -- "$2" "$1" && return 0
    sleep 0.05
  done
  return 1
}

cat > "$TMP/j.yaml" <<YAML
log: {format: text}
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
scheduler: {enabled: false}
YAML

"$JUTSU" -c "$TMP/j.yaml" serve 2>"$TMP/err1" &
first=$!
wait_for "$TMP/err1" "ready:" && pass || fail "the first serve is not ready"

# a second serve on the same file is refused, naming the first
run second 1 timeout 60 "$JUTSU" -c "$TMP/j.yaml" serve
expect second err "the SQLite database $TMP/var/jutsu.db is in use by another \`jutsu serve\`: process $first, started "
expect second err "serve) holds $TMP/var/jutsu.db.lock"
expect second err "stop that one first (systemctl stop jutsu, or kill $first)"
refute second err "ready:"
# ... also when named another way (a symbolic link to the directory)
ln -s "$TMP/var" "$TMP/link"
sed "s|$TMP/var/jutsu.db|$TMP/link/jutsu.db|" "$TMP/j.yaml" > "$TMP/link.yaml"
run second-link 1 timeout 60 "$JUTSU" -c "$TMP/link.yaml" serve
expect second-link err "is in use by another \`jutsu serve\`: process $first"

# other commands share the file with the running serve
run status-beside 0 "$JUTSU" -c "$TMP/j.yaml" data status
run current-beside 0 "$JUTSU" -c "$TMP/j.yaml" db current

kill -TERM "$first"
wait "$first"
rc=$?
[[ $rc -eq 0 ]] && pass || fail "the first serve exited $rc"

# once it stopped, a new one starts
"$JUTSU" -c "$TMP/j.yaml" serve 2>"$TMP/err2" &
again=$!
wait_for "$TMP/err2" "ready:" && pass || { fail "no serve after the first stopped"; cat "$TMP/err2"; }
# killed outright, it leaves its lock file behind: that blocks no one
kill -KILL "$again"
wait "$again" 2>/dev/null
[[ -f "$TMP/var/jutsu.db.lock" ]] && pass || fail "no lock file left by a killed serve"
"$JUTSU" -c "$TMP/j.yaml" serve 2>"$TMP/err3" &
third=$!
wait_for "$TMP/err3" "ready:" && pass || { fail "a stale lock file blocked serve"; cat "$TMP/err3"; }
kill -TERM "$third"
wait "$third"
[[ $? -eq 0 ]] && pass || fail "the third serve did not stop cleanly"

# PostgreSQL: several serves share one database (the scheduler elects a runner)
if [[ -z "${JUTSU_TEST_PG_HOST:-}" ]]; then
  echo "SKIPPED (PostgreSQL part): no test cluster (JUTSU_TEST_PG_HOST unset)"
  finish
  exit $?
fi
PSQL=("${JUTSU_TEST_PG_BIN:-/usr/bin}/psql" -q -X -v ON_ERROR_STOP=1 -h "$JUTSU_TEST_PG_HOST"
      -p "$JUTSU_TEST_PG_PORT" -U "$JUTSU_TEST_PG_USER" -d postgres)
DB="jutsu_serve_lock_$$"
"${PSQL[@]}" -c "CREATE DATABASE $DB" && pass || fail "cannot create $DB"
cat > "$TMP/pg.yaml" <<YAML
log: {format: text}
database:
  type: postgresql
  postgresql: {host: "$JUTSU_TEST_PG_HOST", port: $JUTSU_TEST_PG_PORT, user: "$JUTSU_TEST_PG_USER", database: "$DB"}
scheduler: {enabled: false}
YAML
run pg-upgrade 0 "$JUTSU" -c "$TMP/pg.yaml" db upgrade
"$JUTSU" -c "$TMP/pg.yaml" serve 2>"$TMP/pg1" &
p1=$!
wait_for "$TMP/pg1" "ready:" && pass || { fail "the first serve on PostgreSQL"; cat "$TMP/pg1"; }
"$JUTSU" -c "$TMP/pg.yaml" serve 2>"$TMP/pg2" &
p2=$!
wait_for "$TMP/pg2" "ready:" && pass || { fail "the second serve on PostgreSQL"; cat "$TMP/pg2"; }
refute pg-second pg2 "in use by another"
kill -TERM "$p1" "$p2"
wait "$p1"; r1=$?
wait "$p2"; r2=$?
[[ $r1 -eq 0 && $r2 -eq 0 ]] && pass || fail "serves on PostgreSQL exited $r1 and $r2"
"${PSQL[@]}" -c "DROP DATABASE $DB" || fail "cannot drop $DB"
finish
