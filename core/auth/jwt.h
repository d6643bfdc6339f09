/*
 * core/auth/jwt.h — JSON Web Tokens, HS256 only, with a fixed header.
 *
 * A token is made here with the header {"alg":"HS256","typ":"JWT",
 * "kid":KID}, byte for byte. Verification compares the received header
 * bytes with that exact text for one of the key file's ids, so a token
 * naming another alg (none, HS512, RS256) or another kid is refused before
 * anything else; then the MAC is checked, in constant time, over the bytes
 * as received; only then is the payload parsed. Tokens are bounded in
 * size, and the payload must carry every claim below with its type.
 */
#ifndef JUTSU_CORE_AUTH_JWT_H
#define JUTSU_CORE_AUTH_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "auth/keys.h"

#define JUTSU_JWT_MAX   2048   /* bytes of a token we accept  */
#define JUTSU_JTI_LEN   22     /* 16 random bytes, base64url  */

struct jutsu_jwt_claims {
    int64_t      sub;            /* user id                                  */
    char         typ[12];        /* "access", "refresh", "challenge"         */
    char         jti[JUTSU_JTI_LEN + 1];
    char         fam[JUTSU_JTI_LEN + 1];   /* the login this token belongs to */
    char         pwv[16];        /* a tag of the password hash at issue      */
    jutsu_time_t iat, exp;       /* UTC micro-seconds (seconds in the token)  */
};

/* The fixed header naming `kid`, base64url, into out (96 bytes suffice). */
void jutsu_jwt_header(const char *kid, char *out, size_t outsz);

/* A fresh random id (jti, family) into out[JUTSU_JTI_LEN + 1]. */
void jutsu_jwt_new_id(char out[JUTSU_JTI_LEN + 1]);

/* Signs `c` with the current key. 0, JUTSU_EINVAL, JUTSU_EFULL. */
int  jutsu_jwt_sign(const struct jutsu_keys *k, const struct jutsu_jwt_claims *c,
                    char *out, size_t outsz);

/* Checks `token` and fills *c. `now` refuses an expired token (exp <= now).
 * 0 or JUTSU_EAUTH; *why (static text) says which check refused it, for
 * the audit log: never shown to the caller, never the token itself. */
int  jutsu_jwt_verify(const struct jutsu_keys *k, const char *token, jutsu_time_t now,
                      struct jutsu_jwt_claims *c, const char **why);

#endif
