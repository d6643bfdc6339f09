/*
 * tests/unit/test_jwt_claims.c — the claims of a token whose MAC is good
 * but whose times do not fit: jutsu_jwt_verify turns iat and exp (seconds)
 * into microseconds, so a value above INT64_MAX / 10^6 must be refused,
 * never multiplied (signed overflow; found by tests/fuzz/fuzz_jwt).
 * Tokens are signed here, the way jutsu_jwt_sign lays them out, since
 * jutsu_jwt_sign itself only writes sane claims.
 */
#include <check.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "testutil.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define NOW INT64_C(1736456400000000)

/* header.base64url(payload).MAC under the current key. */
static void sign_raw(const struct jutsu_keys *k, const char *payload, char *out, size_t outsz)
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    size_t hl = strlen(k->keys[0].jwt_header);
    ck_assert_uint_lt(hl + 1 + sodium_base64_ENCODED_LEN(strlen(payload), B64) + 1 +
                      sodium_base64_ENCODED_LEN(sizeof(mac), B64), outsz);
    memcpy(out, k->keys[0].jwt_header, hl);
    out[hl] = '.';
    sodium_bin2base64(out + hl + 1, outsz - hl - 1, (const uint8_t *)payload, strlen(payload),
                      B64);
    size_t signed_len = strlen(out);
    crypto_auth_hmacsha256(mac, (const uint8_t *)out, signed_len, k->keys[0].mac);
    out[signed_len] = '.';
    sodium_bin2base64(out + signed_len + 1, outsz - signed_len - 1, mac, sizeof(mac), B64);
}

/* jutsu_jwt_verify of a signed token with these iat and exp (seconds). */
static int verify_times(const struct jutsu_keys *k, int64_t iat, int64_t exp,
                        struct jutsu_jwt_claims *c)
{
    char payload[400], tok[JUTSU_JWT_MAX + 1];
    const char *why = NULL;
    snprintf(payload, sizeof(payload),
             "{\"sub\":\"42\",\"typ\":\"access\",\"jti\":\"AAAAAAAAAAAAAAAAAAAAAA\","
             "\"fam\":\"BBBBBBBBBBBBBBBBBBBBBB\",\"pwv\":\"abc\",\"iat\":%" PRId64
             ",\"exp\":%" PRId64 "}", iat, exp);
    sign_raw(k, payload, tok, sizeof(tok));
    int rc = jutsu_jwt_verify(k, tok, NOW, c, &why);
    ck_assert_ptr_nonnull(why);
    return rc;
}

START_TEST(t_iat_beyond_microseconds)
{
    char *dir = tu_tmpdir(), path[512], err[512];
    struct jutsu_keys k;
    struct jutsu_jwt_claims c;
    const int64_t exp = INT64_C(4102444800);            /* 2100-01-01 */
    const int64_t top = INT64_MAX / 1000000;            /* the last second that fits */
    ck_assert_int_ge(sodium_init(), 0);
    snprintf(path, sizeof(path), "%s/jutsu.key", dir);
    ck_assert_int_eq(jutsu_keys_load(path, &k, err, sizeof(err)), 0);
    /* a sane token passes: the signing here is right */
    ck_assert_int_eq(verify_times(&k, INT64_C(1736456000), exp, &c), 0);
    ck_assert_int_eq(c.iat, INT64_C(1736456000000000));
    /* the boundary still fits */
    ck_assert_int_eq(verify_times(&k, top, exp, &c), 0);
    ck_assert_int_eq(c.iat, top * 1000000);
    /* one second more, and the largest integer, are refused */
    ck_assert_int_eq(verify_times(&k, top + 1, exp, &c), JUTSU_EAUTH);
    ck_assert_int_eq(verify_times(&k, INT64_MAX, exp, &c), JUTSU_EAUTH);
    /* exp had its bound already */
    ck_assert_int_eq(verify_times(&k, INT64_C(1736456000), top + 1, &c), JUTSU_EAUTH);
    jutsu_keys_wipe(&k);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jwt_claims");
    TCase *tc = tcase_create("claims");
    tcase_add_test(tc, t_iat_beyond_microseconds);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
