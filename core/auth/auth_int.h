/*
 * core/auth/auth_int.h — what the files of core/auth share.
 */
#ifndef JUTSU_CORE_AUTH_INT_H
#define JUTSU_CORE_AUTH_INT_H

#include <pthread.h>

#include "jutsu/data.h"
#include "auth/auth.h"
#include "auth/cache.h"
#include "auth/jwt.h"
#include "auth/keys.h"

struct jutsu_auth {
    struct jutsu_auth_env env;
    pthread_mutex_t       lock;       /* keys loading; lockout and refresh
                                         read-modify-writes               */
    int                   keys_loaded;
    struct jutsu_keys     keys;
    struct jutsu_auth_cache *cache;
};

/* settings.auth.cache_ms in micro-seconds */
#define AUTH_CACHE_TTL(a) ((int64_t)(a)->env.settings->cache_ms * 1000)

#define AUTH_LOG "auth"

/* A data session; on failure *out is the error object. */
int  jutsu_auth_dbs(struct jutsu_auth *a, jutsu_dbs **s, struct json_object **out);
/* The keys, loaded on first use; on failure *out is the error object. */
int  jutsu_auth_keys(struct jutsu_auth *a, const struct jutsu_keys **k, struct json_object **out);
jutsu_time_t jutsu_auth_now(struct jutsu_auth *a);
/* The factor's plugin; on failure *out says none is configured. */
int  jutsu_auth_factor_get(struct jutsu_auth *a, const char *factor,
                           struct jutsu_auth_factor *f, struct json_object **out);
/* Sets *out to a new error object and returns rc. */
int  jutsu_auth_fail(struct json_object **out, int rc, const char *code, const char *message,
                     const char *hint);
/* A database failure: logged with the session's error, answered 500. */
int  jutsu_auth_fail_db(jutsu_dbs *s, struct json_object **out, int rc, const char *what);
/* The tag of a password hash that tokens carry (pwv). */
void jutsu_auth_pwv(const struct jutsu_keys *k, const char *password_hash, char out[16]);
/* Publishes topic with payload (taken) on the bus, if there is one. */
void jutsu_auth_event(struct jutsu_auth *a, const char *topic, struct json_object *payload);
/* {access_token, refresh_token, ...} for user u in login family `fam`
 * (NULL: a new login). */
int  jutsu_auth_issue(struct jutsu_auth *a, const struct jutsu_keys *k,
                      const struct jutsu_user_row *u, const char *fam, struct json_object **out);
/* Whether the jti or the family is revoked. */
int  jutsu_auth_revoked(jutsu_dbs *s, const struct jutsu_jwt_claims *c, int *yes);

#endif
