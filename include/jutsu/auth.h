/*
 * jutsu/auth.h — an auth plugin is one way to prove who you are.
 *
 * The frontend runs a login as a chain of steps: password, then (if the
 * user has them) passkey or TOTP. Each auth plugin implements one factor:
 * it may start a challenge (a WebAuthn challenge, nothing for a password)
 * and verify a response against the user's stored credentials, which it
 * reads and updates through the host's data API (users, passkeys). Tokens
 * (JWT), lockout and sessions are the frontend's.
 *
 * Threading: begin and verify may be called concurrently from the
 * frontend's worker threads; implementations keep no per-request state in
 * the instance except behind their own lock.
 *
 * Errors: JUTSU_EAUTH for a wrong credential (the frontend counts it
 * towards lockout), JUTSU_ENOENT when the user has no such factor,
 * anything else is a server-side failure.
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
