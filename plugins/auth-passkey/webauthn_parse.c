/*
 * plugins/auth-passkey/webauthn_parse.c — the structure of what a browser
 * sends back: base64url, clientDataJSON, authenticator data, COSE keys and
 * attestation objects (see webauthn.h for each contract).
 *
 * Nothing here decides whether to trust the data; it only refuses what
 * cannot be read and bounds every length before using it. CBOR goes
 * through libcbor, JSON through json-c in strict mode, base64url through
 * libsodium (which refuses non-canonical encodings: two spellings of one
 * challenge would make the comparison of challenges ambiguous).
 */
#include <cbor.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "webauthn.h"

#define JSON_DEPTH 8   /* clientDataJSON is flat; nesting is only a cost */

static int fail(int rc, char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int rc, char *why, size_t whysz, const char *fmt, ...)
{
    if (why != NULL && whysz > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* --- base64url ------------------------------------------------------------- */

int wa_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t outsz, size_t *outlen)
{
    const char *end = NULL;
    size_t n = 0;
    if (in == NULL || out == NULL || outlen == NULL)
        return JUTSU_EINVAL;
    for (int pad = 0; pad < 2 && inlen > 0 && in[inlen - 1] == '='; pad++)
        inlen--;
    /* One character left over after the groups of four is never valid, and
     * the size check below must not let libsodium's "too small" (also -1)
     * pass for "malformed". */
    if (inlen % 4 == 1)
        return JUTSU_EMALFORMED;
    if (inlen / 4 * 3 + (inlen % 4 ? inlen % 4 - 1 : 0) > outsz)
        return JUTSU_ERANGE;
    if (sodium_base642bin(out, outsz, in, inlen, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != in + inlen)
        return JUTSU_EMALFORMED;
    *outlen = n;
    return 0;
}

int wa_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
    if ((in == NULL && len > 0) || out == NULL)
        return JUTSU_EINVAL;
    if (outsz < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return JUTSU_EFULL;
    sodium_bin2base64(out, outsz, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

/* --- clientDataJSON -------------------------------------------------------- */

/* Member `name` of o as a string into buf (JUTSU_EAUTH naming it if it is
 * missing, not a string, or does not fit). */
static int json_text(json_object *o, const char *name, char *buf, size_t bufsz,
                     char *why, size_t whysz)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: member \"%s\" is missing or "
                    "not a string", name);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n >= bufsz)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: member \"%s\" is %zu bytes, "
                    "at most %zu allowed", name, n, bufsz - 1);
    memcpy(buf, json_object_get_string(v), n);
    buf[n] = '\0';
    if (strlen(buf) != n)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: member \"%s\" holds a NUL", name);
    return 0;
}

static int client_data_members(json_object *o, struct wa_client_data *out,
                               char *why, size_t whysz)
{
    char b64[WA_B64URL_SIZE(WA_CHALLENGE_MAX) + 2];
    json_object *v;
    int rc;
    if (!json_object_is_type(o, json_type_object))
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON is not a JSON object");
    if ((rc = json_text(o, "type", out->type, sizeof(out->type), why, whysz)) ||
        (rc = json_text(o, "challenge", b64, sizeof(b64), why, whysz)) ||
        (rc = json_text(o, "origin", out->origin, sizeof(out->origin), why, whysz)))
        return rc;
    rc = wa_b64url_decode(b64, strlen(b64), out->challenge, sizeof(out->challenge),
                          &out->challenge_len);
    if (rc != 0 || out->challenge_len < WA_CHALLENGE_MIN)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: member \"challenge\" is not "
                    "base64url of %d to %d bytes", WA_CHALLENGE_MIN, WA_CHALLENGE_MAX);
    if (json_object_object_get_ex(o, "crossOrigin", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: member \"crossOrigin\" is "
                        "not a boolean");
        out->cross_origin = json_object_get_boolean(v);
    }
    out->has_top_origin = json_object_object_get_ex(o, "topOrigin", NULL);
    return 0;
}

int wa_client_data_parse(const uint8_t *json, size_t len, struct wa_client_data *out,
                         char *why, size_t whysz)
{
    if (json == NULL || out == NULL || len > WA_CLIENT_DATA_MAX)
        return fail(JUTSU_EINVAL, why, whysz, "clientDataJSON: none, or more than %d bytes",
                    WA_CLIENT_DATA_MAX);
    memset(out, 0, sizeof(*out));
    json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
    if (tok == NULL)
        return fail(JUTSU_ENOMEM, why, whysz, "out of memory parsing clientDataJSON");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, (const char *)json, (int)len);
    int rc;
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len)
        rc = fail(JUTSU_EAUTH, why, whysz, "clientDataJSON is not one JSON text (%s)",
                  json_tokener_error_desc(json_tokener_get_error(tok)));
    else
        rc = client_data_members(o, out, why, whysz);
    json_object_put(o);
    json_tokener_free(tok);
    return rc;
}

/* --- CBOR helpers ---------------------------------------------------------- */

#define CBOR_DEPTH 16   /* an attestation object nests 3 deep (map, attStmt, x5c) */

/* The head of the item at p[*pos]: major type, argument, and whether it
 * is an indefinite length (additional information 31). 0 or -1. */
static int cbor_head(const uint8_t *p, size_t len, size_t *pos, int *major, uint64_t *arg,
                     int *indef)
{
    if (*pos >= len)
        return -1;
    uint8_t b = p[(*pos)++], info = b & 31;
    *major = b >> 5;
    *indef = info == 31;
    *arg = info;
    if (info < 24 || info == 31)
        return 0;
    if (info > 27)
        return -1;
    size_t n = (size_t)1 << (info - 24);
    if (len - *pos < n)
        return -1;
    for (*arg = 0; n > 0; n--)
        *arg = *arg << 8 | p[(*pos)++];
    return 0;
}

/*
 * Walks the item at p[*pos] without building it, refusing any array or map
 * that declares more members than there are bytes left (each takes one at
 * least), any string longer than what is left, and nesting past
 * CBOR_DEPTH. libcbor allocates an array's or map's slots from its declared
 * count before reading them: without this, a few bytes declaring 2^32
 * members (found by tests/fuzz) make it allocate and clear gigabytes.
 */
static int cbor_scan(const uint8_t *p, size_t len, size_t *pos, int depth)
{
    int major, indef;
    uint64_t arg;
    if (depth > CBOR_DEPTH || cbor_head(p, len, pos, &major, &arg, &indef) != 0)
        return -1;
    switch (major) {
    case 0: case 1: case 6: case 7:
        if (indef)
            return -1;   /* a break outside an indefinite item, or no such form */
        return major == 6 ? cbor_scan(p, len, pos, depth + 1) : 0;
    case 2: case 3:
        if (!indef) {
            if (arg > len - *pos)
                return -1;
            *pos += (size_t)arg;
            return 0;
        }
        break;
    default:   /* 4 array, 5 map */
        if (!indef) {
            if (arg > (len - *pos) / (major == 5 ? 2 : 1))
                return -1;
            for (uint64_t i = 0; i < arg * (major == 5 ? 2 : 1); i++)
                if (cbor_scan(p, len, pos, depth + 1) != 0)
                    return -1;
            return 0;
        }
        break;
    }
    /* indefinite: chunks or members up to the break byte */
    for (;;) {
        if (*pos >= len)
            return -1;
        if (p[*pos] == 0xff) {
            (*pos)++;
            return 0;
        }
        if ((major == 2 || major == 3) && p[*pos] >> 5 != major)
            return -1;
        if (cbor_scan(p, len, pos, depth + 1) != 0 ||
            (major == 5 && cbor_scan(p, len, pos, depth + 1) != 0))
            return -1;
    }
}

/* cbor_load, after cbor_scan has bounded what it will allocate. */
static cbor_item_t *cbor_load_bounded(const uint8_t *p, size_t len, struct cbor_load_result *res)
{
    size_t pos = 0;
    if (cbor_scan(p, len, &pos, 0) != 0)
        return NULL;
    return cbor_load(p, pos, res);
}

/* One whole CBOR item from exactly p[0..len), or NULL (reason in why). */
static cbor_item_t *cbor_whole(const uint8_t *p, size_t len, const char *what,
                               char *why, size_t whysz)
{
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load_bounded(p, len, &res);
    if (it == NULL) {
        fail(JUTSU_EAUTH, why, whysz, "%s is not CBOR", what);
        return NULL;
    }
    if (res.read != len) {
        cbor_decref(&it);
        fail(JUTSU_EAUTH, why, whysz, "%s has %zu bytes after its CBOR item", what,
             len - res.read);
        return NULL;
    }
    return it;
}

/* How many bytes of p[0..len) the first CBOR item takes; 0 if none. */
static size_t cbor_item_len(const uint8_t *p, size_t len)
{
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load_bounded(p, len, &res);
    if (it == NULL)
        return 0;
    cbor_decref(&it);
    return res.read;
}

/* An integer item as int64; -1 when it is not one or does not fit. */
static int cbor_int64(const cbor_item_t *it, int64_t *out)
{
    uint64_t v;
    if (!cbor_isa_uint(it) && !cbor_isa_negint(it))
        return -1;
    v = cbor_get_int(it);
    if (v > INT64_MAX)
        return -1;
    *out = cbor_isa_uint(it) ? (int64_t)v : -1 - (int64_t)v;
    return 0;
}

/* A definite byte string's bytes, or NULL. */
static const uint8_t *cbor_bytes(const cbor_item_t *it, size_t *len)
{
    if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
        return NULL;
    *len = cbor_bytestring_length(it);
    return cbor_bytestring_handle(it);
}

/* Nonzero when `it` is a definite text string equal to s. */
static int cbor_text_is(const cbor_item_t *it, const char *s)
{
    size_t n = strlen(s);
    return cbor_isa_string(it) && cbor_string_is_definite(it) &&
           cbor_string_length(it) == n && memcmp(cbor_string_handle(it), s, n) == 0;
}

/* --- authenticator data ------------------------------------------------------ */

#define AD_FIXED   37   /* rpIdHash 32, flags 1, signCount 4 */
#define AD_CRED    18   /* aaguid 16, credentialIdLength 2   */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int attested_credential(const uint8_t *p, size_t len, size_t *at,
                               struct wa_auth_data *out, char *why, size_t whysz)
{
    size_t i = *at;
    if (len - i < AD_CRED)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the AT flag is set but "
                    "attested credential data is cut short");
    memcpy(out->aaguid, p + i, 16);
    out->cred_id_len = (size_t)p[i + 16] << 8 | p[i + 17];
    i += AD_CRED;
    if (out->cred_id_len == 0 || out->cred_id_len > WA_CRED_ID_MAX)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: a credential ID of %zu "
                    "bytes (1 to %d allowed)", out->cred_id_len, WA_CRED_ID_MAX);
    if (len - i < out->cred_id_len)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the credential ID is cut "
                    "short");
    out->cred_id = p + i;
    i += out->cred_id_len;
    out->cose_key_len = cbor_item_len(p + i, len - i);
    if (out->cose_key_len == 0)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the credential public key "
                    "is not CBOR");
    if (out->cose_key_len > WA_COSE_KEY_MAX)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: a credential public key of "
                    "%zu bytes (at most %d)", out->cose_key_len, WA_COSE_KEY_MAX);
    out->cose_key = p + i;
    out->has_credential = 1;
    *at = i + out->cose_key_len;
    return 0;
}

int wa_auth_data_parse(const uint8_t *p, size_t len, struct wa_auth_data *out,
                       char *why, size_t whysz)
{
    size_t i = AD_FIXED;
    int rc;
    if (p == NULL || out == NULL || len > WA_AUTH_DATA_MAX)
        return fail(JUTSU_EINVAL, why, whysz, "authenticatorData: none, or more than %d bytes",
                    WA_AUTH_DATA_MAX);
    memset(out, 0, sizeof(*out));
    if (len < AD_FIXED)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: %zu bytes, at least %d "
                    "needed", len, AD_FIXED);
    memcpy(out->rp_id_hash, p, 32);
    out->flags = p[32];
    out->sign_count = be32(p + 33);
    if ((out->flags & WA_FLAG_AT) &&
        (rc = attested_credential(p, len, &i, out, why, whysz)) != 0)
        return rc;
    if (out->flags & WA_FLAG_ED) {
        size_t n = cbor_item_len(p + i, len - i);
        if (n == 0)
            return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the ED flag is set but "
                        "no CBOR extensions follow");
        i += n;
    }
    if (i != len)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: %zu bytes left over after "
                    "what its flags announce", len - i);
    return 0;
}

/* --- COSE keys ----------------------------------------------------------------- */

/* The labels we read (RFC 9052 §7.1, RFC 9053 §7, RFC 8230 §4). */
enum { L_KTY, L_ALG, L_M1, L_M2, L_M3, L_N };
static const int64_t label_of[L_N] = { 1, 3, -1, -2, -3 };

#define KTY_OKP  1
#define KTY_EC2  2
#define KTY_RSA  3
#define CRV_P256 1
#define CRV_ED25519 6

static int cose_collect(const cbor_item_t *map, const cbor_item_t *v[L_N],
                        char *why, size_t whysz)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        int64_t label;
        if (cbor_int64(pairs[i].key, &label) != 0)
            continue;   /* text labels are legal COSE; none is ours */
        for (int k = 0; k < L_N; k++) {
            if (label_of[k] != label)
                continue;
            if (v[k] != NULL)
                return fail(JUTSU_EAUTH, why, whysz, "COSE key: label %lld appears twice",
                            (long long)label);
            v[k] = pairs[i].value;
        }
    }
    return 0;
}

/* A byte-string member that must be exactly n bytes, copied to dst. */
static int cose_exact(const cbor_item_t *it, size_t n, uint8_t *dst, const char *what,
                      char *why, size_t whysz)
{
    size_t len = 0;
    const uint8_t *b = it ? cbor_bytes(it, &len) : NULL;
    if (b == NULL || len != n)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: %s is not %zu bytes", what, n);
    memcpy(dst, b, n);
    return 0;
}

static int cose_ec2(const cbor_item_t *v[L_N], struct wa_cose_key *out, char *why, size_t whysz)
{
    int64_t crv;
    int rc;
    if (v[L_M1] == NULL || cbor_int64(v[L_M1], &crv) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: EC2 without an integer crv");
    if (crv != CRV_P256)
        return fail(JUTSU_ENOTSUP, why, whysz, "COSE key: curve %lld (only P-256, 1, with "
                    "ES256)", (long long)crv);
    if ((rc = cose_exact(v[L_M2], 32, out->es256, "x", why, whysz)) ||
        (rc = cose_exact(v[L_M3], 32, out->es256 + 32, "y", why, whysz)))
        return rc;
    return 0;
}

static int cose_okp(const cbor_item_t *v[L_N], struct wa_cose_key *out, char *why, size_t whysz)
{
    int64_t crv;
    if (v[L_M1] == NULL || cbor_int64(v[L_M1], &crv) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: OKP without an integer crv");
    if (crv != CRV_ED25519)
        return fail(JUTSU_ENOTSUP, why, whysz, "COSE key: curve %lld (only Ed25519, 6, with "
                    "EdDSA)", (long long)crv);
    return cose_exact(v[L_M2], 32, out->eddsa, "x", why, whysz);
}

static int cose_rsa(const cbor_item_t *v[L_N], struct wa_cose_key *out, char *why, size_t whysz)
{
    size_t nlen = 0, elen = 0;
    const uint8_t *n = v[L_M1] ? cbor_bytes(v[L_M1], &nlen) : NULL;
    const uint8_t *e = v[L_M2] ? cbor_bytes(v[L_M2], &elen) : NULL;
    if (n == NULL || e == NULL)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: RSA without byte strings n and e");
    while (nlen > 0 && n[0] == 0) {   /* an unsigned integer may carry a leading zero */
        n++;
        nlen--;
    }
    while (elen > 0 && e[0] == 0) {
        e++;
        elen--;
    }
    if (nlen != 256 || !(n[0] & 0x80))
        return fail(JUTSU_ENOTSUP, why, whysz, "COSE key: an RSA modulus of %zu bytes; only "
                    "2048-bit keys are supported", nlen);
    if (elen == 0 || elen > 3 || !(e[elen - 1] & 1))
        return fail(JUTSU_ENOTSUP, why, whysz, "COSE key: an RSA exponent that is not an odd "
                    "number of at most 3 bytes");
    memcpy(out->rs256, n, 256);
    memset(out->rs256 + 256, 0, 3);
    memcpy(out->rs256 + 256 + 3 - elen, e, elen);
    return 0;
}

static int cose_key_from(const cbor_item_t *map, struct wa_cose_key *out, char *why, size_t whysz)
{
    const cbor_item_t *v[L_N] = { 0 };
    int64_t kty, alg;
    int rc;
    if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: not a definite CBOR map");
    if ((rc = cose_collect(map, v, why, whysz)) != 0)
        return rc;
    if (v[L_KTY] == NULL || cbor_int64(v[L_KTY], &kty) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: no integer kty (label 1)");
    if (v[L_ALG] == NULL || cbor_int64(v[L_ALG], &alg) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "COSE key: no integer alg (label 3)");
    if (alg != WA_ALG_ES256 && alg != WA_ALG_EDDSA && alg != WA_ALG_RS256)
        return fail(JUTSU_ENOTSUP, why, whysz, "COSE key: algorithm %lld (supported: ES256 -7, "
                    "EdDSA -8, RS256 -257)", (long long)alg);
    out->alg = (int)alg;
    if (alg == WA_ALG_ES256 && kty == KTY_EC2)
        return cose_ec2(v, out, why, whysz);
    if (alg == WA_ALG_EDDSA && kty == KTY_OKP)
        return cose_okp(v, out, why, whysz);
    if (alg == WA_ALG_RS256 && kty == KTY_RSA)
        return cose_rsa(v, out, why, whysz);
    return fail(JUTSU_EAUTH, why, whysz, "COSE key: key type %lld does not go with algorithm "
                "%lld", (long long)kty, (long long)alg);
}

int wa_cose_key_parse(const uint8_t *p, size_t len, struct wa_cose_key *out,
                      char *why, size_t whysz)
{
    if (p == NULL || out == NULL || len == 0 || len > WA_COSE_KEY_MAX)
        return fail(JUTSU_EINVAL, why, whysz, "COSE key: none, or more than %d bytes",
                    WA_COSE_KEY_MAX);
    memset(out, 0, sizeof(*out));
    cbor_item_t *it = cbor_whole(p, len, "COSE key", why, whysz);
    if (it == NULL)
        return JUTSU_EAUTH;
    int rc = cose_key_from(it, out, why, whysz);
    cbor_decref(&it);
    return rc;
}

/* --- attestation objects ----------------------------------------------------- */

static int att_stmt(const cbor_item_t *m, struct wa_attestation *out, char *why, size_t whysz)
{
    struct cbor_pair *pairs = cbor_map_handle(m);
    out->stmt_members = cbor_map_size(m);
    for (size_t i = 0; i < out->stmt_members; i++) {
        const cbor_item_t *k = pairs[i].key, *v = pairs[i].value;
        if (cbor_text_is(k, "alg")) {
            if (out->has_alg || cbor_int64(v, &out->alg) != 0)
                return fail(JUTSU_EAUTH, why, whysz, "attStmt: alg is repeated or not an "
                            "integer");
            out->has_alg = 1;
        } else if (cbor_text_is(k, "sig")) {
            size_t n = 0;
            const uint8_t *b = cbor_bytes(v, &n);
            if (out->sig_len != 0 || b == NULL || n == 0 || n > WA_SIG_MAX)
                return fail(JUTSU_EAUTH, why, whysz, "attStmt: sig is repeated, not a byte "
                            "string, or not 1 to %d bytes", WA_SIG_MAX);
            memcpy(out->sig, b, n);
            out->sig_len = n;
        } else if (cbor_text_is(k, "x5c")) {
            out->has_x5c = 1;
        }
    }
    return 0;
}

static int att_member(const cbor_item_t *k, const cbor_item_t *v, struct wa_attestation *out,
                      unsigned *seen, char *why, size_t whysz)
{
    size_t n = 0;
    if (cbor_text_is(k, "fmt")) {
        if ((*seen & 1) || !cbor_isa_string(v) || !cbor_string_is_definite(v) ||
            (n = cbor_string_length(v)) == 0 || n >= sizeof(out->fmt))
            return fail(JUTSU_EAUTH, why, whysz, "attestationObject: fmt is repeated or not "
                        "a text of 1 to %zu bytes", sizeof(out->fmt) - 1);
        memcpy(out->fmt, cbor_string_handle(v), n);
        out->fmt[n] = '\0';
        if (strlen(out->fmt) != n)
            return fail(JUTSU_EAUTH, why, whysz, "attestationObject: fmt holds a NUL");
        *seen |= 1;
    } else if (cbor_text_is(k, "attStmt")) {
        if ((*seen & 2) || !cbor_isa_map(v) || !cbor_map_is_definite(v))
            return fail(JUTSU_EAUTH, why, whysz, "attestationObject: attStmt is repeated or "
                        "not a definite map");
        *seen |= 2;
        return att_stmt(v, out, why, whysz);
    } else if (cbor_text_is(k, "authData")) {
        const uint8_t *b = cbor_bytes(v, &n);
        if ((*seen & 4) || b == NULL || n > WA_AUTH_DATA_MAX)
            return fail(JUTSU_EAUTH, why, whysz, "attestationObject: authData is repeated, "
                        "not a byte string, or more than %d bytes", WA_AUTH_DATA_MAX);
        memcpy(out->auth_data, b, n);
        out->auth_data_len = n;
        *seen |= 4;
    }
    return 0;
}

int wa_attestation_parse(const uint8_t *p, size_t len, struct wa_attestation *out,
                         char *why, size_t whysz)
{
    unsigned seen = 0;
    int rc = 0;
    if (p == NULL || out == NULL || len > WA_ATT_OBJ_MAX)
        return fail(JUTSU_EINVAL, why, whysz, "attestationObject: none, or more than %d bytes",
                    WA_ATT_OBJ_MAX);
    memset(out, 0, sizeof(*out));
    cbor_item_t *it = cbor_whole(p, len, "attestationObject", why, whysz);
    if (it == NULL)
        return JUTSU_EAUTH;
    if (!cbor_isa_map(it) || !cbor_map_is_definite(it)) {
        rc = fail(JUTSU_EAUTH, why, whysz, "attestationObject: not a definite CBOR map");
    } else {
        struct cbor_pair *pairs = cbor_map_handle(it);
        for (size_t i = 0; i < cbor_map_size(it) && rc == 0; i++)
            rc = att_member(pairs[i].key, pairs[i].value, out, &seen, why, whysz);
        if (rc == 0 && seen != 7)
            rc = fail(JUTSU_EAUTH, why, whysz, "attestationObject: member %s is missing",
                      !(seen & 1) ? "fmt" : !(seen & 2) ? "attStmt" : "authData");
    }
    cbor_decref(&it);
    return rc;
}

void wa_aaguid_format(const uint8_t aaguid[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[aaguid[i] >> 4];
        out[o++] = hex[aaguid[i] & 15];
    }
    out[o] = '\0';
}
