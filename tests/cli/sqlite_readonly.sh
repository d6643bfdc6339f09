# A SQLite database this user may not write (the file 0444 in a 0555
# directory, after a normal run made it): the commands that only read work,
# opened read-only; a command that writes fails saying the database is
# read-only. As root, permissions do not bind, so the reads run as nobody.
source "$(dirname "$0")/lib.bash"

as_reader() { "$@"; }
if [[ $(id -u) == 0 ]]; then
  if ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
    echo "SKIP: root without setpriv or a nobody user"
    exit 0
  fi
  as_reader() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
  chmod 0755 "$TMP"
fi

cat > "$TMP/j.yaml" <<YAML
database:
  type: sqlite
  sqlite: {path: "$TMP/var/jutsu.db"}
  backup_dir: "$TMP/var/backups"
sync:
  symbols: [TLT]
  sources: [sample]
plugins:
  - {name: sample, plugin: source-csv, config: {path: "$PWD/conf/sample-data"}}
YAML
chmod 0644 "$TMP/j.yaml"

run sync 0 "$JUTSU" -c "$TMP/j.yaml" sync --from 2024-01-01 --to 2024-01-31
# what `serve` leaves beside the database: config check wants these paths
# to exist when it cannot create them (core/config/cfg_fill.c)
mkdir -p "$TMP/var/backups" && touch "$TMP/var/jutsu.key" && chmod 0600 "$TMP/var/jutsu.key"
[[ ! -e "$TMP/var/jutsu.db-wal" ]] && pass || fail "a -wal file is left after a clean run"

# the file read-only, its directory writable: SQLite may make the -shm
chmod 0444 "$TMP/var/jutsu.db"
chmod 0777 "$TMP/var"
run status-file-ro 0 as_reader "$JUTSU" -c "$TMP/j.yaml" data status
expect status-file-ro out "TLT      1D"

# the real case: neither the file nor its directory writable
rm -f "$TMP/var/jutsu.db-wal" "$TMP/var/jutsu.db-shm"
chmod 0555 "$TMP/var"
run status 0 as_reader "$JUTSU" -c "$TMP/j.yaml" data status
expect status out "TLT      1D"
expect status err "read-only for this user"
run show 0 as_reader "$JUTSU" -c "$TMP/j.yaml" data show TLT --from 2024-01-02 --to 2024-01-02 \
  --format csv
expect show out "2024-01-02,"
run config-check 0 as_reader "$JUTSU" -c "$TMP/j.yaml" config check
run db-current 0 as_reader "$JUTSU" -c "$TMP/j.yaml" db current

# a write fails, and says why
run sync-ro 1 as_reader "$JUTSU" -c "$TMP/j.yaml" sync --from 2024-02-01 --to 2024-02-29
expect sync-ro out "read-only for this user"
[[ ! -e "$TMP/var/jutsu.db-shm" ]] && pass || fail "a -shm file appeared in a 0555 directory"

chmod 0755 "$TMP/var"
chmod 0644 "$TMP/var/jutsu.db"
finish
