/*
 * tests/unit/test_auth_passkey.c — plugins/auth-passkey: WebAuthn as a
 * login factor.
 *
 * The pure half calls webauthn_parse.c and webauthn_verify.c directly with
 * published vectors, kept in tests/fixtures/webauthn/ (one file each, its
 * source on its first lines):
 *   - W3C Web Authentication Level 3, §16 "Test Vectors" (index.bs of
 *     github.com/w3c/webauthn): ES256 with no attestation, with self
 *     attestation, with crossOrigin true, with a 1023-byte credential ID;
 *     Ed25519 and RS256 with packed (certificate) attestation;
 *   - py_webauthn's tests (github.com/duo-labs/py_webauthn, BSD-3-Clause):
 *     a "none" registration from a real authenticator and assertions by
 *     ES256, RS256 and EdDSA keys with non-zero counters, one with UV clear
 *     and one signed by another key.
 * Each verifies with its own RP ID, origin and challenge, and each
 * tampering is refused: a bit flipped in the signature, the authenticator
 * data or the client data, another origin, RP ID, type or challenge, UP
 * clear, UV missing when required, a counter that goes back.
 *
 * The other half loads the plugin into an app with a real database (SQLite
 * and PostgreSQL) and plays a software authenticator (a P-256 key made by
 * OpenSSL, CBOR by libcbor): options, register, begin, verify; then
 * replays, a stale counter, another user's credential or challenge, an
 * expired challenge, malformed requests and bad configurations.
 */
#include <cbor.h>
#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "jutsu/auth.h"
#include "jutsu/error.h"
#include "store/data_api.h"
#include "authn_fx.h"
#include "testdb.h"
#include "webauthn.h"

#define SEC JUTSU_USEC_PER_SEC

/* --- vectors ---------------------------------------------------------------- */

#define VEC_MAX 24

struct vec {
    char    *name;
    char    *key[VEC_MAX];
    uint8_t *val[VEC_MAX];   /* NUL-terminated too, for text values */
    size_t   len[VEC_MAX];
    size_t   n;
};

static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = strlen(s) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void vec_value(struct vec *v, const char *key, const char *enc)
{
    size_t cap = strlen(enc) + 1, len = 0;
    uint8_t *b = calloc(1, cap);
    ck_assert_ptr_nonnull(b);
    if (strncmp(enc, "hex:", 4) == 0)
        len = unhex(enc + 4, b);
    else if (strncmp(enc, "b64:", 4) == 0)
        ck_assert_int_eq(wa_b64url_decode(enc + 4, strlen(enc + 4), b, cap, &len), 0);
    else if (strncmp(enc, "text:", 5) == 0)
        memcpy(b, enc + 5, (len = strlen(enc + 5)));
    else
        ck_abort_msg("%s: %s: unknown encoding", v->name, key);
    ck_assert_uint_lt(v->n, VEC_MAX);
    v->key[v->n] = strdup(key);
    v->val[v->n] = b;
    v->len[v->n++] = len;
}

static void vec_load(struct vec *v, const char *name)
{
    char path[1024], line[16384];
    memset(v, 0, sizeof(*v));
    v->name = strdup(name);
    snprintf(path, sizeof(path), "%s/tests/fixtures/webauthn/%s.txt", tu_source_dir(), name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *colon = strstr(line, ": ");
        if (line[0] == '#' || line[0] == '\0')
            continue;
        ck_assert_msg(colon != NULL, "%s: bad line %.40s", path, line);
        *colon = '\0';
        vec_value(v, line, colon + 2);
    }
    fclose(f);
}

static const uint8_t *vec_get(const struct vec *v, const char *key, size_t *len)
{
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->key[i], key) == 0) {
            if (len != NULL)
                *len = v->len[i];
            return v->val[i];
        }
    }
    ck_abort_msg("%s: no %s", v->name, key);
    return NULL;
}

static const char *vec_text(const struct vec *v, const char *key)
{
    return (const char *)vec_get(v, key, NULL);
}

static void vec_free(struct vec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->key[i]);
        free(v->val[i]);
    }
    free(v->name);
}

/* The RP a vector expects: its rp_id and origin. */
struct rp_of {
    const char  *origins[2];
    struct wa_rp rp;
};

static void rp_of(struct rp_of *r, const struct vec *v, int require_uv)
{
    r->origins[0] = vec_text(v, "origin");
    r->rp.rp_id = vec_text(v, "rp_id");
    r->rp.origins = r->origins;
    r->rp.norigins = 1;
    r->rp.require_uv = require_uv;
}

/* A registration vector verified as-is (keys reg.*, or bare for
 * py_webauthn's). */
static int vec_register(const struct vec *v, const char *prefix, const struct wa_rp *rp,
                        int policy, struct wa_registration *out, char *why, size_t whysz)
{
    char k1[64], k2[64], k3[64];
    size_t cl, cdl, aol;
    snprintf(k1, sizeof(k1), "%schallenge", prefix);
    snprintf(k2, sizeof(k2), "%sclientDataJSON", prefix);
    snprintf(k3, sizeof(k3), "%sattestationObject", prefix);
    const uint8_t *ch = vec_get(v, k1, &cl), *cd = vec_get(v, k2, &cdl);
    const uint8_t *ao = vec_get(v, k3, &aol);
    return wa_verify_registration(rp, ch, cl, cd, cdl, ao, aol, policy, out, why, whysz);
}

/* An assertion from a vector, with copies of its parts that a test may
 * tamper with. */
struct asn {
    uint8_t  cd[WA_CLIENT_DATA_MAX], ad[WA_AUTH_DATA_MAX], sig[WA_SIG_MAX];
    uint8_t  key[WA_COSE_KEY_MAX], ch[WA_CHALLENGE_MAX];
    size_t   cdl, adl, sigl, keyl, chl;
    int64_t  stored;
    struct wa_assertion a;
};

static void copy_part(const struct vec *v, const char *key, uint8_t *dst, size_t dstsz,
                      size_t *len)
{
    const uint8_t *p = vec_get(v, key, len);
    ck_assert_uint_le(*len, dstsz);
    memcpy(dst, p, *len);
}

/* prefix "auth." for W3C files; the public key from `key` (a stored COSE
 * key) or the vector's own credential_public_key. */
static void asn_load(struct asn *x, const struct vec *v, const char *prefix,
                     const uint8_t *key, size_t keylen, int64_t stored)
{
    char k[64];
    memset(x, 0, sizeof(*x));
    snprintf(k, sizeof(k), "%sclientDataJSON", prefix);
    copy_part(v, k, x->cd, sizeof(x->cd), &x->cdl);
    snprintf(k, sizeof(k), "%sauthenticatorData", prefix);
    copy_part(v, k, x->ad, sizeof(x->ad), &x->adl);
    snprintf(k, sizeof(k), "%ssignature", prefix);
    copy_part(v, k, x->sig, sizeof(x->sig), &x->sigl);
    snprintf(k, sizeof(k), "%schallenge", prefix);
    copy_part(v, k, x->ch, sizeof(x->ch), &x->chl);
    if (key == NULL) {
        copy_part(v, "credential_public_key", x->key, sizeof(x->key), &x->keyl);
    } else {
        memcpy(x->key, key, keylen);
        x->keyl = keylen;
    }
    x->stored = stored;
}

static int asn_verify(struct asn *x, const struct wa_rp *rp, uint32_t *count,
                      char *why, size_t whysz)
{
    x->a = (struct wa_assertion){
        .client_data = x->cd, .client_data_len = x->cdl,
        .auth_data = x->ad, .auth_data_len = x->adl,
        .sig = x->sig, .sig_len = x->sigl,
        .public_key = x->key, .public_key_len = x->keyl,
        .stored_count = x->stored,
    };
    return wa_verify_assertion(rp, x->ch, x->chl, &x->a, count, why, whysz);
}

/* --- pure: base64url, parsing --------------------------------------------- */

START_TEST(test_b64url)
{
    uint8_t out[16];
    char text[WA_B64URL_SIZE(5)];
    size_t n = 0;
    ck_assert_int_eq(wa_b64url_encode((const uint8_t *)"\xfb\xff\x01\x02\x03", 5, text,
                                      sizeof(text)), 0);
    ck_assert_str_eq(text, "-_8BAgM");
    ck_assert_int_eq(wa_b64url_decode(text, strlen(text), out, sizeof(out), &n), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_mem_eq(out, "\xfb\xff\x01\x02\x03", 5);
    ck_assert_int_eq(wa_b64url_decode("-_8BAgM=", 8, out, sizeof(out), &n), 0);   /* padded */
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(wa_b64url_encode(out, 5, text, sizeof(text) - 1), JUTSU_EFULL);
    ck_assert_int_eq(wa_b64url_decode("+/8BAgM", 7, out, sizeof(out), &n), JUTSU_EMALFORMED);
    ck_assert_int_eq(wa_b64url_decode("AB", 2, out, sizeof(out), &n), JUTSU_EMALFORMED);
    ck_assert_int_eq(wa_b64url_decode("A", 1, out, sizeof(out), &n), JUTSU_EMALFORMED);
    ck_assert_int_eq(wa_b64url_decode("AAAA BBB", 8, out, sizeof(out), &n), JUTSU_EMALFORMED);
    ck_assert_int_eq(wa_b64url_decode("AAAAAAAA", 8, out, 5, &n), JUTSU_ERANGE);
    ck_assert_int_eq(wa_b64url_decode("", 0, out, sizeof(out), &n), 0);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_parse_refusals)
{
    char why[256];
    struct wa_client_data cd;
    struct wa_auth_data ad;
    struct wa_cose_key key;
    struct wa_attestation *att = malloc(sizeof(*att));
    ck_assert_ptr_nonnull(att);
    const char *ok = "{\"type\":\"webauthn.get\",\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAA\","
                     "\"origin\":\"https://x.org\"}";
    ck_assert_int_eq(wa_client_data_parse((const uint8_t *)ok, strlen(ok), &cd, why,
                                          sizeof(why)), 0);
    ck_assert_uint_eq(cd.challenge_len, 16);
    static const char *const bad[] = {
        "[1]", "{\"type\":1}", "{\"type\":\"webauthn.get\",\"origin\":\"x\"}",
        "{\"type\":\"webauthn.get\",\"challenge\":\"AAAA\",\"origin\":\"x\"}",   /* 3 bytes */
        ("{\"type\":\"webauthn.get\",\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"origin\":\"x\","
         "\"crossOrigin\":\"no\"}"),   /* one string: (..) tells clang so */
        "{\"type\":\"webauthn.get\",\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"origin\":\"x\"} x",
        "{'type':'webauthn.get'}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(wa_client_data_parse((const uint8_t *)bad[i], strlen(bad[i]), &cd, why,
                                           sizeof(why)) == JUTSU_EAUTH, "accepted %s", bad[i]);
    uint8_t big[WA_CLIENT_DATA_MAX + 1];
    memset(big, ' ', sizeof(big));
    ck_assert_int_eq(wa_client_data_parse(big, sizeof(big), &cd, why, sizeof(why)),
                     JUTSU_EINVAL);

    uint8_t buf[256];
    memset(buf, 0, sizeof(buf));
    ck_assert_int_eq(wa_auth_data_parse(buf, 36, &ad, why, sizeof(why)), JUTSU_EAUTH);
    ck_assert_int_eq(wa_auth_data_parse(buf, 37, &ad, why, sizeof(why)), 0);
    ck_assert_int_eq(wa_auth_data_parse(buf, 38, &ad, why, sizeof(why)), JUTSU_EAUTH);
    buf[32] = WA_FLAG_UP | WA_FLAG_AT;                       /* AT, nothing after */
    ck_assert_int_eq(wa_auth_data_parse(buf, 37, &ad, why, sizeof(why)), JUTSU_EAUTH);
    buf[32] = WA_FLAG_UP | WA_FLAG_ED;                       /* ED, nothing after */
    ck_assert_int_eq(wa_auth_data_parse(buf, 37, &ad, why, sizeof(why)), JUTSU_EAUTH);
    buf[37] = 0xa0;                                          /* {} as extensions */
    ck_assert_int_eq(wa_auth_data_parse(buf, 38, &ad, why, sizeof(why)), 0);

    /* COSE: EC2 with alg -8; no alg; kty twice; an unknown alg (-35, ES384) */
    static const uint8_t wrong_alg[] = { 0xa2, 0x01, 0x02, 0x03, 0x27 };
    static const uint8_t no_alg[] = { 0xa1, 0x01, 0x02 };
    static const uint8_t twice[] = { 0xa3, 0x01, 0x02, 0x01, 0x02, 0x03, 0x26 };
    static const uint8_t es384[] = { 0xa2, 0x01, 0x02, 0x03, 0x38, 0x22 };
    ck_assert_int_eq(wa_cose_key_parse(wrong_alg, sizeof(wrong_alg), &key, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(wa_cose_key_parse(no_alg, sizeof(no_alg), &key, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(wa_cose_key_parse(twice, sizeof(twice), &key, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(wa_cose_key_parse(es384, sizeof(es384), &key, why, sizeof(why)),
                     JUTSU_ENOTSUP);
    ck_assert_ptr_nonnull(strstr(why, "-35"));

    /* attestation objects: not a map; no authData; trailing byte */
    static const uint8_t arr[] = { 0x80 };
    static const uint8_t no_ad[] = { 0xa2, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e',
                                     0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0 };
    static const uint8_t trailing[] = { 0xa0, 0x00 };
    ck_assert_int_eq(wa_attestation_parse(arr, sizeof(arr), att, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(wa_attestation_parse(no_ad, sizeof(no_ad), att, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "authData"));
    ck_assert_int_eq(wa_attestation_parse(trailing, sizeof(trailing), att, why, sizeof(why)),
                     JUTSU_EAUTH);
    free(att);

    char g[37];
    wa_aaguid_format((const uint8_t *)"\x84\x46\xcc\xb9\xab\x1d\xb3\x74\x75\x0b\x23\x67\xff"
                     "\x6f\x3a\x1f", g);
    ck_assert_str_eq(g, "8446ccb9-ab1d-b374-750b-2367ff6f3a1f");
    ck_assert(wa_counter_ok(0, 0));
    ck_assert(wa_counter_ok(0, 1));
    ck_assert(wa_counter_ok(5, 6));
    ck_assert(!wa_counter_ok(5, 5));
    ck_assert(!wa_counter_ok(5, 0));
    ck_assert(!wa_counter_ok(5, 4));
}
END_TEST

/* --- pure: the W3C vectors --------------------------------------------------- */

/* Registers the vector, then verifies its authentication with the key the
 * registration produced; returns the registration. */
static void w3c_round(const char *name, int policy, int attested, int alg,
                      struct wa_registration *reg)
{
    struct vec v;
    struct rp_of r;
    struct asn *x = malloc(sizeof(*x));
    char why[256], aaguid[37], want[37];
    uint32_t count = 99;
    size_t idl, gl;
    ck_assert_ptr_nonnull(x);
    vec_load(&v, name);
    rp_of(&r, &v, 0);
    int rc = vec_register(&v, "reg.", &r.rp, policy, reg, why, sizeof(why));
    ck_assert_msg(rc == 0, "%s: registration: %s (%s)", name, jutsu_strerror(rc), why);
    const uint8_t *id = vec_get(&v, "reg.credential_id", &idl);
    ck_assert_uint_eq(reg->cred_id_len, idl);
    ck_assert_mem_eq(reg->cred_id, id, idl);
    wa_aaguid_format(reg->aaguid, aaguid);
    wa_aaguid_format(vec_get(&v, "reg.aaguid", &gl), want);
    ck_assert_str_eq(aaguid, want);
    ck_assert_int_eq(reg->alg, alg);
    ck_assert_int_eq(reg->attested, attested);
    ck_assert_uint_eq(reg->sign_count, 0);

    asn_load(x, &v, "auth.", reg->public_key, reg->public_key_len, 0);
    rc = asn_verify(x, &r.rp, &count, why, sizeof(why));
    ck_assert_msg(rc == 0, "%s: authentication: %s (%s)", name, jutsu_strerror(rc), why);
    ck_assert_uint_eq(count, 0);
    free(x);
    vec_free(&v);
}

/* CBOR that declares more array or map members than it has bytes is
 * refused before libcbor allocates (and clears) a slot for each declared
 * member: tests/fuzz/fuzz_webauthn_cose found a 4-byte count costing
 * gigabytes. 2^25 slots are 256 MiB without the bound. */
START_TEST(test_cbor_declared_counts)
{
    static const uint8_t big_array[] = { 0xa1, 0x01, 0x9a, 0x02, 0x00, 0x00, 0x00, 0x01 };
    static const uint8_t big_map[] = { 0xa1, 0x01, 0xba, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 };
    static const uint8_t indefinite[] = { 0xbf, 0x01, 0x9f, 0x02, 0xff, 0xff };
    struct wa_cose_key key;
    struct rusage before, after;
    char why[256];
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
    ck_assert_int_eq(wa_cose_key_parse(big_array, sizeof(big_array), &key, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(wa_cose_key_parse(big_map, sizeof(big_map), &key, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
    ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 32 * 1024,
                  "refusing 9 bytes of CBOR took %ld KiB", after.ru_maxrss - before.ru_maxrss);
    /* indefinite lengths still read (and refused for what they hold) */
    ck_assert_int_eq(wa_cose_key_parse(indefinite, sizeof(indefinite), &key, why,
                                       sizeof(why)), JUTSU_EAUTH);
    ck_assert_ptr_null(strstr(why, "not CBOR"));
}
END_TEST

START_TEST(test_w3c_vectors)
{
    struct wa_registration *reg = malloc(sizeof(*reg));
    ck_assert_ptr_nonnull(reg);
    w3c_round("w3c-none-es256", WA_ATT_SELF, 0, WA_ALG_ES256, reg);
    ck_assert_str_eq(reg->fmt, "none");
    ck_assert_uint_eq(reg->flags & (WA_FLAG_UP | WA_FLAG_AT), WA_FLAG_UP | WA_FLAG_AT);
    w3c_round("w3c-packed-self-es256", WA_ATT_SELF, 1, WA_ALG_ES256, reg);
    ck_assert_str_eq(reg->fmt, "packed");
    w3c_round("w3c-none-es256-long-credential-id", WA_ATT_SELF, 0, WA_ALG_ES256, reg);
    ck_assert_uint_eq(reg->cred_id_len, 1023);
    /* packed with a certificate: taken unverified by "any" */
    w3c_round("w3c-packed-eddsa", WA_ATT_ANY, 0, WA_ALG_EDDSA, reg);
    free(reg);
}
END_TEST

START_TEST(test_w3c_refusals)
{
    struct vec v;
    struct rp_of r;
    char why[256];
    struct wa_registration *reg = malloc(sizeof(*reg));
    struct asn *x = malloc(sizeof(*x));
    uint32_t count;
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_nonnull(x);

    /* a certificate statement, when only what can be checked is accepted */
    vec_load(&v, "w3c-packed-eddsa");
    rp_of(&r, &v, 0);
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_SELF, reg, why, sizeof(why)),
                     JUTSU_ENOTSUP);
    ck_assert_ptr_nonnull(strstr(why, "packed"));
    vec_free(&v);

    /* RSA with a 3482-bit modulus: libfido2's rs256 holds 2048 bits only */
    vec_load(&v, "w3c-packed-rs256");
    rp_of(&r, &v, 0);
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)),
                     JUTSU_ENOTSUP);
    ck_assert_ptr_nonnull(strstr(why, "2048"));
    vec_free(&v);

    /* made in a cross-origin iframe: both ceremonies refused */
    vec_load(&v, "w3c-none-es256-crossorigin");
    rp_of(&r, &v, 0);
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "cross-origin"));
    vec_free(&v);

    /* the self attestation with one bit of its signature flipped */
    vec_load(&v, "w3c-packed-self-es256");
    rp_of(&r, &v, 0);
    size_t aol, cdl, chl;
    const uint8_t *ao = vec_get(&v, "reg.attestationObject", &aol);
    const uint8_t *cd = vec_get(&v, "reg.clientDataJSON", &cdl);
    const uint8_t *ch = vec_get(&v, "reg.challenge", &chl);
    uint8_t *bad = malloc(aol);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, ao, aol);
    bad[40] ^= 0x01;   /* inside attStmt.sig (it starts at byte 27) */
    ck_assert_int_eq(wa_verify_registration(&r.rp, ch, chl, cd, cdl, bad, aol, WA_ATT_ANY,
                                            reg, why, sizeof(why)), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "self attestation"));
    free(bad);
    /* a registration answering another challenge, or asked for as a login */
    uint8_t other[32] = { 1 };
    ck_assert_int_eq(wa_verify_registration(&r.rp, other, sizeof(other), cd, cdl, ao, aol,
                                            WA_ATT_ANY, reg, why, sizeof(why)), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "challenge"));
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)), 0);
    asn_load(x, &v, "auth.", reg->public_key, reg->public_key_len, 0);
    memcpy(x->cd, cd, cdl);   /* the create's client data offered as a get's */
    x->cdl = cdl;
    memcpy(x->ch, ch, chl);
    x->chl = chl;
    ck_assert_int_eq(asn_verify(x, &r.rp, &count, why, sizeof(why)), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "type"));
    vec_free(&v);
    free(x);
    free(reg);
}
END_TEST

/* Tampering with the authentication of `name`, one change at a time. */
static void tamper(const char *name)
{
    struct vec v;
    struct rp_of r;
    char why[256];
    uint32_t count;
    struct wa_registration *reg = malloc(sizeof(*reg));
    struct asn *x = malloc(sizeof(*x));
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_nonnull(x);
    vec_load(&v, name);
    rp_of(&r, &v, 0);
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)), 0);
#define FRESH() asn_load(x, &v, "auth.", reg->public_key, reg->public_key_len, 0)
#define REFUSED(what, word) do { \
        int rc_ = asn_verify(x, &r.rp, &count, why, sizeof(why)); \
        ck_assert_msg(rc_ == JUTSU_EAUTH, "%s: %s: %s", name, what, jutsu_strerror(rc_)); \
        ck_assert_msg(strstr(why, word) != NULL, "%s: %s: %s", name, what, why); \
    } while (0)

    FRESH();
    ck_assert_int_eq(asn_verify(x, &r.rp, &count, why, sizeof(why)), 0);
    FRESH();
    x->sig[x->sigl / 2] ^= 0x01;
    REFUSED("a bit of the signature", "signature does not verify");
    FRESH();
    x->ad[36] ^= 0x01;                                 /* the counter's last byte */
    REFUSED("a bit of the counter", "signature does not verify");
    FRESH();
    x->ad[0] ^= 0x80;                                  /* rpIdHash */
    REFUSED("a bit of rpIdHash", "rpIdHash");
    FRESH();
    x->ad[32] &= (uint8_t)~WA_FLAG_UP;
    REFUSED("UP clear", "user-present");
    FRESH();
    x->ad[32] |= WA_FLAG_UV;                           /* a flag the authenticator did not sign */
    REFUSED("UV set afterwards", "signature does not verify");
    FRESH();
    x->ch[0] ^= 0x01;
    REFUSED("another challenge", "challenge");
    FRESH();
    char *o = strstr((char *)x->cd, "example.org");
    ck_assert_ptr_nonnull(o);
    o[1] ^= 0x01;                                      /* "eyample.org" */
    REFUSED("a bit of the origin", "origin");
    FRESH();
    x->cd[x->cdl - 1] ^= 0x01;                         /* the closing brace */
    REFUSED("a bit of the JSON's structure", "clientDataJSON");
    FRESH();
    r.origins[0] = "https://example.com";
    REFUSED("another origin", "origin");
    r.origins[0] = vec_text(&v, "origin");
    r.rp.rp_id = "example.com";
    FRESH();
    REFUSED("another RP ID", "rpIdHash");
    r.rp.rp_id = vec_text(&v, "rp_id");
    r.rp.require_uv = 1;
    FRESH();
    if (!(x->ad[32] & WA_FLAG_UV))
        REFUSED("UV required", "UV");
    r.rp.require_uv = 0;
    FRESH();
    x->stored = 1;                                     /* the vector's counter is 0 */
    REFUSED("a counter going back", "counter");
#undef FRESH
#undef REFUSED
    vec_free(&v);
    free(x);
    free(reg);
}

START_TEST(test_w3c_tampered)
{
    tamper("w3c-none-es256");
    tamper("w3c-packed-eddsa");
    /* with extraData in its clientDataJSON: a change that passes every
     * check of ours, so that only the signature can catch it */
    struct vec v;
    struct rp_of r;
    char why[256];
    uint32_t count;
    struct wa_registration *reg = malloc(sizeof(*reg));
    struct asn *x = malloc(sizeof(*x));
    ck_assert_ptr_nonnull(reg);
    ck_assert_ptr_nonnull(x);
    vec_load(&v, "w3c-packed-self-es256");
    rp_of(&r, &v, 0);
    ck_assert_int_eq(vec_register(&v, "reg.", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)), 0);
    asn_load(x, &v, "auth.", reg->public_key, reg->public_key_len, 0);
    char *f = strstr((char *)x->cd, "future");
    ck_assert_ptr_nonnull(f);
    f[0] ^= 0x01;                                      /* "guture" */
    ck_assert_int_eq(asn_verify(x, &r.rp, &count, why, sizeof(why)), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "signature does not verify"));
    vec_free(&v);
    free(x);
    free(reg);
}
END_TEST

/* --- pure: py_webauthn's vectors -------------------------------------------- */

static int py_assert(const char *name, int require_uv, int64_t stored, uint32_t *count,
                     char *why, size_t whysz)
{
    struct vec v;
    struct rp_of r;
    struct asn *x = malloc(sizeof(*x));
    ck_assert_ptr_nonnull(x);
    vec_load(&v, name);
    rp_of(&r, &v, require_uv);
    if (stored < 0)
        stored = strtoll(vec_text(&v, "sign_count"), NULL, 10);
    asn_load(x, &v, "", NULL, 0, stored);
    int rc = asn_verify(x, &r.rp, count, why, whysz);
    free(x);
    vec_free(&v);
    return rc;
}

START_TEST(test_pywebauthn_vectors)
{
    char why[256];
    uint32_t count = 0;
    int rc = py_assert("pywebauthn-auth-ec2", 0, -1, &count, why, sizeof(why));
    ck_assert_msg(rc == 0, "ec2: %s", why);
    ck_assert_uint_eq(count, 78);
    rc = py_assert("pywebauthn-auth-rsa", 1, -1, &count, why, sizeof(why));
    ck_assert_msg(rc == 0, "rsa: %s", why);
    ck_assert_uint_eq(count, 1);
    rc = py_assert("pywebauthn-auth-okp", 0, -1, &count, why, sizeof(why));
    ck_assert_msg(rc == 0, "okp: %s", why);
    ck_assert_uint_eq(count, 7);
    rc = py_assert("pywebauthn-auth-uv-false", 0, -1, &count, why, sizeof(why));
    ck_assert_msg(rc == 0, "uv-false, UV not required: %s", why);
    ck_assert_uint_eq(count, 33);

    ck_assert_int_eq(py_assert("pywebauthn-auth-uv-false", 1, -1, &count, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "UV"));
    ck_assert_int_eq(py_assert("pywebauthn-auth-wrong-key", 1, -1, &count, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "signature does not verify"));
    /* the counters: equal to the stored one, or below it */
    ck_assert_int_eq(py_assert("pywebauthn-auth-ec2", 0, 78, &count, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(why, "counter"));
    ck_assert_int_eq(py_assert("pywebauthn-auth-okp", 0, 1000, &count, why, sizeof(why)),
                     JUTSU_EAUTH);
    ck_assert_int_eq(py_assert("pywebauthn-auth-ec2", 0, 0, &count, why, sizeof(why)), 0);

    /* a "none" registration from a real authenticator */
    struct vec v;
    struct rp_of r;
    struct wa_registration *reg = malloc(sizeof(*reg));
    size_t kl, idl;
    char g[37];
    ck_assert_ptr_nonnull(reg);
    vec_load(&v, "pywebauthn-none-registration");
    rp_of(&r, &v, 0);
    rc = vec_register(&v, "", &r.rp, WA_ATT_SELF, reg, why, sizeof(why));
    ck_assert_msg(rc == 0, "none registration: %s", why);
    const uint8_t *key = vec_get(&v, "credential_public_key", &kl);
    const uint8_t *id = vec_get(&v, "credential_id", &idl);
    ck_assert_uint_eq(reg->public_key_len, kl);
    ck_assert_mem_eq(reg->public_key, key, kl);
    ck_assert_uint_eq(reg->cred_id_len, idl);
    ck_assert_mem_eq(reg->cred_id, id, idl);
    ck_assert_uint_eq(reg->sign_count, 23);
    wa_aaguid_format(reg->aaguid, g);
    ck_assert_str_eq(g, "00000000-0000-0000-0000-000000000000");
    r.origins[0] = "http://localhost:8080";
    ck_assert_int_eq(vec_register(&v, "", &r.rp, WA_ATT_ANY, reg, why, sizeof(why)),
                     JUTSU_EAUTH);
    vec_free(&v);
    free(reg);
}
END_TEST

/* --- the plugin in an app ------------------------------------------------------ */

#define ORIGIN "http://localhost:8080"

struct pkt {
    struct tdb                   t;
    struct jutsu_ctx            *ctx;
    const struct jutsu_auth_ops *ops;
};

static int pkt_open(struct pkt *p, int i)
{
    memset(p, 0, sizeof(*p));
    tdb_open_with(&p->t, i, 1,
                  "log: {level: warn}\n"
                  "plugins:\n  - name: passkey\n    plugin: auth-passkey\n    config:\n"
                  "      rp_id: localhost\n      origins: [\"" ORIGIN "\"]\n"
                  "      user_verification: required\n");
    if (p->t.skipped) {
        tdb_close(&p->t);
        return 0;
    }
    tdb_set_clock(&p->t, jutsu_date_to_time(tdb_ymd(2025, 6, 2)) + 12 * 3600 * SEC);
    p->ctx = jutsu_app_find(p->t.app, "passkey");
    ck_assert_ptr_nonnull(p->ctx);
    p->ops = jutsu_ctx_ops(p->ctx, JUTSU_KIND_AUTH);
    ck_assert_ptr_nonnull(p->ops);
    ck_assert_str_eq(p->ops->factor, "passkey");
    return 1;
}

static int64_t pkt_user(struct pkt *p, const char *name)
{
    struct jutsu_user_row u = { .username = name, .password_hash = "x", .is_active = 1 };
    int64_t id = 0;
    ck_assert_msg(jutsu_data_user_create(p->t.s, &u, &id) == 0, "%s",
                  jutsu_dbs_error(p->t.s));
    return id;
}

/* The member at a dotted path of o ("publicKey.challenge"). */
static json_object *at(json_object *o, const char *path)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        ck_assert_msg(json_object_object_get_ex(o, k, &o), "no %s in %s", path,
                      json_object_to_json_string(o));
    return o;
}

static int pkt_enrol(struct pkt *p, int64_t uid, json_object *req, json_object **res)
{
    p->ctx->error[0] = '\0';
    *res = NULL;
    int rc = p->ops->enrol(p->ctx->state, uid, req, res);
    json_object_put(req);
    return rc;
}

/* enrol options: the challenge (the caller frees it), the options kept in *opts */
static char *pkt_options(struct pkt *p, int64_t uid, json_object **opts)
{
    json_object *req = json_tokener_parse("{\"action\":\"options\"}"), *res;
    int rc = pkt_enrol(p, uid, req, &res);
    ck_assert_msg(rc == 0, "options: %s: %s", jutsu_strerror(rc), p->ctx->error);
    char *ch = strdup(json_object_get_string(at(res, "publicKey.challenge")));
    if (opts)
        *opts = res;
    else
        json_object_put(res);
    return ch;
}

static int pkt_register(struct pkt *p, int64_t uid, json_object *cred, const char *name,
                        json_object **res)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "action", json_object_new_string("register"));
    json_object_object_add(req, "credential", cred);
    if (name)
        json_object_object_add(req, "device_name", json_object_new_string(name));
    return pkt_enrol(p, uid, req, res);
}

/* Options, then a registration of a's key: the passkey's id. */
static int64_t pkt_enrol_key(struct pkt *p, int64_t uid, const struct authn *a)
{
    json_object *res;
    char *ch = pkt_options(p, uid, NULL);
    int rc = pkt_register(p, uid, authn_create(a, ch, ORIGIN, "localhost",
                                               WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT),
                          NULL, &res);
    ck_assert_msg(rc == 0, "register: %s: %s", jutsu_strerror(rc), p->ctx->error);
    int64_t id = json_object_get_int64(at(res, "id"));
    json_object_put(res);
    free(ch);
    return id;
}

static char *pkt_begin(struct pkt *p, int64_t uid, json_object **opts)
{
    json_object *c = NULL;
    p->ctx->error[0] = '\0';
    int rc = p->ops->begin(p->ctx->state, uid, &c);
    ck_assert_msg(rc == 0, "begin: %s: %s", jutsu_strerror(rc), p->ctx->error);
    char *ch = strdup(json_object_get_string(at(c, "publicKey.challenge")));
    if (opts)
        *opts = c;
    else
        json_object_put(c);
    return ch;
}

static int pkt_verify(struct pkt *p, int64_t uid, json_object *cred)
{
    p->ctx->error[0] = '\0';
    int rc = p->ops->verify(p->ctx->state, uid, cred);
    json_object_put(cred);
    return rc;
}

static int64_t stored_count(struct pkt *p, const struct authn *a)
{
    struct jutsu_passkey_row row;
    ck_assert_int_eq(jutsu_data_passkey_get(p->t.s, a->cred_id, sizeof(a->cred_id), &row), 0);
    return row.sign_count;
}

START_TEST(test_plugin_register)
{
    struct pkt p;
    struct authn a;
    json_object *opts, *res;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice");
    authn_new(&a);

    /* creation options */
    char *ch = pkt_options(&p, alice, &opts);
    uint8_t handle[8];
    size_t hl = 0;
    const char *uid = json_object_get_string(at(opts, "publicKey.user.id"));
    ck_assert_int_eq(wa_b64url_decode(uid, strlen(uid), handle, sizeof(handle), &hl), 0);
    ck_assert_uint_eq(hl, 8);
    ck_assert_int_eq(handle[7], alice & 0xff);
    ck_assert_int_eq(handle[0], 0);
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.user.name")), "alice");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.user.displayName")), "alice");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.rp.id")), "localhost");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.rp.name")), "Jutsu");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.attestation")), "none");
    ck_assert_int_eq(json_object_get_int(at(opts, "publicKey.timeout")), 120000);
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.authenticatorSelection."
                                                      "residentKey")), "preferred");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.authenticatorSelection."
                                                      "userVerification")), "required");
    json_object *params = at(opts, "publicKey.pubKeyCredParams");
    ck_assert_uint_eq(json_object_array_length(params), 3);
    ck_assert_int_eq(json_object_get_int(at(json_object_array_get_idx(params, 0), "alg")), -7);
    ck_assert_int_eq(json_object_get_int(at(json_object_array_get_idx(params, 1), "alg")), -8);
    ck_assert_int_eq(json_object_get_int(at(json_object_array_get_idx(params, 2), "alg")),
                     -257);
    ck_assert_uint_eq(json_object_array_length(at(opts, "publicKey.excludeCredentials")), 0);
    json_object_put(opts);

    /* register */
    int rc = pkt_register(&p, alice, authn_create(&a, ch, ORIGIN, "localhost",
                                                  WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT),
                          "YubiKey 5", &res);
    ck_assert_msg(rc == 0, "register: %s: %s", jutsu_strerror(rc), p.ctx->error);
    ck_assert_int_gt(json_object_get_int64(at(res, "id")), 0);
    ck_assert_str_eq(json_object_get_string(at(res, "device_name")), "YubiKey 5");
    ck_assert_str_eq(json_object_get_string(at(res, "aaguid")),
                     "01020304-0506-0708-090a-0b0c0d0e0f10");
    json_object_put(res);
    ck_assert_int_eq(tdb_count(&p.t, "passkeys", NULL), 1);
    /* the same answer again: its challenge is spent */
    rc = pkt_register(&p, alice, authn_create(&a, ch, ORIGIN, "localhost",
                                              WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT), NULL, &res);
    ck_assert_int_eq(rc, JUTSU_EAUTH);
    free(ch);

    /* the key is excluded from now on, and registering it again is refused */
    ch = pkt_options(&p, alice, &opts);
    json_object *ex = at(opts, "publicKey.excludeCredentials");
    ck_assert_uint_eq(json_object_array_length(ex), 1);
    json_object *id0 = at(json_object_array_get_idx(ex, 0), "id");
    json_object *want = authn_b64_json(a.cred_id, sizeof(a.cred_id));
    ck_assert_str_eq(json_object_get_string(id0), json_object_get_string(want));
    json_object_put(want);
    json_object_put(opts);
    rc = pkt_register(&p, alice, authn_create(&a, ch, ORIGIN, "localhost",
                                              WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT), NULL, &res);
    ck_assert_int_eq(rc, JUTSU_EEXIST);
    free(ch);
    authn_free(&a);
    tdb_close(&p.t);
}
END_TEST

START_TEST(test_plugin_login)
{
    struct pkt p;
    struct authn a;
    json_object *opts;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice");
    authn_new(&a);
    pkt_enrol_key(&p, alice, &a);

    char *ch = pkt_begin(&p, alice, &opts);
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.rpId")), "localhost");
    ck_assert_str_eq(json_object_get_string(at(opts, "publicKey.userVerification")),
                     "required");
    ck_assert_uint_eq(json_object_array_length(at(opts, "publicKey.allowCredentials")), 1);
    json_object_put(opts);
    a.count = 1;
    json_object *answer = authn_get(&a, ch, ORIGIN, "localhost", alice);
    json_object *replay = json_object_get(answer);
    int rc = pkt_verify(&p, alice, answer);
    ck_assert_msg(rc == 0, "verify: %s: %s", jutsu_strerror(rc), p.ctx->error);
    ck_assert_int_eq(stored_count(&p, &a), 1);
    /* the same assertion again */
    ck_assert_int_eq(pkt_verify(&p, alice, replay), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "already used"));
    ck_assert_ptr_null(strstr(p.ctx->error, ch));        /* no challenge in a reason */
    free(ch);

    /* a fresh challenge, but a counter that did not grow */
    ch = pkt_begin(&p, alice, NULL);
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "counter"));
    free(ch);
    ch = pkt_begin(&p, alice, NULL);
    a.count = 2;
    rc = pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0));
    ck_assert_msg(rc == 0, "verify: %s: %s", jutsu_strerror(rc), p.ctx->error);
    ck_assert_int_eq(stored_count(&p, &a), 2);
    free(ch);

    /* a login from another origin, or for another RP ID */
    ch = pkt_begin(&p, alice, NULL);
    a.count = 3;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, "https://evil.example", "localhost",
                                                     0)), JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "origin"));
    free(ch);
    ch = pkt_begin(&p, alice, NULL);
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "evil.example", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "rpIdHash"));
    free(ch);
    ck_assert_int_eq(stored_count(&p, &a), 2);
    /* a counter the column cannot hold is the server's problem, not a
     * failed login */
    ch = pkt_begin(&p, alice, NULL);
    a.count = UINT32_C(0x80000000);
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_ERANGE);
    free(ch);

    authn_free(&a);
    tdb_close(&p.t);
}
END_TEST

START_TEST(test_plugin_other_users)
{
    struct pkt p;
    struct authn a, b;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice"), bob = pkt_user(&p, "bob");
    authn_new(&a);
    authn_new(&b);
    pkt_enrol_key(&p, alice, &a);
    pkt_enrol_key(&p, bob, &b);

    /* Alice's key answering Bob's challenge, as Bob */
    char *ch = pkt_begin(&p, bob, NULL);
    a.count = 1;
    ck_assert_int_eq(pkt_verify(&p, bob, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "not one of this user's passkeys"));
    free(ch);
    /* Bob answering Alice's challenge with his own key */
    ch = pkt_begin(&p, alice, NULL);
    b.count = 1;
    ck_assert_int_eq(pkt_verify(&p, bob, authn_get(&b, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "not issued to this user"));
    /* ... which Alice can still use: a wrong answer by someone else does
     * not burn her challenge */
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", alice)), 0);
    free(ch);
    /* a userHandle naming Bob on Alice's login */
    ch = pkt_begin(&p, alice, NULL);
    a.count = 2;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", bob)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "userHandle"));
    free(ch);
    /* a registration challenge is not a login challenge */
    ch = pkt_options(&p, alice, NULL);
    a.count = 3;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    free(ch);

    /* a user without passkeys, or no such user */
    int64_t carol = pkt_user(&p, "carol");
    json_object *c = NULL;
    ck_assert_int_eq(p.ops->begin(p.ctx->state, carol, &c), JUTSU_ENOENT);
    ck_assert_ptr_null(c);
    json_object *res;
    ck_assert_int_eq(pkt_enrol(&p, 999999, json_tokener_parse("{\"action\":\"options\"}"),
                               &res), JUTSU_ENOENT);
    authn_free(&a);
    authn_free(&b);
    tdb_close(&p.t);
}
END_TEST

START_TEST(test_plugin_expiry_and_counterless)
{
    struct pkt p;
    struct authn a;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice");
    authn_new(&a);
    pkt_enrol_key(&p, alice, &a);                    /* count 0 */

    /* an authenticator that keeps no counter: 0 after 0 is fine */
    for (int k = 0; k < 2; k++) {
        char *ch = pkt_begin(&p, alice, NULL);
        int rc = pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0));
        ck_assert_msg(rc == 0, "counterless %d: %s", k, p.ctx->error);
        free(ch);
    }
    ck_assert_int_eq(stored_count(&p, &a), 0);

    /* challenge_ttl is 120 s: one second past it is too late */
    char *ch = pkt_begin(&p, alice, NULL);
    p.t.now += 121 * SEC;
    a.count = 5;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "expired"));
    /* ... and gone */
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "already used"));
    free(ch);
    ch = pkt_begin(&p, alice, NULL);
    p.t.now += 119 * SEC;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)), 0);
    ck_assert_int_eq(stored_count(&p, &a), 5);
    free(ch);

    /* a user who opens many login pages keeps only the newest eight */
    char *first = pkt_begin(&p, alice, NULL);
    for (int k = 0; k < 8; k++)
        free(pkt_begin(&p, alice, NULL));
    a.count = 6;
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, first, ORIGIN, "localhost", 0)),
                     JUTSU_EAUTH);
    free(first);
    authn_free(&a);
    tdb_close(&p.t);
}
END_TEST

START_TEST(test_plugin_malformed_login)
{
    struct pkt p;
    struct authn a;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice");
    authn_new(&a);
    pkt_enrol_key(&p, alice, &a);

    char *ch = pkt_begin(&p, alice, NULL);
    a.count = 1;
    json_object *cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_del(at(cred, "response"), "signature");
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    ck_assert_str_eq(p.ctx->error, "credential.response.signature: missing");
    cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_add(at(cred, "response"), "authenticatorData", json_object_new_int(5));
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "credential.response.authenticatorData"));
    cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_add(cred, "rawId", json_object_new_string("AAAA"));
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "rawId"));
    cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_add(cred, "type", json_object_new_string("password"));
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_add(at(cred, "response"), "clientDataJSON",
                           json_object_new_string("not*base64"));
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "not base64url"));
    /* 4 KiB + 3 bytes of client data */
    char *big = malloc(5500);
    ck_assert_ptr_nonnull(big);
    memset(big, 'A', 5464);
    big[5464] = '\0';
    cred = authn_get(&a, ch, ORIGIN, "localhost", 0);
    json_object_object_add(at(cred, "response"), "clientDataJSON", json_object_new_string(big));
    ck_assert_int_eq(pkt_verify(&p, alice, cred), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "longer than 4096"));
    free(big);
    ck_assert_int_eq(pkt_verify(&p, alice, json_object_new_array()), JUTSU_EINVAL);
    /* none of that used the challenge up */
    ck_assert_int_eq(pkt_verify(&p, alice, authn_get(&a, ch, ORIGIN, "localhost", 0)), 0);
    free(ch);
    authn_free(&a);
    tdb_close(&p.t);
}
END_TEST

START_TEST(test_plugin_malformed_enrol)
{
    struct pkt p;
    struct authn a, b;
    json_object *res;
    if (!pkt_open(&p, _i))
        return;
    int64_t alice = pkt_user(&p, "alice");
    authn_new(&a);
    pkt_enrol_key(&p, alice, &a);

    ck_assert_int_eq(pkt_enrol(&p, alice, json_tokener_parse("{\"action\":\"bogus\"}"), &res),
                     JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "action"));
    ck_assert_int_eq(pkt_enrol(&p, alice, json_tokener_parse("{}"), &res), JUTSU_EINVAL);
    ck_assert_str_eq(p.ctx->error, "action: missing");
    ck_assert_int_eq(pkt_enrol(&p, alice, json_tokener_parse("{\"action\":\"register\"}"),
                               &res), JUTSU_EINVAL);
    ck_assert_str_eq(p.ctx->error, "credential: missing");

    /* registrations: UV missing though required, AT missing, a long name */
    authn_new(&b);
    char *ch = pkt_options(&p, alice, NULL);
    ck_assert_int_eq(pkt_register(&p, alice, authn_create(&b, ch, ORIGIN, "localhost",
                                                          WA_FLAG_UP | WA_FLAG_AT), NULL, &res),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "UV"));
    free(ch);
    ch = pkt_options(&p, alice, NULL);
    ck_assert_int_eq(pkt_register(&p, alice, authn_create(&b, ch, ORIGIN, "localhost",
                                                          WA_FLAG_UP | WA_FLAG_UV), NULL, &res),
                     JUTSU_EAUTH);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "AT"));
    free(ch);
    ch = pkt_options(&p, alice, NULL);
    char name[120];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_assert_int_eq(pkt_register(&p, alice, authn_create(&b, ch, ORIGIN, "localhost",
                                                          WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT),
                                  name, &res), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(p.ctx->error, "device_name"));
    /* a login challenge is not a registration challenge */
    free(ch);
    ch = pkt_begin(&p, alice, NULL);
    ck_assert_int_eq(pkt_register(&p, alice, authn_create(&b, ch, ORIGIN, "localhost",
                                                          WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT),
                                  NULL, &res), JUTSU_EAUTH);
    free(ch);
    ck_assert_int_eq(tdb_count(&p.t, "passkeys", NULL), 1);
    authn_free(&b);
    authn_free(&a);
    tdb_close(&p.t);
}
END_TEST

/* Logins of several users at once, from as many threads, as the
 * frontend's workers would make them. */
#define THREADS 4
#define ROUNDS  8

struct worker {
    struct pkt  *p;
    struct authn a;
    int64_t      uid;
    int          failures;
    char         why[256];
};

static void *login_loop(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < ROUNDS; k++) {
        json_object *c = NULL;
        int rc = w->p->ops->begin(w->p->ctx->state, w->uid, &c);
        if (rc == 0) {
            char *ch = strdup(json_object_get_string(at(c, "publicKey.challenge")));
            w->a.count++;
            json_object *cred = authn_get(&w->a, ch, ORIGIN, "localhost", w->uid);
            rc = w->p->ops->verify(w->p->ctx->state, w->uid, cred);
            json_object_put(cred);
            free(ch);
        }
        json_object_put(c);
        if (rc != 0 && w->failures++ == 0)
            snprintf(w->why, sizeof(w->why), "round %d: %s", k, jutsu_strerror(rc));
    }
    return NULL;
}

START_TEST(test_plugin_threads)
{
    struct pkt p;
    struct worker w[THREADS];
    pthread_t th[THREADS];
    if (!pkt_open(&p, _i))
        return;
    for (int k = 0; k < THREADS; k++) {
        char name[16];
        snprintf(name, sizeof(name), "user%d", k);
        memset(&w[k], 0, sizeof(w[k]));
        w[k].p = &p;
        w[k].uid = pkt_user(&p, name);
        authn_new(&w[k].a);
        pkt_enrol_key(&p, w[k].uid, &w[k].a);
    }
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_create(&th[k], NULL, login_loop, &w[k]), 0);
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
    for (int k = 0; k < THREADS; k++) {
        ck_assert_msg(w[k].failures == 0, "user %d: %d failures, first %s", k, w[k].failures,
                      w[k].why);
        ck_assert_int_eq(stored_count(&p, &w[k].a), ROUNDS);
        authn_free(&w[k].a);
    }
    tdb_close(&p.t);
}
END_TEST

/* --- configuration ---------------------------------------------------------- */

static int config_starts(const char *config)
{
    struct jutsu_app *app = NULL;
    char diag[2048], *yaml = NULL;
    ck_assert_int_gt(asprintf(&yaml, "  - name: passkey\n    plugin: auth-passkey\n%s",
                              config), 0);
    int rc = tu_app_open(yaml, &app, diag, sizeof(diag));
    jutsu_app_free(app);
    free(yaml);
    return rc;
}

START_TEST(test_config)
{
    ck_assert_int_eq(config_starts(""), 0);                /* every default */
    ck_assert_int_eq(config_starts("    config:\n      rp_id: example.com\n      origins: "
                                   "[\"https://example.com\", \"https://app.example.com:8443\","
                                   " \"http://localhost:3000\"]\n"), JUTSU_ECONFIG);
    ck_assert_int_eq(config_starts("    config:\n      rp_id: example.com\n      origins: "
                                   "[\"https://example.com\", \"https://app.example.com:8443\"]"
                                   "\n      challenge_ttl: 30\n      attestation: none-or-self"
                                   "\n"), 0);
    static const char *const bad[] = {
        "    config:\n      rp_id: https://example.com\n",
        "    config:\n      rp_id: Example.com\n",
        "    config:\n      origins: [\"https://evil.com\"]\n",
        "    config:\n      origins: [\"http://localhost:8080/\"]\n",
        "    config:\n      origins: [\"http://localhost:80\"]\n",
        "    config:\n      origins: []\n",
        "    config:\n      rp_id: example.com\n      origins: [\"http://example.com\"]\n",
        "    config:\n      challenge_ttl: 5\n",
        "    config:\n      user_verification: always\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(config_starts(bad[i]) != 0, "accepted:\n%s", bad[i]);
}
END_TEST

static Suite *auth_passkey_suite(void)
{
    Suite *s = suite_create("auth_passkey");
    TCase *pure = tcase_create("webauthn");
    tcase_add_test(pure, test_b64url);
    tcase_add_test(pure, test_parse_refusals);
    tcase_add_test(pure, test_cbor_declared_counts);
    tcase_add_test(pure, test_w3c_vectors);
    tcase_add_test(pure, test_w3c_refusals);
    tcase_add_test(pure, test_w3c_tampered);
    tcase_add_test(pure, test_pywebauthn_vectors);
    suite_add_tcase(s, pure);
    TCase *plugin = tcase_create("plugin");
    tcase_set_timeout(plugin, 120);
    tcase_add_loop_test(plugin, test_plugin_register, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_login, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_other_users, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_expiry_and_counterless, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_malformed_login, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_malformed_enrol, 0, TDB_BACKENDS);
    tcase_add_loop_test(plugin, test_plugin_threads, 0, TDB_BACKENDS);
    tcase_add_test(plugin, test_config);
    suite_add_tcase(s, plugin);
    return s;
}

/* Under -fsanitize=address (GCC 12's runtime, glibc 2.36), LeakSanitizer's
 * tracer can die at the exit of a forked test ("Tracer caught signal 11")
 * when a dynamic TLS block of a dlopen()ed library happens to sit where the
 * runtime's __tls_get_addr interceptor expects a pre-2.25 glibc header
 * (google/sanitizers#1322): this program loads libfido2, libpq and
 * OpenSSL through plugins, and the PostgreSQL runs hit it. Not intercepting
 * __tls_get_addr avoids it and keeps leak detection on; ASAN_OPTIONS still
 * overrides it. Unused without AddressSanitizer. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "intercept_tls_get_addr=0";
}

int main(void)
{
    return tu_run(auth_passkey_suite());
}
