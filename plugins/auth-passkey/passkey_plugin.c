/*
 * plugins/auth-passkey/passkey_plugin.c — auth-passkey: WebAuthn passkeys
 * as a login factor (jutsu/auth.h, factor "passkey").
 *
 * The host's login chain calls it after the password; the frontend passes
 * the browser's JSON through unchanged.
 *
 *   enrol(uid, {"action": "options"})
 *       {"publicKey": PublicKeyCredentialCreationOptions} for
 *       navigator.credentials.create(): rp {id, name}; user {id, name,
 *       displayName}, where user.id, the user handle, is the user id as 8
 *       bytes big endian (opaque, stable, no personal data) and name and
 *       displayName the username; challenge (32 random bytes); the
 *       algorithms ES256 (-7), EdDSA (-8), RS256 (-257); timeout
 *       (challenge_ttl in ms); excludeCredentials, the user's passkeys, so
 *       an authenticator is not registered twice; authenticatorSelection
 *       {residentKey "preferred", userVerification}; attestation "none".
 *       JUTSU_ENOENT when the user does not exist.
 *   enrol(uid, {"action": "register", "credential", "device_name"?})
 *       credential is the PublicKeyCredential of the create() (toJSON():
 *       binary members base64url) with response {clientDataJSON,
 *       attestationObject}. Checks it (below) and stores the passkey:
 *       {id, device_name (null if none given; at most 100 bytes), aaguid}.
 *       JUTSU_EEXIST when that credential is already registered,
 *       JUTSU_EFULL at 32 passkeys for the user.
 *   begin(uid)
 *       {"publicKey": PublicKeyCredentialRequestOptions} for
 *       navigator.credentials.get(): challenge, rpId, timeout,
 *       userVerification, allowCredentials (the user's passkeys).
 *       JUTSU_ENOENT when the user has none.
 *   verify(uid, credential)
 *       the PublicKeyCredential of the get(), response {clientDataJSON,
 *       authenticatorData, signature, userHandle?}: 0 when it is a fresh
 *       answer, by one of uid's passkeys, to a challenge begin() gave uid.
 *
 * What is checked (W3C WebAuthn Level 3 §7.1 and §7.2; webauthn_verify.c):
 * the challenge was issued to this user for this ceremony, less than
 * challenge_ttl ago, and is used up by the first answer that names it,
 * right or wrong; clientDataJSON's type is "webauthn.create" or
 * "webauthn.get"; its origin is one of `origins`, not in a cross-origin
 * frame; rpIdHash is SHA-256 of rp_id; the user-present flag is set, and
 * user-verified when user_verification is "required"; at registration the
 * credential is new, its ID at most 1023 bytes and its key one of the
 * three algorithms (RSA keys: 2048 bits); at login the credential is one
 * of this user's, the userHandle (if sent) is this user's, the signature
 * verifies (libfido2) and the signature counter grew (both 0 is allowed:
 * authenticators without a counter, which synced passkeys are); the new
 * count and time are then stored.
 *
 * Attestation (the `attestation` key). We ask for "none" and trust no
 * authenticator model, so a statement adds nothing to our security: "none"
 * and "packed" self attestation are checked, other formats are, with
 * `any`, taken unverified (platforms that ignore "none" can still
 * enrol), and with `none-or-self` refused.
 *
 * Errors: JUTSU_EAUTH for a wrong, forged, replayed, expired or foreign
 * answer (the host counts it towards lockout); JUTSU_EINVAL for a request
 * whose JSON shape is wrong (the reason names the member); JUTSU_ENOENT as
 * above; anything else is the server's (database, memory). Reasons go
 * through host->set_error and never contain challenges, keys or
 * signatures.
 *
 * State: pending challenges live in memory (at most 1024, 8 per user) and
 * are lost on restart; passkeys live in the passkeys table.
 *
 * Threading: begin, verify and enrol may run concurrently; the challenges
 * are behind a mutex, and each call has its own data session.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/auth.h"
#include "jutsu/config.h"
#include "jutsu/error.h"
#include "jutsu/plugin.h"
#include "passkey.h"

#define DEFAULT_ORIGIN "http://localhost:8080"

static const char *const uv_choices[] = { "preferred", "required", "discouraged", NULL };
static const int uv_values[] = { PK_UV_PREFERRED, PK_UV_REQUIRED, PK_UV_DISCOURAGED };
static const char *const att_choices[] = { "any", "none-or-self", NULL };
static const int att_values[] = { WA_ATT_ANY, WA_ATT_SELF };

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("rp_id", JUTSU_CFG_STR, "localhost",
                     "The relying party ID: the site's domain (no scheme, no port); passkeys "
                     "are bound to it", struct passkey, rp_id),
    JUTSU_CFG_KEY_AT("rp_name", JUTSU_CFG_STR, "Jutsu",
                     "The name authenticators show for the site", struct passkey, rp_name),
    { .name = "origins", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .def = "[\"" DEFAULT_ORIGIN "\"]",
      .help = "Origins the login page is served from, exactly as browsers write them "
              "(scheme://host[:port], no path); each host is rp_id or under it" },
    JUTSU_CFG_ENUM_AT("user_verification", uv_choices, uv_values, "preferred",
                      "Ask for a PIN or biometric (preferred), insist on it (required), or "
                      "not (discouraged)", struct passkey, user_verification),
    JUTSU_CFG_INT_RANGE_AT("challenge_ttl", "120", 10, 600,
                           "Seconds a challenge stays valid, and the browser's timeout",
                           struct passkey, challenge_ttl),
    JUTSU_CFG_ENUM_AT("attestation", att_choices, att_values, "any",
                      "Attestation statements: any (those that cannot be checked are taken "
                      "unverified) or none-or-self (refuse them)", struct passkey, attestation),
    JUTSU_CFG_END
};

/* --- settings ---------------------------------------------------------------- */

/* An RP ID is a domain: lower-case labels of letters, digits and '-'. */
static int rp_id_valid(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Nonzero when host (len n) is rp_id or a subdomain of it. */
static int host_on_rp(const char *host, size_t n, const char *rp_id)
{
    size_t r = strlen(rp_id);
    if (n == r)
        return memcmp(host, rp_id, n) == 0;
    return n > r && host[n - r - 1] == '.' && memcmp(host + n - r, rp_id, r) == 0;
}

static int is_loopback(const char *host, size_t n)
{
    return (n == 9 && memcmp(host, "localhost", 9) == 0) ||
           (n > 10 && memcmp(host + n - 10, ".localhost", 10) == 0);
}

/* Why the origin can never match what a browser sends on rp_id, or NULL. */
static const char *origin_problem(const char *o, const char *rp_id)
{
    int https = strncmp(o, "https://", 8) == 0;
    if (!https && strncmp(o, "http://", 7) != 0)
        return "must start with https:// (or http:// for localhost)";
    const char *host = o + (https ? 8 : 7), *colon = strchr(host, ':');
    if (strchr(host, '/') != NULL)
        return "has a path or a trailing slash; browsers send scheme://host[:port] only";
    size_t n = colon ? (size_t)(colon - host) : strlen(host);
    if (n == 0)
        return "has no host";
    if (colon != NULL && (colon[1] == '\0' || strspn(colon + 1, "0123456789") !=
                          strlen(colon + 1)))
        return "has a port that is not a number";
    if (colon != NULL && strcmp(colon + 1, https ? "443" : "80") == 0)
        return "names the scheme's default port, which browsers leave out";
    if (!https && !is_loopback(host, n))
        return "is plain http on a host other than localhost: browsers offer WebAuthn only "
               "to secure contexts";
    if (!host_on_rp(host, n, rp_id))
        return "is not on rp_id (its host must be rp_id or a subdomain of it)";
    return NULL;
}

/* The configured origins; without the key, DEFAULT_ORIGIN (a list's
 * default is documentation to the host, not a value it fills in). */
static int read_origins(struct passkey *pk)
{
    const struct jutsu_host *h = pk->host;
    int n = h->cfg_count(pk->ctx, "origins");
    if (n == JUTSU_ENOENT) {
        pk->origins[0] = DEFAULT_ORIGIN;
        n = 1;
    } else if (n <= 0) {
        return h->cfg_error(pk->ctx, "origins", "origins is empty: name the origin the login "
                            "page is served from");
    } else if (n > PK_ORIGINS_MAX) {
        return h->cfg_error(pk->ctx, "origins", "origins has %d entries, at most %d", n,
                            PK_ORIGINS_MAX);
    } else {
        for (int i = 0; i < n; i++) {
            char path[32];
            snprintf(path, sizeof(path), "origins[%d]", i);
            if (h->cfg_str(pk->ctx, path, &pk->origins[i]) != 0)
                return h->cfg_error(pk->ctx, "origins", "origins[%d] is not a string", i);
        }
    }
    pk->norigins = (size_t)n;
    for (size_t i = 0; i < pk->norigins; i++) {
        const char *why = origin_problem(pk->origins[i], pk->rp_id);
        if (why != NULL)
            return h->cfg_error(pk->ctx, "origins", "origin \"%.100s\" %s", pk->origins[i],
                                why);
    }
    return 0;
}

static int read_settings(struct passkey *pk)
{
    if (pk->host->cfg_fill(pk->ctx, pk) != 0)   /* the host has said which key, and why */
        return JUTSU_ECONFIG;
    if (!rp_id_valid(pk->rp_id))
        return pk->host->cfg_error(pk->ctx, "rp_id", "rp_id \"%.100s\" is not a lower-case "
                                   "domain name (no scheme, port or path), e.g. example.com",
                                   pk->rp_id);
    int rc = read_origins(pk);
    if (rc != 0)
        return rc;
    pk->rp.rp_id = pk->rp_id;
    pk->rp.origins = pk->origins;
    pk->rp.norigins = pk->norigins;
    pk->rp.require_uv = pk->user_verification == PK_UV_REQUIRED;
    return 0;
}

/* --- lifecycle ------------------------------------------------------------------ */

static void pk_destroy(void *state)
{
    struct passkey *pk = state;
    if (pk == NULL)
        return;
    pthread_mutex_destroy(&pk->lock);
    sodium_memzero(pk->pending, sizeof(pk->pending));
    free(pk);
}

static int pk_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    if (sodium_init() < 0) {
        host->set_error(ctx, "libsodium cannot initialise (no system randomness?)");
        return JUTSU_EIO;
    }
    struct passkey *pk = calloc(1, sizeof(*pk));
    if (pk == NULL)
        return JUTSU_ENOMEM;
    pk->host = host;
    pk->ctx = ctx;
    int rc = read_settings(pk);
    if (rc != 0) {
        free(pk);
        return rc;
    }
    if (pthread_mutex_init(&pk->lock, NULL) != 0) {
        free(pk);
        host->set_error(ctx, "cannot create a mutex");
        return JUTSU_ENOMEM;
    }
    *state = pk;
    return 0;
}

static const struct jutsu_auth_ops ops = {
    .size   = sizeof(struct jutsu_auth_ops),
    .factor = "passkey",
    .begin  = pk_begin,
    .verify = pk_verify,
    .enrol  = pk_enrol,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_AUTH,
    .name        = "auth-passkey",
    .version     = "1.0.0",
    .description = "WebAuthn passkeys as a login factor (libfido2 signatures, our own RP checks)",
    .schema      = schema,
    .init        = pk_init,
    .destroy     = pk_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
