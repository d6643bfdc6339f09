/*
 * core/auth/jwt.c — HS256 tokens on libsodium's HMAC-SHA256.
 *
 * Times in the payload are whole seconds (RFC 7519 NumericDate); the host
 * keeps micro-seconds. The payload is written here in one fixed order and
 * read with json-c, every member checked for its type: a token we did not
 * make cannot pass the MAC, but a key leak should not also be a parser bug.
 */
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "auth/jwt.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAC_B64_LEN 43   /* 32 bytes */
#define US 1000000

void jutsu_jwt_new_id(char out[JUTSU_JTI_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof(b));
    sodium_bin2base64(out, JUTSU_JTI_LEN + 1, b, sizeof(b), B64);
}

/* base64url of {"alg":"HS256","typ":"JWT","kid":KID} */
void jutsu_jwt_header(const char *kid, char *out, size_t outsz)
{
    char h[96];
    int n = snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    sodium_bin2base64(out, outsz, (const uint8_t *)h, (size_t)n, B64);
}

int jutsu_jwt_sign(const struct jutsu_keys *k, const struct jutsu_jwt_claims *c,
                   char *out, size_t outsz)
{
    char payload[512], pb64[sodium_base64_ENCODED_LEN(512, B64)];
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    if (k->n == 0)
        return JUTSU_EINVAL;
    int n = snprintf(payload, sizeof(payload),
                     "{\"sub\":\"%lld\",\"typ\":\"%s\",\"jti\":\"%s\",\"fam\":\"%s\","
                     "\"pwv\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
                     (long long)c->sub, c->typ, c->jti, c->fam, c->pwv,
                     (long long)(c->iat / US), (long long)(c->exp / US));
    if (n < 0 || (size_t)n >= sizeof(payload))
        return JUTSU_EINVAL;
    snprintf(out, outsz, "%s", k->keys[0].jwt_header);
    size_t hl = strlen(out);
    sodium_bin2base64(pb64, sizeof(pb64), (const uint8_t *)payload, (size_t)n, B64);
    size_t pl = strlen(pb64);
    if (hl + 1 + pl + 1 + MAC_B64_LEN + 1 > outsz)
        return JUTSU_EFULL;
    out[hl] = '.';
    memcpy(out + hl + 1, pb64, pl + 1);
    size_t signed_len = hl + 1 + pl;
    crypto_auth_hmacsha256(mac, (const uint8_t *)out, signed_len, k->keys[0].mac);
    out[signed_len] = '.';
    sodium_bin2base64(out + signed_len + 1, outsz - signed_len - 1, mac, sizeof(mac), B64);
    return 0;
}

static int str_claim(json_object *o, const char *name, char *out, size_t outsz)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return -1;
    size_t n = (size_t)json_object_get_string_len(v);
    if (n == 0 || n >= outsz)
        return -1;
    memcpy(out, json_object_get_string(v), n + 1);
    return 0;
}

static int int_claim(json_object *o, const char *name, int64_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

static int parse_payload(const char *b64, size_t len, struct jutsu_jwt_claims *c)
{
    char json[600], sub[24];
    size_t n = 0;
    if (sodium_base642bin((uint8_t *)json, sizeof(json) - 1, b64, len, NULL, &n, NULL, B64) != 0)
        return -1;
    json[n] = '\0';
    json_tokener *tok = json_tokener_new_ex(4);
    if (tok == NULL)
        return -1;
    json_object *o = json_tokener_parse_ex(tok, json, (int)n);
    int bad = o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
              !json_object_is_type(o, json_type_object);
    json_tokener_free(tok);
    char *end = NULL;
    if (!bad)
        bad = str_claim(o, "sub", sub, sizeof(sub)) || str_claim(o, "typ", c->typ, sizeof(c->typ)) ||
              str_claim(o, "jti", c->jti, sizeof(c->jti)) ||
              str_claim(o, "fam", c->fam, sizeof(c->fam)) ||
              str_claim(o, "pwv", c->pwv, sizeof(c->pwv)) || int_claim(o, "iat", &c->iat) ||
              int_claim(o, "exp", &c->exp);
    json_object_put(o);
    if (bad)
        return -1;
    long long id = strtoll(sub, &end, 10);
    /* both become microseconds below: a value that would not fit is no
     * instant (found by tests/fuzz/fuzz_jwt: iat was left unbounded) */
    if (end == sub || *end != '\0' || id <= 0 || c->iat < 0 || c->iat > INT64_MAX / US ||
        c->exp <= 0 || c->exp > INT64_MAX / US)
        return -1;
    c->sub = id;
    c->iat *= US;
    c->exp *= US;
    return 0;
}

/* The last payload each thread decoded, and its claims. A client sends the
 * same token on every request; decoding and parsing it again was a tenth
 * of a cached REST answer's cost. Only reached after the MAC matched, so
 * the comparison sees authentic bytes only; the expiry is checked anew. */
static _Thread_local struct {
    char                    b64[800];
    size_t                  len;
    struct jutsu_jwt_claims c;
} memo;

static int parse_payload_memo(const char *b64, size_t len, struct jutsu_jwt_claims *c)
{
    if (len != 0 && len == memo.len && memcmp(b64, memo.b64, len) == 0) {
        *c = memo.c;
        return 0;
    }
    if (parse_payload(b64, len, c) != 0)
        return -1;
    if (len <= sizeof(memo.b64)) {
        memcpy(memo.b64, b64, len);
        memo.len = len;
        memo.c = *c;
    }
    return 0;
}

int jutsu_jwt_verify(const struct jutsu_keys *k, const char *token, jutsu_time_t now,
                     struct jutsu_jwt_claims *c, const char **why)
{
    memset(c, 0, sizeof(*c));
    *why = "not a token";
    if (token == NULL)
        return JUTSU_EAUTH;
    size_t len = strnlen(token, JUTSU_JWT_MAX + 1);
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
    if (len > JUTSU_JWT_MAX || d1 == NULL || d2 == NULL ||
        memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
        return JUTSU_EAUTH;
    /* the header must be ours, byte for byte, for a key we hold */
    const struct jutsu_key *key = NULL;
    for (size_t i = 0; i < k->n && key == NULL; i++) {
        const char *h = k->keys[i].jwt_header;
        if (strlen(h) == (size_t)(d1 - token) && memcmp(h, token, (size_t)(d1 - token)) == 0)
            key = &k->keys[i];
    }
    if (key == NULL) {
        *why = "header is not HS256 with a key id we hold";
        return JUTSU_EAUTH;
    }
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    size_t maclen = 0;
    const char *sig = d2 + 1;
    size_t siglen = len - (size_t)(sig - token);
    if (siglen != MAC_B64_LEN ||
        sodium_base642bin(mac, sizeof(mac), sig, siglen, NULL, &maclen, NULL, B64) != 0 ||
        maclen != sizeof(mac) ||
        crypto_auth_hmacsha256_verify(mac, (const uint8_t *)token, (size_t)(d2 - token),
                                      key->mac) != 0) {
        *why = "signature does not match";
        return JUTSU_EAUTH;
    }
    if (parse_payload_memo(d1 + 1, (size_t)(d2 - d1 - 1), c) != 0) {
        *why = "payload lacks a claim or has one of the wrong type";
        return JUTSU_EAUTH;
    }
    if (c->exp <= now) {
        *why = "expired";
        return JUTSU_EAUTH;
    }
    *why = "";
    return 0;
}
