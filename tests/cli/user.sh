# jutsu user: accounts from the command line, the password policy, and the
# first admin's invitation when serve starts with no user at all; a user
# made here logs in over HTTP (the same engine serves both).
source "$(dirname "$0")/lib.bash"

cat >"$TMP/j.yaml" <<YAML
database: {type: sqlite, sqlite: {path: "$TMP/j.db"}}
auth: {secret_key_file: "$TMP/jutsu.key"}
scheduler: {enabled: false}
plugins:
  - {name: password, plugin: auth-password, config: {opslimit: 1, memlimit_kib: 8192}}
  - {name: totp, plugin: auth-totp}
  - {name: http, plugin: frontend-http, config: {listen: "127.0.0.1:0"}}
YAML
J=("$JUTSU" -c "$TMP/j.yaml")

run empty 0 "${J[@]}" user list
expect empty out "(no user yet"
# the password comes from stdin when it is not a terminal, never from argv
run short 2 "${J[@]}" user add ada --role admin <<<"tooshort"
expect short err "a password has at least 12 characters"
run same 2 "${J[@]}" user add adalovelace12 --role admin <<<"ADALOVELACE12"
expect same err "may not be the username"
run common 2 "${J[@]}" user add ada --role admin <<<"Password1234!"
expect common err "too common"
run norole 2 "${J[@]}" user add ada <<<"copper-violin-meadow"
expect norole err "say --role admin or --role viewer"
run badrole 2 "${J[@]}" user add ada --role root <<<"copper-violin-meadow"
expect badrole err "the roles are admin and viewer"
run nopw 2 "${J[@]}" user add ada --role admin </dev/null
expect nopw err "no password on standard input"
run add 0 "${J[@]}" user add ada --role admin --email ada@example.com <<<"copper-violin-meadow"
expect add out "user ada created (admin, id 1)"
run dup 2 "${J[@]}" user add ada --role viewer <<<"copper-violin-meadow"
expect dup err "that username or email is taken"
run add2 0 "${J[@]}" user add vic --role viewer <<<"amber-falcon-river-3"
run list 0 "${J[@]}" user list
expect list out "ada                  admin   yes"
expect list out "vic                  viewer  yes"
run listjson 0 "${J[@]}" user list --format json
expect listjson out '"username":"vic"'
refute listjson out "argon2"
refute list out "argon2"
run role 0 "${J[@]}" user role vic admin
expect role out "vic has the new role"
run role-bad 2 "${J[@]}" user role vic god
run nouser 2 "${J[@]}" user disable nobody
expect nouser err 'no user "nobody"'
run disable 0 "${J[@]}" user disable vic
expect disable out "vic is disabled"
run enable 0 "${J[@]}" user enable vic
run unlock 0 "${J[@]}" user unlock vic
run passwd 0 "${J[@]}" user passwd vic <<<"silver-planet-harbor-9"
expect passwd out "password of vic changed"
run reset 0 "${J[@]}" user 2fa-reset vic
expect reset out "vic has no second factor now"
run invite 0 "${J[@]}" user invite --role viewer --email new@example.com
expect invite out "/invite/"
expect invite out "good once, until"
invite_token=$(sed -n 's#.*/invite/\([A-Za-z0-9_-]*\).*#\1#p' "$TMP/out" | head -1)
[[ ${#invite_token} -ge 43 ]] && pass || fail "invitation token: '$invite_token'"
run delete 0 "${J[@]}" user delete vic
run gone 2 "${J[@]}" user passwd vic <<<"silver-planet-harbor-9"
# nothing secret on the terminal
refute add err "copper-violin-meadow"
refute passwd out "silver-planet-harbor-9"

# serve: a user made above logs in over HTTP; with no user at all, serve
# logs a one-time invitation for the first admin
serve_until() {   # serve_until CONFIG PATTERN: starts serve, waits for the log line
  "$JUTSU" -c "$1" serve 2>"$TMP/serve.err" &
  pid=$!
  for _ in $(seq 1 200); do
    grep -q "$2" "$TMP/serve.err" && return 0
    sleep 0.05
  done
  return 1
}
serve_until "$TMP/j.yaml" "ready:" || fail "serve did not become ready"
url=$(sed -n 's/.*\[http\] listening on \(http:[^ ]*\).*/\1/p' "$TMP/serve.err" | head -1)
code=$(curl -s -o "$TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
       -d '{"username":"ada","password":"copper-violin-meadow"}' "$url/api/auth/login")
[[ "$code" == 200 ]] && pass || fail "login over HTTP: $code $(cat "$TMP/out")"
expect login-http out '"token_type":"bearer"'
code=$(curl -s -o "$TMP/out" -w '%{http_code}' "$url/api/invitations/$invite_token")
[[ "$code" == 200 ]] && pass || fail "invitation over HTTP: $code $(cat "$TMP/out")"
kill -TERM "$pid"; wait "$pid"
refute serve-users serve.err "no user exists yet"
# an invitation's token is a credential: the access log shows the route's pattern
expect access-log serve.err "[http] GET /api/invitations/{token} 200 "
refute access-log serve.err "$invite_token"
# the access log: method, path, status, bytes, micro-seconds, user, client; no secret
expect access-log serve.err "[http] POST /api/auth/login 200 "
expect access-log serve.err " us user=- client=127.0.0.1"
refute access-log serve.err "copper-violin-meadow"
[[ "$(stat -c %a "$TMP/jutsu.key")" == 600 ]] && pass || fail "key file mode $(stat -c %a "$TMP/jutsu.key")"

sed -e "s#$TMP/j.db#$TMP/empty.db#" "$TMP/j.yaml" >"$TMP/e.yaml"
serve_until "$TMP/e.yaml" "ready:" || fail "serve (no user) did not become ready"
kill -TERM "$pid"; wait "$pid"
expect first-admin serve.err "no user exists yet: open http://127.0.0.1:"
expect first-admin serve.err "/invite/"

# a key file others may read is refused at start, with what to do
chmod 644 "$TMP/jutsu.key"
run keymode 1 "$JUTSU" -c "$TMP/j.yaml" serve
expect keymode err "readable by no one else (mode 0644): chmod 600"
finish
