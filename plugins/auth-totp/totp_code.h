/*
 * plugins/auth-totp/totp_code.h — the pure parts of TOTP: base32 (RFC 4648)
 * and HOTP/TOTP codes (RFC 4226, RFC 6238 with HMAC-SHA1).
 *
 * No state, no allocation: every function is reentrant and thread-safe.
 * Private to auth-totp and its test (tests/unit/test_auth_totp.c), which
 * compiles this file in to check it against the RFC vectors.
 */
#ifndef JUTSU_TOTP_CODE_H
#define JUTSU_TOTP_CODE_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_PERIOD        30   /* seconds per step (RFC 6238's X)        */
#define TOTP_DIGITS        6
#define TOTP_SECRET_BYTES  20   /* RFC 4226's recommended 160 bits        */
#define TOTP_DIGITS_MAX    9    /* 10^9 still fits the 31-bit truncation  */

/* Characters base32 of n bytes takes (without the NUL): with `pad`, a
 * multiple of 8 filled with '='. */
size_t totp_b32_len(size_t n, int pad);

/* Writes base32 of in[0..n) (upper case, '=' padding when `pad`) and a
 * NUL into out. 0, or -1 when outsz is too short (out is then ""). */
int totp_b32_encode(const uint8_t *in, size_t n, int pad, char *out, size_t outsz);

/* Decodes `len` characters of base32: either case, with or without the
 * trailing '=' padding. Refuses (-1) a character outside the alphabet, a
 * '=' before the end, a length no encoding produces, non-zero unused
 * trailing bits (a second spelling of the same bytes) and output that does
 * not fit outsz. 0 with *outlen set otherwise. */
int totp_b32_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen);

/* The HOTP value (RFC 4226) of `key` at `counter`: the dynamically
 * truncated HMAC-SHA1, modulo 10^digits (1..TOTP_DIGITS_MAX). 0, or -1
 * when digits is out of range or HMAC fails. */
int totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *code);

/* The TOTP step (RFC 6238's T) of a Unix time in seconds: floor(t / period),
 * T0 = 0. Times before 1970 have negative steps, which no code is made for. */
int64_t totp_step(int64_t unix_seconds, int period);

/* `code` as exactly `digits` decimal digits with leading zeros and a NUL.
 * 0, or -1 when digits is out of range or outsz <= digits. */
int totp_format(uint32_t code, int digits, char *out, size_t outsz);

#endif
