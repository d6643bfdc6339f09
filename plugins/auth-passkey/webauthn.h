/*
 * plugins/auth-passkey/webauthn.h — the relying party's side of WebAuthn
 * (W3C Web Authentication Level 3, §7), as pure functions: no host, no
 * database, no clock, no state. The plugin (passkey_*.c) keeps challenges
 * and credentials and calls these; tests/unit/test_auth_passkey.c feeds
 * them the published test vectors.
 *
 *   webauthn_parse.c   base64url; clientDataJSON (json-c); authenticator
 *                      data; COSE public keys and attestation objects
 *                      (libcbor). Structure only: nothing is trusted yet.
 *   webauthn_verify.c  the checks of a registration (§7.1) and of an
 *                      assertion (§7.2): type, challenge, origin, rpIdHash,
 *                      flags, signature (libfido2), signature counter.
 *
 * Sizes. Every input is bounded before it is parsed (WA_*_MAX); a longer
 * one is refused, never truncated.
 *
 * Errors. Functions return 0 or a negative JUTSU_E* code and, on failure,
 * write one sentence into `why` (NUL-terminated, truncated to whysz) that
 * names what was wrong without quoting secrets (no challenge, key or
 * signature bytes):
 *   JUTSU_EAUTH     the data is not what a genuine authenticator and
 *                   browser answering our request would produce: wrong
 *                   type, challenge, origin, RP ID hash, flags, counter or
 *                   signature, or structure that does not parse. A caller
 *                   counts it as a failed login.
 *   JUTSU_ENOTSUP   well-formed but outside what we support: a COSE
 *                   algorithm other than ES256/EdDSA/RS256, an RSA key that
 *                   is not 2048 bits (libfido2's rs256 holds no other), an
 *                   attestation statement we were told to verify and cannot.
 *   JUTSU_EINVAL    the arguments (NULL, or a size above its WA_*_MAX).
 *   JUTSU_ENOMEM    allocation failed.
 *
 * Threading: every function is reentrant; none keeps state between calls.
 */
#ifndef JUTSU_PASSKEY_WEBAUTHN_H
#define JUTSU_PASSKEY_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

/* --- bounds ---------------------------------------------------------------- */

#define WA_CLIENT_DATA_MAX  4096   /* clientDataJSON bytes                    */
#define WA_AUTH_DATA_MAX    4096   /* authenticatorData bytes                 */
#define WA_ATT_OBJ_MAX      16384  /* attestationObject (certificates inside) */
#define WA_SIG_MAX          1024   /* signature bytes (RSA-2048 takes 256)    */
#define WA_CRED_ID_MAX      1023   /* credential ID (§5.8.3: at most 1023)    */
#define WA_COSE_KEY_MAX     1024   /* a COSE_Key as stored                    */
#define WA_CHALLENGE_LEN    32     /* what we issue                           */
#define WA_CHALLENGE_MIN    16     /* §13.4.3: at least 16 random bytes       */
#define WA_CHALLENGE_MAX    64     /* what we parse                           */
#define WA_ORIGIN_MAX       256    /* an origin in clientDataJSON             */
#define WA_USER_HANDLE_LEN  8      /* our user handle: the user id, big endian */

/* The text length of base64url (no padding) of n bytes, with its NUL. */
#define WA_B64URL_SIZE(n)   (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0) + 1)

/* --- authenticator data flags (§6.1) ------------------------------------- */

#define WA_FLAG_UP  0x01u   /* user present                     */
#define WA_FLAG_UV  0x04u   /* user verified                    */
#define WA_FLAG_BE  0x08u   /* backup eligible                  */
#define WA_FLAG_BS  0x10u   /* backed up                        */
#define WA_FLAG_AT  0x40u   /* attested credential data follows */
#define WA_FLAG_ED  0x80u   /* extension data follows           */

/* --- COSE algorithms we verify (IANA COSE Algorithms) --------------------- */

#define WA_ALG_ES256  (-7)    /* ECDSA P-256 with SHA-256         */
#define WA_ALG_EDDSA  (-8)    /* Ed25519                          */
#define WA_ALG_RS256  (-257)  /* RSASSA-PKCS1-v1_5 with SHA-256   */

/* --- base64url (RFC 4648 §5) ----------------------------------------------- */

/* Decodes `inlen` characters of base64url into out (at most outsz bytes):
 * the URL-safe alphabet, no whitespace, trailing '=' padding tolerated
 * (WebAuthn's JSON has none; some clients add it), non-canonical final
 * bits refused. 0, JUTSU_EMALFORMED (not base64url) or JUTSU_ERANGE
 * (decodes to more than outsz bytes). */
int wa_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t outsz, size_t *outlen);
/* Encodes len bytes, unpadded, NUL-terminated; outsz at least
 * WA_B64URL_SIZE(len), else JUTSU_EFULL. */
int wa_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz);

/* --- parsing ----------------------------------------------------------------- */

/* The members of CollectedClientData (§5.8.1) that we check. */
struct wa_client_data {
    char    type[24];                   /* "webauthn.create", "webauthn.get" */
    uint8_t challenge[WA_CHALLENGE_MAX];
    size_t  challenge_len;
    char    origin[WA_ORIGIN_MAX];
    int     cross_origin;               /* "crossOrigin": true               */
    int     has_top_origin;             /* "topOrigin" present               */
};

/* Parses clientDataJSON: a JSON object with string type, challenge
 * (base64url of WA_CHALLENGE_MIN..MAX bytes) and origin; crossOrigin a
 * boolean if present. Other members are allowed (the spec lets clients
 * add them). JUTSU_EAUTH when it is not such an object. */
int wa_client_data_parse(const uint8_t *json, size_t len, struct wa_client_data *out,
                         char *why, size_t whysz);

/* Authenticator data (§6.1). The pointers point into the parsed buffer. */
struct wa_auth_data {
    uint8_t        rp_id_hash[32];
    uint8_t        flags;
    uint32_t       sign_count;
    int            has_credential;   /* AT: the four members below are set */
    uint8_t        aaguid[16];
    const uint8_t *cred_id;
    size_t         cred_id_len;
    const uint8_t *cose_key;         /* the credential public key, as COSE  */
    size_t         cose_key_len;
};

/* Splits authenticator data: 37 fixed bytes; with AT, the AAGUID, the
 * credential ID (1..1023 bytes) and a COSE key (one CBOR item); with ED
 * one CBOR map of extensions; nothing after. JUTSU_EAUTH otherwise. */
int wa_auth_data_parse(const uint8_t *p, size_t len, struct wa_auth_data *out,
                       char *why, size_t whysz);

/* A credential public key, in the layouts libfido2's es256_pk, eddsa_pk
 * and rs256_pk read. */
struct wa_cose_key {
    int     alg;            /* WA_ALG_ES256, WA_ALG_EDDSA or WA_ALG_RS256 */
    uint8_t es256[64];      /* x || y, P-256                               */
    uint8_t eddsa[32];      /* the Ed25519 public key                      */
    uint8_t rs256[259];     /* n (2048 bits) || e (3 bytes), big endian    */
};

/* Parses a COSE_Key (RFC 9052 §7, RFC 9053): kty 2 (EC2) with crv 1
 * (P-256) and alg -7; kty 1 (OKP) with crv 6 (Ed25519) and alg -8; kty 3
 * (RSA) with alg -257. The alg label is required and must fit the key
 * type; other labels are ignored, a repeated label is refused. Exactly
 * `len` bytes: one CBOR map. JUTSU_EAUTH when malformed, JUTSU_ENOTSUP for
 * another algorithm or curve, or an RSA modulus that is not 2048 bits. */
int wa_cose_key_parse(const uint8_t *p, size_t len, struct wa_cose_key *out,
                      char *why, size_t whysz);

/* An attestation object (§6.5.4), its members copied out. */
struct wa_attestation {
    char     fmt[32];
    uint8_t  auth_data[WA_AUTH_DATA_MAX];
    size_t   auth_data_len;
    /* attStmt: what the "none" and "packed" formats hold */
    size_t   stmt_members;    /* number of members of attStmt */
    int      has_alg;
    int64_t  alg;
    uint8_t  sig[WA_SIG_MAX];
    size_t   sig_len;         /* 0: no sig member */
    int      has_x5c;
};

/* Parses the CBOR map {fmt: text, attStmt: map, authData: bytes} (other
 * members ignored), exactly `len` bytes. From attStmt it keeps alg, sig and
 * whether x5c is present. JUTSU_EAUTH when malformed. */
int wa_attestation_parse(const uint8_t *p, size_t len, struct wa_attestation *out,
                         char *why, size_t whysz);

/* The AAGUID as a lower-case UUID, 36 characters and a NUL. */
void wa_aaguid_format(const uint8_t aaguid[16], char out[37]);

/* --- checks ---------------------------------------------------------------- */

/* What the relying party expects: its RP ID, the origins its pages are
 * served from (compared exactly, as the browser serialises them), and
 * whether the user must have been verified (userVerification "required"). */
struct wa_rp {
    const char        *rp_id;
    const char *const *origins;
    size_t             norigins;
    int                require_uv;
};

/* clientDataJSON: parses it, then checks type, challenge (equal to the
 * expected bytes), origin (one of rp->origins) and that it was not made in
 * a cross-origin frame: we never embed our login in another site's page,
 * so "crossOrigin": true is refused rather than checked against a
 * topOrigin. JUTSU_EAUTH. */
int wa_check_client_data(const struct wa_rp *rp, const uint8_t *json, size_t len,
                         const char *type, const uint8_t *challenge, size_t challenge_len,
                         char *why, size_t whysz);

/* Authenticator data already parsed: rpIdHash is SHA-256 of rp->rp_id, UP
 * is set, UV is set when required, BS is not set without BE. JUTSU_EAUTH. */
int wa_check_auth_data(const struct wa_rp *rp, const struct wa_auth_data *ad,
                       char *why, size_t whysz);

/* The signature of authData || SHA-256(clientDataJSON) under `key`,
 * checked by libfido2 (fido_assert_verify), which also checks the rpIdHash
 * against rp_id and that UP is set. JUTSU_EAUTH when it does not verify. */
int wa_verify_signature(const struct wa_cose_key *key, const char *rp_id,
                        const uint8_t *auth_data, size_t auth_data_len,
                        const uint8_t *client_data, size_t client_data_len,
                        const uint8_t *sig, size_t sig_len, char *why, size_t whysz);

/* The signature counter rule (§6.1.1): the new count must be greater than
 * the stored one, except that both 0 means an authenticator that keeps no
 * counter. Nonzero when `fresh` is acceptable after `stored`. */
int wa_counter_ok(int64_t stored, uint32_t fresh);

/* One assertion as the client sent it, with what we stored at registration. */
struct wa_assertion {
    const uint8_t *client_data;
    size_t         client_data_len;
    const uint8_t *auth_data;
    size_t         auth_data_len;
    const uint8_t *sig;
    size_t         sig_len;
    const uint8_t *public_key;       /* the stored COSE key */
    size_t         public_key_len;
    int64_t        stored_count;     /* the stored signature counter */
};

/* §7.2 steps 11 to 24 for an assertion answering `challenge`: client data,
 * authenticator data, signature, counter. The caller has already checked
 * that the credential is one of the user's and that the challenge was ours
 * and unused. *new_count receives the authenticator's counter on success. */
int wa_verify_assertion(const struct wa_rp *rp, const uint8_t *challenge, size_t challenge_len,
                        const struct wa_assertion *a, uint32_t *new_count,
                        char *why, size_t whysz);

/* What a verified registration yields, to be stored. */
struct wa_registration {
    uint8_t  cred_id[WA_CRED_ID_MAX];
    size_t   cred_id_len;
    uint8_t  public_key[WA_COSE_KEY_MAX];    /* the COSE key, as sent */
    size_t   public_key_len;
    int      alg;
    uint32_t sign_count;
    uint8_t  flags;
    uint8_t  aaguid[16];
    char     fmt[32];
    int      attested;   /* 1: "packed" self attestation, verified; 0: none
                            or a statement taken unverified */
};

/* How to treat attestation statements: WA_ATT_ANY accepts every format,
 * verifying "packed" self attestation and taking the others unverified;
 * WA_ATT_SELF refuses what it cannot verify (JUTSU_ENOTSUP). */
#define WA_ATT_ANY   0
#define WA_ATT_SELF  1

/* §7.1 steps 11 to 27 for a registration answering `challenge`:
 * clientDataJSON (type "webauthn.create"), the attestation object, its
 * authenticator data (UP, UV if required, AT with a credential of at most
 * 1023 bytes and a key we support), the attestation statement per
 * `policy`. Fills *out. */
int wa_verify_registration(const struct wa_rp *rp, const uint8_t *challenge,
                           size_t challenge_len, const uint8_t *client_data,
                           size_t client_data_len, const uint8_t *att_obj, size_t att_obj_len,
                           int policy, struct wa_registration *out, char *why, size_t whysz);

#endif
