# Bytes that are not text in a config file (Latin-1, a NUL, a control
# character) are reported as FILE:LINE:COL with what the byte was, like
# every other config error, not as a byte offset.
source "$(dirname "$0")/lib.bash"

printf 'log:\n  level: info\n# caf\xe9\n' > "$TMP/latin1.yaml"
run latin1 3 "$JUTSU" -c "$TMP/latin1.yaml" config check
expect latin1 err "$TMP/latin1.yaml:3:6: not UTF-8: byte 0xE9"
refute latin1 err "at byte"

printf 'log:\n  level: info\x00\n' > "$TMP/nul.yaml"
run nul 3 "$JUTSU" -c "$TMP/nul.yaml" config check
expect nul err "$TMP/nul.yaml:2:14: NUL byte"

# columns count characters: "é" before the bad byte is one column
printf 'log:\n  level: "\xc3\xa9\x01"\n' > "$TMP/ctl.yaml"
run control 3 "$JUTSU" -c "$TMP/ctl.yaml" config check
expect control err "$TMP/ctl.yaml:2:12: control character U+0001"

printf '\xef\xbb\xbflog: {level: \xff}\n' > "$TMP/bom.yaml"
run bom 3 "$JUTSU" -c "$TMP/bom.yaml" config check
expect bom err "$TMP/bom.yaml:1:14: not UTF-8: byte 0xFF"
finish
