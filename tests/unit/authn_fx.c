/*
 * tests/unit/authn_fx.c — a software WebAuthn authenticator for the tests:
 * a P-256 key made by OpenSSL, the attestation object and COSE key built
 * with libcbor, clientDataJSON and signatures as a browser and an
 * authenticator would make them (see authn_fx.h).
 */
#include <cbor.h>
#include <check.h>
#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn_fx.h"

void authn_new(struct authn *a)
{
    memset(a, 0, sizeof(*a));
    a->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert_ptr_nonnull(a->key);
    ck_assert_int_eq(RAND_bytes(a->cred_id, sizeof(a->cred_id)), 1);
}

void authn_free(struct authn *a)
{
    EVP_PKEY_free(a->key);
}

static void cbor_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
    ck_assert(cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(k),
                                                     .value = cbor_move(v) }));
}

static size_t cbor_out(cbor_item_t *it, uint8_t *out, size_t outsz)
{
    unsigned char *buf = NULL;
    size_t cap = 0, n = cbor_serialize_alloc(it, &buf, &cap);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, outsz);
    memcpy(out, buf, n);
    free(buf);
    cbor_decref(&it);
    return n;
}

/* The credential key as a COSE EC2 map. */
static size_t authn_cose(const struct authn *a, uint8_t *out, size_t outsz)
{
    uint8_t pub[65];
    size_t n = 0;
    ck_assert_int_eq(EVP_PKEY_get_octet_string_param(a->key, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                                     sizeof(pub), &n), 1);
    ck_assert_uint_eq(n, 65);
    cbor_item_t *m = cbor_new_definite_map(5);
    ck_assert_ptr_nonnull(m);
    cbor_put(m, cbor_build_uint8(1), cbor_build_uint8(2));         /* kty: EC2 */
    cbor_put(m, cbor_build_uint8(3), cbor_build_negint8(6));       /* alg: -7 */
    cbor_put(m, cbor_build_negint8(0), cbor_build_uint8(1));       /* crv: P-256 */
    cbor_put(m, cbor_build_negint8(1), cbor_build_bytestring(pub + 1, 32));
    cbor_put(m, cbor_build_negint8(2), cbor_build_bytestring(pub + 33, 32));
    return cbor_out(m, out, outsz);
}

/* rpIdHash, flags, the counter and, with AT, the credential. */
static size_t authn_data(const struct authn *a, const char *rp_id, uint8_t flags,
                         uint8_t *out, size_t outsz)
{
    size_t n = 37;
    SHA256((const unsigned char *)rp_id, strlen(rp_id), out);
    out[32] = flags;
    for (int i = 0; i < 4; i++)
        out[33 + i] = (uint8_t)(a->count >> (24 - 8 * i));
    if (flags & AUTHN_FLAG_AT) {
        memcpy(out + n, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16);
        out[n + 16] = 0;
        out[n + 17] = sizeof(a->cred_id);
        memcpy(out + n + 18, a->cred_id, sizeof(a->cred_id));
        n += 18 + sizeof(a->cred_id);
        n += authn_cose(a, out + n, outsz - n);
    }
    return n;
}

static size_t authn_sign(const struct authn *a, const uint8_t *ad, size_t adl, const char *cd,
                         uint8_t *sig, size_t sigsz)
{
    uint8_t msg[1024 + 32];
    size_t n = sigsz;
    memcpy(msg, ad, adl);
    SHA256((const unsigned char *)cd, strlen(cd), msg + adl);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, a->key), 1);
    ck_assert_int_eq(EVP_DigestSign(c, sig, &n, msg, adl + 32), 1);
    EVP_MD_CTX_free(c);
    return n;
}

json_object *authn_b64_json(const uint8_t *p, size_t n)
{
    size_t sz = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *s = malloc(sz);
    ck_assert_ptr_nonnull(s);
    sodium_bin2base64(s, sz, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    json_object *o = json_object_new_string(s);
    free(s);
    return o;
}

static char *client_data(const char *type, const char *challenge, const char *origin)
{
    char *s = NULL;
    ck_assert_int_gt(asprintf(&s, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                              "\"crossOrigin\":false}", type, challenge, origin), 0);
    return s;
}

/* The PublicKeyCredential JSON around a response object. */
static json_object *credential(const struct authn *a, json_object *response)
{
    json_object *c = json_object_new_object();
    json_object_object_add(c, "id", authn_b64_json(a->cred_id, sizeof(a->cred_id)));
    json_object_object_add(c, "rawId", authn_b64_json(a->cred_id, sizeof(a->cred_id)));
    json_object_object_add(c, "type", json_object_new_string("public-key"));
    json_object_object_add(c, "response", response);
    return c;
}

/* navigator.credentials.create(), "none" attestation */
json_object *authn_create(const struct authn *a, const char *challenge,
                                 const char *origin, const char *rp_id, uint8_t flags)
{
    uint8_t ad[1024], ao[2048];
    size_t adl = authn_data(a, rp_id, flags, ad, sizeof(ad));
    cbor_item_t *m = cbor_new_definite_map(3);
    ck_assert_ptr_nonnull(m);
    cbor_put(m, cbor_build_string("fmt"), cbor_build_string("none"));
    cbor_put(m, cbor_build_string("attStmt"), cbor_new_definite_map(0));
    cbor_put(m, cbor_build_string("authData"), cbor_build_bytestring(ad, adl));
    size_t aol = cbor_out(m, ao, sizeof(ao));
    char *cd = client_data("webauthn.create", challenge, origin);
    json_object *r = json_object_new_object();
    json_object_object_add(r, "clientDataJSON", authn_b64_json((const uint8_t *)cd, strlen(cd)));
    json_object_object_add(r, "attestationObject", authn_b64_json(ao, aol));
    free(cd);
    return credential(a, r);
}

/* navigator.credentials.get() with the authenticator's current count */
json_object *authn_get(const struct authn *a, const char *challenge, const char *origin,
                              const char *rp_id, int64_t user_handle)
{
    uint8_t ad[64], sig[256];
    size_t adl = authn_data(a, rp_id, AUTHN_FLAG_UP | AUTHN_FLAG_UV, ad, sizeof(ad));
    char *cd = client_data("webauthn.get", challenge, origin);
    size_t sigl = authn_sign(a, ad, adl, cd, sig, sizeof(sig));
    json_object *r = json_object_new_object();
    json_object_object_add(r, "clientDataJSON", authn_b64_json((const uint8_t *)cd, strlen(cd)));
    json_object_object_add(r, "authenticatorData", authn_b64_json(ad, adl));
    json_object_object_add(r, "signature", authn_b64_json(sig, sigl));
    if (user_handle > 0) {
        uint8_t h[8];
        for (int i = 0; i < 8; i++)
            h[i] = (uint8_t)((uint64_t)user_handle >> (56 - 8 * i));
        json_object_object_add(r, "userHandle", authn_b64_json(h, sizeof(h)));
    } else {
        json_object_object_add(r, "userHandle", NULL);
    }
    free(cd);
    return credential(a, r);
}
