/*
 * jutsu/session.h — the host's sessions: who may come in, and what they
 * may do. One implementation (core/auth) for every frontend and the CLI.
 *
 * A frontend gets the table from host->sessions(ctx) (ABI 1.2) and turns
 * HTTP into these calls and their answers back into HTTP; it decides
 * nothing about credentials itself.
 *
 * Tokens are JWT HS256 with a fixed header naming the key id; the MAC is
 * checked over the bytes as received before anything is parsed. Access
 * tokens live settings.auth.access_ttl (15 min), refresh tokens
 * refresh_ttl (7 days). A refresh rotates: the old refresh token is
 * blacklisted, and presenting it again revokes that login's whole family.
 * Logout blacklists the access token and the family. A token also dies
 * when its user is disabled or deleted, or changes the password.
 *
 * Answers. Every call that takes `out` sets *out (the caller puts it) on
 * return: on success the body to send, on failure an error object
 *   {"code": "locked", "message": "...", "hint": "...", "locked_until"?}
 * whose `code` is stable (bad_credentials, locked, bad_token, bad_request,
 * weak_password, not_found, conflict, unavailable, internal). The return
 * code is 0 or: JUTSU_EAUTH (401), JUTSU_ELOCKED (423), JUTSU_EINVAL (400),
 * JUTSU_ENOENT (404), JUTSU_EEXIST (409), JUTSU_EFULL (503, too many
 * password hashes at once), other codes (500). No answer and no log line
 * holds a password, code, secret or token.
 *
 * `client` names the caller for the audit trail ("127.0.0.1", "cli").
 *
 * Threading: every call may be made from any thread at once.
 */
#ifndef JUTSU_SESSION_H
#define JUTSU_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/plugin.h"

struct json_object;

/* Permissions: each route names one; a role is a set of them
 * (core/auth/roles.c holds the one table). */
enum jutsu_perm {
    JUTSU_PERM_PUBLIC  = 0,        /* anyone, signed in or not              */
    JUTSU_PERM_SELF    = 1u << 0,  /* any signed-in user: own account, 2FA  */
    JUTSU_PERM_READ    = 1u << 1,  /* read data, state and status           */
    JUTSU_PERM_CONTROL = 1u << 2,  /* run jobs, change config and mode      */
    JUTSU_PERM_USERS   = 1u << 3   /* manage users and invitations          */
};

/* Who is calling: what check() finds in a valid access token. */
struct jutsu_identity {
    int64_t      user_id;
    char         username[64];
    char         role[24];
    uint32_t     perms;            /* JUTSU_PERM_* bits of the role */
    char         jti[40];          /* this token's id                */
    char         family[40];       /* the login it belongs to        */
    jutsu_time_t expires_at;
};

struct jutsu_sessions {
    uint32_t size;

    /* The permission bits of a role name; 0 for an unknown role. */
    uint32_t (*role_perms)(const char *role);
    /* The name of one permission bit ("read"), for messages and docs. */
    const char *(*perm_name)(uint32_t perm);

    /* An access token (the bytes of a Bearer header) → who. JUTSU_EAUTH
     * when it is malformed, forged, of another kind, expired, revoked, or
     * its user is gone, disabled or changed the password. */
    int (*check)(jutsu_ctx *ctx, const char *token, struct jutsu_identity *who,
                 struct json_object **out);

    /* Password step: {access_token, refresh_token, token_type, expires_in,
     * refresh_expires_in} or, when a second factor is due, {requires_2fa:
     * true, methods: ["passkey"?, "totp"?, "backup_code"?], challenge_token}. */
    int (*login)(jutsu_ctx *ctx, const char *username, const char *password,
                 const char *client, struct json_object **out);
    /* A challenge for the second factor `factor` of a login (passkey:
     * the WebAuthn assertion options). */
    int (*login_begin)(jutsu_ctx *ctx, const char *challenge_token, const char *factor,
                       struct json_object **out);
    /* The second factor's answer (totp: {code}, which also takes a backup
     * code; passkey: the assertion) → the tokens. A challenge token is
     * good for one success and settings.auth.challenge_ttl. */
    int (*login_finish)(jutsu_ctx *ctx, const char *challenge_token, const char *factor,
                        struct json_object *response, const char *client,
                        struct json_object **out);
    /* A refresh token → a new pair (rotation, see above). */
    int (*refresh)(jutsu_ctx *ctx, const char *refresh_token, const char *client,
                   struct json_object **out);
    /* Checks user_id's password again before a sensitive change (a new
     * password): 0, or JUTSU_EAUTH counted towards lockout like a login. */
    int (*reauth)(jutsu_ctx *ctx, int64_t user_id, const char *password, const char *client,
                  struct json_object **out);
    /* Ends the login `who` belongs to; `refresh_token` may be NULL. */
    int (*logout)(jutsu_ctx *ctx, const struct jutsu_identity *who,
                  const char *refresh_token, const char *client);

    /* Enrols or manages a factor of user_id (see jutsu/auth.h for the
     * requests); JUTSU_ENOENT when no plugin serves `factor`. */
    int (*factor_enrol)(jutsu_ctx *ctx, int64_t user_id, const char *factor,
                        struct json_object *request, struct json_object **out);

    /* Users. The password is checked against the policy (12 characters at
     * least, not the username, not a common password) before it is hashed. */
    int (*user_create)(jutsu_ctx *ctx, const char *username, const char *password,
                       const char *role, const char *email, const char *client,
                       int64_t *user_id, struct json_object **out);
    /* Sets a new password; ends the user's other sessions. */
    int (*set_password)(jutsu_ctx *ctx, int64_t user_id, const char *password,
                        const char *client, struct json_object **out);
    /* {token, url, expires_at}: a single-use invitation, settings.auth.
     * invitation_ttl long; created_by 0 for the CLI or the first start. */
    int (*invite)(jutsu_ctx *ctx, int64_t created_by, const char *email, const char *role,
                  struct json_object **out);
    /* {email, role, expires_at} of a pending invitation. */
    int (*invitation)(jutsu_ctx *ctx, const char *token, struct json_object **out);
    /* Creates the user the invitation names; {id, username, role}. */
    int (*accept)(jutsu_ctx *ctx, const char *token, const char *username,
                  const char *password, const char *client, struct json_object **out);
    /* {id, username, email, role, is_active, totp_enabled, passkeys,
     * locked_until?, last_login?, created_at} of one user. */
    int (*user_json)(jutsu_ctx *ctx, int64_t user_id, struct json_object **out);
};

/* The table's size at ABI 1.2, frozen (through user_json). */
#define JUTSU_SESSIONS_SIZE_1_2 JUTSU_SIZE_THROUGH(jutsu_sessions, user_json)

#endif
