/*
 * core/auth/cache.c — see cache.h. One mutex: an entry is copied in or
 * out under it in well under a microsecond, which is shorter than the
 * contention it would take to make a lock-free table pay.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "auth/cache.h"
#include "auth/jwt.h"
#include "store/data_api.h"

struct tok_slot {
    char         jti[JUTSU_JTI_LEN + 1];
    int64_t      uid;
    uint64_t     gen;
    jutsu_time_t at;
};

struct user_slot {
    struct jutsu_auth_user_snap u;
    uint64_t     gen;
    jutsu_time_t at;
    char        *json;
    uint64_t     json_gen;
    jutsu_time_t json_at;
};

struct jutsu_auth_cache {
    pthread_mutex_t  lock;
    struct tok_slot  toks[JUTSU_AUTH_CACHE_SLOTS];
    struct user_slot users[JUTSU_AUTH_CACHE_SLOTS];
};

int jutsu_auth_cache_new(struct jutsu_auth_cache **out)
{
    struct jutsu_auth_cache *c = calloc(1, sizeof(*c));
    if (c == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return JUTSU_ENOMEM;
    }
    *out = c;
    return 0;
}

void jutsu_auth_cache_free(struct jutsu_auth_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < JUTSU_AUTH_CACHE_SLOTS; i++)
        free(c->users[i].json);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static size_t tok_index(const char *jti)
{
    uint32_t h = 2166136261u;
    for (; *jti; jti++)
        h = (h ^ (unsigned char)*jti) * 16777619u;
    return h % JUTSU_AUTH_CACHE_SLOTS;
}

static size_t user_index(int64_t uid)
{
    return (size_t)((uint64_t)uid % JUTSU_AUTH_CACHE_SLOTS);
}

static int fresh(uint64_t gen, jutsu_time_t at, jutsu_time_t now, int64_t ttl_us)
{
    return gen == jutsu_data_users_generation() && now >= at && now - at < ttl_us;
}

int jutsu_auth_cache_check(struct jutsu_auth_cache *c, const char *jti, int64_t uid,
                           jutsu_time_t now, int64_t ttl_us, struct jutsu_auth_user_snap *u)
{
    int hit = 0;
    if (ttl_us <= 0)
        return 0;
    pthread_mutex_lock(&c->lock);
    const struct tok_slot *t = &c->toks[tok_index(jti)];
    const struct user_slot *s = &c->users[user_index(uid)];
    if (t->uid == uid && strcmp(t->jti, jti) == 0 && fresh(t->gen, t->at, now, ttl_us) &&
        s->u.id == uid && fresh(s->gen, s->at, now, ttl_us)) {
        *u = s->u;
        hit = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void jutsu_auth_cache_put(struct jutsu_auth_cache *c, const char *jti,
                          const struct jutsu_auth_user_snap *u, uint64_t gen, jutsu_time_t at)
{
    pthread_mutex_lock(&c->lock);
    struct tok_slot *t = &c->toks[tok_index(jti)];
    struct user_slot *s = &c->users[user_index(u->id)];
    memcpy(t->jti, jti, sizeof(t->jti));
    t->jti[JUTSU_JTI_LEN] = '\0';
    t->uid = u->id;
    t->gen = gen;
    t->at = at;
    if (s->u.id != u->id) {
        free(s->json);
        s->json = NULL;
    }
    s->u = *u;
    s->gen = gen;
    s->at = at;
    pthread_mutex_unlock(&c->lock);
}

char *jutsu_auth_cache_json(struct jutsu_auth_cache *c, int64_t uid, jutsu_time_t now,
                            int64_t ttl_us)
{
    char *out = NULL;
    if (ttl_us <= 0)
        return NULL;
    pthread_mutex_lock(&c->lock);
    const struct user_slot *s = &c->users[user_index(uid)];
    if (s->u.id == uid && s->json && fresh(s->json_gen, s->json_at, now, ttl_us))
        out = strdup(s->json);
    pthread_mutex_unlock(&c->lock);
    return out;
}

void jutsu_auth_cache_put_json(struct jutsu_auth_cache *c, int64_t uid, const char *json,
                               uint64_t gen, jutsu_time_t at)
{
    char *copy = strdup(json);
    if (copy == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    struct user_slot *s = &c->users[user_index(uid)];
    if (s->u.id != uid) {   /* the slot holds another user: take it over */
        memset(&s->u, 0, sizeof(s->u));
        s->u.id = uid;
        s->gen = 0;
    }
    free(s->json);
    s->json = copy;
    s->json_gen = gen;
    s->json_at = at;
    pthread_mutex_unlock(&c->lock);
}
