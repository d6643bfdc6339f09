# Paths in a config follow the config file, not the shell (issue 16): run
# from another directory, a config's relative paths still name the files
# beside it, nothing is made where jutsu was started, and `config check`
# says which path is wrong and where it is written. Also finding the
# config (the hint without -c), global options after the command, and
# "did you mean" for a mistyped command.
source "$(dirname "$0")/lib.bash"
ROOT=$PWD
J="$ROOT/$JUTSU"
[[ "$JUTSU" == /* ]] && J="$JUTSU"

# a site: its config, the data beside it, and a working directory elsewhere
SITE="$TMP/site"
ELSEWHERE="$TMP/elsewhere"
mkdir -p "$SITE/conf" "$ELSEWHERE"
ln -s "$ROOT/conf/sample-data" "$SITE/conf/sample-data"
cat > "$SITE/conf/jutsu.yaml" <<EOF
log: {level: warn}
database:
  type: sqlite
  sqlite: {path: ../var/jutsu.db}
sync: {symbols: [QQQ], sources: [sample]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: sample-data}}
EOF
cd "$ELSEWHERE" || exit 1

run check-elsewhere 0 "$J" -c ../site/conf/jutsu.yaml config check
expect check-elsewhere out "../site/conf/jutsu.yaml: OK, 2 plugin instances"

# the resolved paths, from the file and from the defaults
run show 0 "$J" -c "$SITE/conf/jutsu.yaml" config show
SITE_REAL=$(cd "$SITE" && pwd -P)
expect show out "path: $SITE_REAL/var/jutsu.db"
expect show out "path: $SITE_REAL/conf/sample-data"
expect show out "backup_dir: $SITE_REAL/conf/var/backups"
expect show out "secret_key_file: $SITE_REAL/conf/var/jutsu.key"

# the issue's command: works from here, and makes nothing here
run sync-elsewhere 0 "$J" -c "$SITE/conf/jutsu.yaml" sync --from 2026-01-02 --to 2026-01-09
run status-elsewhere 0 "$J" -c "$SITE/conf/jutsu.yaml" data status
expect status-elsewhere out "QQQ"
[[ -f "$SITE/var/jutsu.db" ]] && pass || fail "the database is not beside the config"
[[ -z "$(ls -A "$ELSEWHERE")" ]] && pass || fail "made in the working directory: $(ls -A)"

# the repository's own config, from elsewhere (the issue's first bar)
run repo-config 0 "$J" -c "$ROOT/conf/jutsu.yaml" config check
[[ -z "$(ls -A "$ELSEWHERE")" ]] && pass || fail "made in the working directory: $(ls -A)"

# DATABASE_URL is not in the file: its relative path stays the shell's
DATABASE_URL=sqlite:///env.db run env-url 0 "$J" -c "$SITE/conf/jutsu.yaml" config show
expect env-url out "path: \"$(pwd -P)/env.db\""

# config check looks at the disk: a missing CSV directory (file:line:col,
# and where a relative path was taken from) and a database below a file
sed -e 's#path: sample-data#path: sampel-data#' -e 's#../var/jutsu.db#blocker/jutsu.db#' \
    "$SITE/conf/jutsu.yaml" > "$SITE/conf/bad.yaml"
echo "not a directory" > "$SITE/conf/blocker"
run check-paths 3 "$J" -c "$SITE/conf/bad.yaml" config check
F="$SITE/conf/bad.yaml"
R="$SITE_REAL/conf"
FROM="(a relative path is taken from the config file's directory, $R)"
expect check-paths err "$F:7:55: plugins[0].config.path: $R/sampel-data: No such file or directory"
expect check-paths err "sampel-data: No such file or directory $FROM"
expect check-paths err "$F:4:18: database.sqlite.path: $R/blocker/jutsu.db cannot be created: "
expect check-paths err "jutsu.db cannot be created: $R/blocker is not a directory $FROM"
expect check-paths err "2 problems found"
# other commands leave a missing file to where it is used; show still shows
run show-bad 0 "$J" -c "$SITE/conf/bad.yaml" config show
expect show-bad out "path: $SITE_REAL/conf/sampel-data"
cd "$ROOT" || exit 1

# no -c and no $JUTSU_CONFIG: the installed default (the one --help
# names), and how to name one
run help-default 0 "$JUTSU" --help
# ("config file (default: $JUTSU_CONFIG," then "else PATH)" on the next line)
default=$(sed -n '/(default: \$JUTSU_CONFIG,$/{n;s/^ *else \(.*\))$/\1/p;}' "$TMP/out")
[[ "$default" == */jutsu/jutsu.yaml ]] && pass || fail "--help names no default: '$default'"
run no-config 3 env -u JUTSU_CONFIG "$JUTSU" data status
expect no-config err "$default: cannot read the config file"
expect no-config err "hint: no -c FILE or \$JUTSU_CONFIG named a config"
expect no-config err "\`jutsu -c conf/jutsu.yaml data status\`"
run bad-c 3 "$JUTSU" -c "$TMP/none.yaml" data status
expect bad-c err "hint: -c FILE names the config file; the repository's default is conf/jutsu.yaml"

# global options after the command, in any place among its own
C="$SITE/conf/jutsu.yaml"
run after-c 0 "$JUTSU" data status -c "$C"
expect after-c out "QQQ"
run after-config-eq 0 "$JUTSU" data status --format json --config="$C"
expect after-config-eq out '"symbol":"QQQ"'
run after-level 0 "$JUTSU" data status -c "$C" --log-level debug
expect after-level err "DEBUG"
run after-v 0 "$JUTSU" data status -v -c"$C"
expect after-v err "DEBUG"
run after-q 0 "$JUTSU" -v data status -q -c "$C"
refute after-q err "DEBUG"
run after-format 0 "$JUTSU" data status -c "$C" -v --log-format json
expect after-format err '"level":"debug"'
run db-after 0 "$JUTSU" db current -c "$C"
expect db-after out "$SITE_REAL/var/jutsu.db"
run after-missing 2 "$JUTSU" data status -c
expect after-missing err "option -c needs a value"
run after-bad-level 2 "$JUTSU" data status --log-level loud
expect after-bad-level err "--log-level loud: use error, warn, info, debug or trace"
# after "--" nothing is taken
run after-dashdash 2 "$JUTSU" -c "$C" config check -- -q
expect after-dashdash err '"-q"'

# did you mean: the nearest command of the table, and no guess when none
# is near
run sycn 2 "$JUTSU" sycn
expect sycn err 'unknown command "sycn"; did you mean `sync`?'
run shwo 2 "$JUTSU" data shwo QQQ
expect shwo err 'unknown command "data shwo"; did you mean `data show`?'
run conifg 2 "$JUTSU" conifg check
expect conifg err 'did you mean `config check`?'
run no-guess 2 "$JUTSU" frobnicate
refute no-guess err "did you mean"
run group-bogus 2 "$JUTSU" data bogus
expect group-bogus err 'unknown command "data bogus"'
expect group-bogus err "data status"
run help-typo 2 "$JUTSU" help sycn
expect help-typo err 'no command "sycn"; did you mean `sync`?'
finish
