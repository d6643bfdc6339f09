/*
 * core/auth/cache.h — what check() and user_json() read on every request,
 * kept for a moment so that a request costs no database round trip.
 *
 * Two direct-mapped tables: tokens by jti ("not revoked, belongs to user
 * N") and users by id (name, role, active, the password tag, their JSON).
 * An entry is good while the process's generation of user-table writes
 * (jutsu_data_users_generation) has not moved since it was read and it is
 * younger than the time to live: a change this process makes (logout, a
 * new password, a disabled user) applies to the very next request; one
 * made by another process (the CLI, another node) within the time to live
 * (auth.cache_ms, 1 s by default; 0 turns the cache off).
 */
#ifndef JUTSU_CORE_AUTH_CACHE_H
#define JUTSU_CORE_AUTH_CACHE_H

#include <pthread.h>
#include <stdint.h>

#include "jutsu/clock.h"

#define JUTSU_AUTH_CACHE_SLOTS 1024

struct jutsu_auth_user_snap {
    int64_t id;
    char    username[64];
    char    role[24];
    char    pwv[16];
    int     active;
};

struct jutsu_auth_cache;

int  jutsu_auth_cache_new(struct jutsu_auth_cache **out);
void jutsu_auth_cache_free(struct jutsu_auth_cache *c);

/* 1 and *u when the token jti of user uid and the user are both fresh. */
int  jutsu_auth_cache_check(struct jutsu_auth_cache *c, const char *jti, int64_t uid,
                            jutsu_time_t now, int64_t ttl_us, struct jutsu_auth_user_snap *u);
/* Remembers a token found not revoked and its user, as read at generation gen. */
void jutsu_auth_cache_put(struct jutsu_auth_cache *c, const char *jti,
                          const struct jutsu_auth_user_snap *u, uint64_t gen, jutsu_time_t at);
/* A copy of uid's JSON text (free it), or NULL. */
char *jutsu_auth_cache_json(struct jutsu_auth_cache *c, int64_t uid, jutsu_time_t now,
                            int64_t ttl_us);
void jutsu_auth_cache_put_json(struct jutsu_auth_cache *c, int64_t uid, const char *json,
                               uint64_t gen, jutsu_time_t at);

#endif
