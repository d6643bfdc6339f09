/*
 * plugins/auth-passkey/webauthn_verify.c — the relying party's checks of a
 * registration (W3C WebAuthn L3 §7.1) and an assertion (§7.2); see
 * webauthn.h for each contract.
 *
 * libfido2 verifies signatures (fido_assert_verify with an es256, eddsa or
 * rs256 key) and nothing else of ours: type, challenge, origin, rpIdHash,
 * flags and the signature counter are checked here, each with its own
 * reason, before the signature, so that a refusal says what was wrong
 * rather than only "bad signature".
 *
 * Attestation. We ask browsers for attestation "none" and decide nothing
 * from the authenticator's make or model, so a statement proves nothing we
 * use: the credential key we store comes from the authenticator data that
 * the same TLS connection delivered, and whoever could forge that could as
 * well send fmt "none". "none" and "packed" self attestation (signed by the
 * credential key itself, so checking it costs one verification and proves
 * the key works before we store it) are checked; any other statement
 * (packed with x5c, tpm, android-key, apple, fido-u2f...) comes from a
 * platform that ignored our "none", and WA_ATT_ANY takes it unverified
 * rather than locking that user out, while WA_ATT_SELF refuses it.
 */
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "webauthn.h"

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

/* --- client data and authenticator data ------------------------------------ */

static int origin_allowed(const struct wa_rp *rp, const char *origin)
{
    for (size_t i = 0; i < rp->norigins; i++)
        if (rp->origins[i] != NULL && strcmp(rp->origins[i], origin) == 0)
            return 1;
    return 0;
}

int wa_check_client_data(const struct wa_rp *rp, const uint8_t *json, size_t len,
                         const char *type, const uint8_t *challenge, size_t challenge_len,
                         char *why, size_t whysz)
{
    struct wa_client_data cd;
    if (rp == NULL || type == NULL || challenge == NULL)
        return fail(JUTSU_EINVAL, why, whysz, "no relying party, type or challenge");
    int rc = wa_client_data_parse(json, len, &cd, why, whysz);
    if (rc != 0)
        return rc;
    if (strcmp(cd.type, type) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: type \"%.32s\" where \"%s\" "
                    "was expected", cd.type, type);
    /* Not secret (we sent it), but a timing-safe compare costs nothing. */
    if (cd.challenge_len != challenge_len ||
        CRYPTO_memcmp(cd.challenge, challenge, challenge_len) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: the challenge is not the one "
                    "issued");
    if (!origin_allowed(rp, cd.origin))
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: origin \"%.100s\" is not one "
                    "of the configured origins", cd.origin);
    if (cd.cross_origin || cd.has_top_origin)
        return fail(JUTSU_EAUTH, why, whysz, "clientDataJSON: made in a cross-origin frame "
                    "(crossOrigin or topOrigin); the login page is never embedded");
    return 0;
}

int wa_check_auth_data(const struct wa_rp *rp, const struct wa_auth_data *ad,
                       char *why, size_t whysz)
{
    uint8_t h[SHA256_DIGEST_LENGTH];
    if (rp == NULL || rp->rp_id == NULL || ad == NULL)
        return fail(JUTSU_EINVAL, why, whysz, "no relying party or authenticator data");
    SHA256((const unsigned char *)rp->rp_id, strlen(rp->rp_id), h);
    if (CRYPTO_memcmp(h, ad->rp_id_hash, sizeof(h)) != 0)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: rpIdHash is not SHA-256 of "
                    "\"%.100s\" (a credential of another site)", rp->rp_id);
    if (!(ad->flags & WA_FLAG_UP))
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the user-present flag (UP) "
                    "is clear");
    if (rp->require_uv && !(ad->flags & WA_FLAG_UV))
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: the user was not verified "
                    "(UV clear) and user_verification is required");
    if ((ad->flags & WA_FLAG_BS) && !(ad->flags & WA_FLAG_BE))
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: backed up (BS) but not "
                    "backup eligible (BE)");
    return 0;
}

/* --- signatures ---------------------------------------------------------------- */

static pthread_once_t fido_once = PTHREAD_ONCE_INIT;

static void fido_start(void)
{
    fido_init(0);
}

/* fido_assert_verify on a key of key->alg; FIDO_OK or its error. */
static int fido_verify(const fido_assert_t *as, const struct wa_cose_key *key)
{
    int r = FIDO_ERR_INTERNAL;
    if (key->alg == WA_ALG_ES256) {
        es256_pk_t *pk = es256_pk_new();
        if (pk != NULL && (r = es256_pk_from_ptr(pk, key->es256, sizeof(key->es256))) == FIDO_OK)
            r = fido_assert_verify(as, 0, COSE_ES256, pk);
        es256_pk_free(&pk);
    } else if (key->alg == WA_ALG_EDDSA) {
        eddsa_pk_t *pk = eddsa_pk_new();
        if (pk != NULL && (r = eddsa_pk_from_ptr(pk, key->eddsa, sizeof(key->eddsa))) == FIDO_OK)
            r = fido_assert_verify(as, 0, COSE_EDDSA, pk);
        eddsa_pk_free(&pk);
    } else if (key->alg == WA_ALG_RS256) {
        rs256_pk_t *pk = rs256_pk_new();
        if (pk != NULL && (r = rs256_pk_from_ptr(pk, key->rs256, sizeof(key->rs256))) == FIDO_OK)
            r = fido_assert_verify(as, 0, COSE_RS256, pk);
        rs256_pk_free(&pk);
    }
    return r;
}

int wa_verify_signature(const struct wa_cose_key *key, const char *rp_id,
                        const uint8_t *auth_data, size_t auth_data_len,
                        const uint8_t *client_data, size_t client_data_len,
                        const uint8_t *sig, size_t sig_len, char *why, size_t whysz)
{
    if (key == NULL || rp_id == NULL || auth_data == NULL || client_data == NULL ||
        sig == NULL || sig_len == 0 || sig_len > WA_SIG_MAX ||
        auth_data_len > WA_AUTH_DATA_MAX || client_data_len > WA_CLIENT_DATA_MAX)
        return fail(JUTSU_EINVAL, why, whysz, "signature: an input is missing or too long");
    pthread_once(&fido_once, fido_start);
    fido_assert_t *as = fido_assert_new();
    if (as == NULL)
        return fail(JUTSU_ENOMEM, why, whysz, "out of memory verifying a signature");
    int r, rc = 0;
    /* libfido2 hashes the client data itself, checks rpIdHash against the
     * RP ID and, asked to, the UP flag; UV stays our policy's. */
    if ((r = fido_assert_set_count(as, 1)) != FIDO_OK ||
        (r = fido_assert_set_rp(as, rp_id)) != FIDO_OK ||
        (r = fido_assert_set_clientdata(as, client_data, client_data_len)) != FIDO_OK ||
        (r = fido_assert_set_up(as, FIDO_OPT_TRUE)) != FIDO_OK ||
        (r = fido_assert_set_uv(as, FIDO_OPT_OMIT)) != FIDO_OK ||
        (r = fido_assert_set_sig(as, 0, sig, sig_len)) != FIDO_OK)
        rc = fail(r == FIDO_ERR_INTERNAL ? JUTSU_ENOMEM : JUTSU_EAUTH, why, whysz,
                  "signature: libfido2 refused an input (%s)", fido_strerr(r));
    else if ((r = fido_assert_set_authdata_raw(as, 0, auth_data, auth_data_len)) != FIDO_OK)
        rc = fail(JUTSU_EAUTH, why, whysz, "signature: libfido2 cannot read the "
                  "authenticator data (%s)", fido_strerr(r));
    else if ((r = fido_verify(as, key)) != FIDO_OK)
        rc = fail(JUTSU_EAUTH, why, whysz, "the signature does not verify with the "
                  "credential's public key (%s)", fido_strerr(r));
    fido_assert_free(&as);
    return rc;
}

int wa_counter_ok(int64_t stored, uint32_t fresh)
{
    if (stored == 0 && fresh == 0)
        return 1;
    return (int64_t)fresh > stored;
}

/* --- ceremonies ------------------------------------------------------------------- */

int wa_verify_assertion(const struct wa_rp *rp, const uint8_t *challenge, size_t challenge_len,
                        const struct wa_assertion *a, uint32_t *new_count,
                        char *why, size_t whysz)
{
    struct wa_auth_data ad;
    struct wa_cose_key key;
    int rc;
    if (a == NULL || new_count == NULL)
        return fail(JUTSU_EINVAL, why, whysz, "no assertion");
    if ((rc = wa_check_client_data(rp, a->client_data, a->client_data_len, "webauthn.get",
                                   challenge, challenge_len, why, whysz)) ||
        (rc = wa_auth_data_parse(a->auth_data, a->auth_data_len, &ad, why, whysz)) ||
        (rc = wa_check_auth_data(rp, &ad, why, whysz)))
        return rc;
    if ((rc = wa_cose_key_parse(a->public_key, a->public_key_len, &key, why, whysz)) != 0) {
        /* It was read once at registration: the stored row is damaged, which
         * is no failed login of the user's. */
        return fail(JUTSU_EMALFORMED, why, whysz, "the stored public key of this passkey "
                    "cannot be read; delete the passkey and register it again");
    }
    if ((rc = wa_verify_signature(&key, rp->rp_id, a->auth_data, a->auth_data_len,
                                  a->client_data, a->client_data_len, a->sig, a->sig_len,
                                  why, whysz)) != 0)
        return rc;
    if (!wa_counter_ok(a->stored_count, ad.sign_count))
        return fail(JUTSU_EAUTH, why, whysz, "signature counter %lu is not above the stored "
                    "%lld (a cloned authenticator or a replayed assertion)",
                    (unsigned long)ad.sign_count, (long long)a->stored_count);
    *new_count = ad.sign_count;
    return 0;
}

/* The attestation statement, per the policy (see the top of this file). */
static int check_statement(const struct wa_rp *rp, const struct wa_attestation *att,
                           const struct wa_cose_key *key, const uint8_t *client_data,
                           size_t client_data_len, int policy, int *attested,
                           char *why, size_t whysz)
{
    *attested = 0;
    if (strcmp(att->fmt, "none") == 0) {
        if (att->stmt_members != 0)
            return fail(JUTSU_EAUTH, why, whysz, "attestation: fmt \"none\" with a non-empty "
                        "attStmt");
        return 0;
    }
    if (strcmp(att->fmt, "packed") == 0 && !att->has_x5c) {
        if (!att->has_alg || att->sig_len == 0)
            return fail(JUTSU_EAUTH, why, whysz, "attestation: \"packed\" without alg or sig");
        if (att->alg != key->alg)
            return fail(JUTSU_EAUTH, why, whysz, "attestation: self attestation with alg "
                        "%lld, but the credential key is alg %d", (long long)att->alg,
                        key->alg);
        int rc = wa_verify_signature(key, rp->rp_id, att->auth_data, att->auth_data_len,
                                     client_data, client_data_len, att->sig, att->sig_len,
                                     why, whysz);
        if (rc == JUTSU_EAUTH)
            return fail(rc, why, whysz, "attestation: the \"packed\" self attestation "
                        "signature does not verify with the credential's key");
        *attested = rc == 0;
        return rc;
    }
    if (policy == WA_ATT_ANY)
        return 0;
    return fail(JUTSU_ENOTSUP, why, whysz, "attestation: format \"%s\"%s cannot be verified "
                "here; only \"none\" and \"packed\" self attestation are (attestation: any "
                "takes it unverified)", att->fmt, att->has_x5c ? " with a certificate" : "");
}

static int registration_from(const struct wa_rp *rp, const struct wa_attestation *att,
                             const uint8_t *client_data, size_t client_data_len, int policy,
                             struct wa_registration *out, char *why, size_t whysz)
{
    struct wa_auth_data ad;
    struct wa_cose_key key;
    int rc;
    if ((rc = wa_auth_data_parse(att->auth_data, att->auth_data_len, &ad, why, whysz)) ||
        (rc = wa_check_auth_data(rp, &ad, why, whysz)))
        return rc;
    if (!ad.has_credential)
        return fail(JUTSU_EAUTH, why, whysz, "authenticatorData: no attested credential data "
                    "(AT flag clear)");
    if ((rc = wa_cose_key_parse(ad.cose_key, ad.cose_key_len, &key, why, whysz)) ||
        (rc = check_statement(rp, att, &key, client_data, client_data_len, policy,
                              &out->attested, why, whysz)))
        return rc;
    memcpy(out->cred_id, ad.cred_id, ad.cred_id_len);
    out->cred_id_len = ad.cred_id_len;
    memcpy(out->public_key, ad.cose_key, ad.cose_key_len);
    out->public_key_len = ad.cose_key_len;
    out->alg = key.alg;
    out->sign_count = ad.sign_count;
    out->flags = ad.flags;
    memcpy(out->aaguid, ad.aaguid, sizeof(out->aaguid));
    memcpy(out->fmt, att->fmt, sizeof(out->fmt));
    return 0;
}

int wa_verify_registration(const struct wa_rp *rp, const uint8_t *challenge,
                           size_t challenge_len, const uint8_t *client_data,
                           size_t client_data_len, const uint8_t *att_obj, size_t att_obj_len,
                           int policy, struct wa_registration *out, char *why, size_t whysz)
{
    if (out == NULL || att_obj == NULL)
        return fail(JUTSU_EINVAL, why, whysz, "no attestation object or result");
    memset(out, 0, sizeof(*out));
    int rc = wa_check_client_data(rp, client_data, client_data_len, "webauthn.create",
                                  challenge, challenge_len, why, whysz);
    if (rc != 0)
        return rc;
    /* ~5 KiB: kept off the stack of the frontend's worker threads */
    struct wa_attestation *att = malloc(sizeof(*att));
    if (att == NULL)
        return fail(JUTSU_ENOMEM, why, whysz, "out of memory reading an attestation");
    rc = wa_attestation_parse(att_obj, att_obj_len, att, why, whysz);
    if (rc == 0)
        rc = registration_from(rp, att, client_data, client_data_len, policy, out, why, whysz);
    free(att);
    return rc;
}
