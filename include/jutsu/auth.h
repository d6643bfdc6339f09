/*
 * jutsu/auth.h — an auth plugin is one way to prove who you are.
 *
 * The host runs a login as a chain of steps (core/auth): the password,
 * then, if the user has them, a passkey or a TOTP code. Each auth plugin
 * implements one factor: it may start a challenge (a WebAuthn challenge;
 * nothing for a password) and verify a response against the user's stored
 * credentials, which it reads and updates through the host's data API
 * (users, passkeys). Tokens (JWT), lockout, roles and sessions are the
 * host's (jutsu/session.h); a plugin never sees a token.
 *
 * The host finds the plugin for a factor by `factor` ("password", "totp",
 * "passkey"); one instance per factor. Requests and answers are JSON
 * objects, so that a frontend can pass the client's body through; what
 * each factor takes and gives is below. A plugin checks the shape of what
 * it is given (a missing or mistyped member is JUTSU_EINVAL with a reason
 * through host->set_error naming the member) and bounds every length.
 *
 * password
 *   verify(uid, {"password"})   0 when it matches. uid 0 or a user without
 *                               a usable hash still costs one full hash
 *                               (so timing does not tell who exists) and
 *                               gives JUTSU_EAUTH. A match on a legacy
 *                               bcrypt hash, or on a hash made with other
 *                               cost parameters, re-hashes and stores it.
 *   enrol(uid, {"password"})    hashes and stores users.password_hash;
 *                               *result NULL. Policy (length, common
 *                               passwords) is the host's, checked before.
 * totp
 *   verify(uid, {"code"})       six digits: the TOTP code (±1 step, each
 *                               step accepted once); otherwise a backup
 *                               code, which is then used up. JUTSU_ENOENT
 *                               when TOTP is not enabled for uid.
 *   enrol(uid, {"action": "setup"})            {secret, otpauth_uri}; the
 *                               secret is stored sealed (host->seal), TOTP
 *                               not yet enabled
 *   enrol(uid, {"action": "verify", "code"})   enables it: {backup_codes}
 *   enrol(uid, {"action": "disable", "code"})  a current code or backup
 *                               code is required; clears secret and codes
 *   enrol(uid, {"action": "backup-codes", "code"})  a new set: {backup_codes}
 *   enrol(uid, {"action": "status"})           {enabled, backup_codes_left}
 * passkey (WebAuthn)
 *   begin(uid, &c)              assertion options for uid's credentials:
 *                               {"publicKey": {challenge, rpId, timeout,
 *                               userVerification, allowCredentials}};
 *                               JUTSU_ENOENT when uid has none
 *   verify(uid, credential)     the PublicKeyCredential of an assertion as
 *                               JSON (binary members base64url): {id, rawId,
 *                               type, response: {clientDataJSON,
 *                               authenticatorData, signature, userHandle?}}
 *   enrol(uid, {"action": "options"})     creation options {"publicKey": ...}
 *   enrol(uid, {"action": "register", "credential", "device_name"?})
 *                               verifies an attestation (response:
 *                               {clientDataJSON, attestationObject}) and
 *                               stores the passkey: {id, device_name, aaguid}
 *
 * Threading: begin, verify and enrol may be called concurrently from the
 * frontend's worker threads; implementations keep per-request state (a
 * pending challenge) in the instance only behind their own lock.
 *
 * Errors: JUTSU_EAUTH for a wrong credential (the host counts it towards
 * lockout), JUTSU_ENOENT when the user has no such factor, JUTSU_EINVAL
 * for a malformed request, anything else is a server-side failure. The
 * reason goes through host->set_error; it never contains the secret.
 */
#ifndef JUTSU_AUTH_H
#define JUTSU_AUTH_H

#include <stdint.h>

#include "jutsu/plugin.h"

struct json_object;

struct jutsu_auth_ops {
    uint32_t size;
    const char *factor;   /* "password", "totp", "passkey" */
    /* optional: make a challenge for `user_id`; *challenge owned by the caller */
    int (*begin)(void *state, int64_t user_id, struct json_object **challenge);
    /* mandatory: check `response` (the client's JSON) for `user_id` */
    int (*verify)(void *state, int64_t user_id, struct json_object *response);
    /* optional: enrol a new credential; *result owned by the caller */
    int (*enrol)(void *state, int64_t user_id, struct json_object *request,
                 struct json_object **result);
};

/* The table's size at ABI 1.0 (through `enrol`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_AUTH_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_auth_ops, enrol)

#endif
