/*
 * plugins/frontend-http/fe_ratelimit.c — sign-in attempts per client
 * address: the public routes that check a secret (login, its second
 * factor, a passkey assertion, a refresh token, an invitation's accept)
 * take `login_rate_per_min` requests a minute from one address, with
 * bursts of `login_burst`; more get 429 `too_many_requests` with
 * Retry-After. Per-account lockout (core/auth) stops guessing one
 * account's password; this stops one address from guessing many accounts,
 * and from spending the server's CPU on Argon2id hashes.
 *
 * The limit is GCRA, a token bucket kept as one instant per address: the
 * "theoretical arrival time" (tat). A request at `now` passes when tat is
 * at most `now + tolerance` ahead, and pushes tat on by one interval
 * (60 s / rate); tolerance is (burst - 1) intervals. Integer microseconds
 * on the host's clock (tests step it).
 *
 * Memory is fixed: FE_RL_SETS sets of FE_RL_WAYS slots, an address hashed
 * to one set; a new address takes its set's least recently seen slot. An
 * evicted address starts again with a full bucket, so the table is sized
 * well above the addresses that sign in within a burst's time. IPv6
 * addresses are keyed by their /64: one host usually holds a whole /64,
 * and could otherwise take a fresh address per attempt.
 *
 * Behind a reverse proxy every client has the proxy's address: raise the
 * rate there, or limit at the proxy.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "fe.h"

#define FE_RL_SETS 1024
#define FE_RL_WAYS 8

struct rl_slot {
    uint8_t      key[16];     /* an IPv4 address, or an IPv6 /64; zero: free */
    uint8_t      used;
    jutsu_time_t tat;         /* the bucket: when it would be full again */
    jutsu_time_t seen;        /* last request, for eviction */
};

struct fe_ratelimit {
    pthread_mutex_t lock;
    jutsu_time_t    interval_us, tolerance_us;
    int64_t         limited, tracked;
    struct rl_slot  slots[FE_RL_SETS][FE_RL_WAYS];
};

/* The routes limited here, by method and pattern (fe_routes.c). */
static const struct {
    const char *method, *pattern;
} limited_routes[] = {
    { "POST", "/api/auth/login" },
    { "POST", "/api/auth/login-2fa" },
    { "POST", "/api/auth/refresh" },
    { "POST", "/api/passkey/authenticate" },
    { "POST", "/api/invitations/{token}/accept" },
};

int fe_ratelimit_start(struct fe *fe)
{
    if (fe->login_rate_per_min == 0)
        return 0;   /* off */
    struct fe_ratelimit *rl = calloc(1, sizeof(*rl));
    if (rl == NULL)
        return JUTSU_ENOMEM;
    if (pthread_mutex_init(&rl->lock, NULL) != 0) {
        free(rl);
        return JUTSU_ENOMEM;
    }
    rl->interval_us = 60 * (jutsu_time_t)1000000 / fe->login_rate_per_min;
    rl->tolerance_us = (fe->login_burst - 1) * rl->interval_us;
    fe->ratelimit = rl;
    return 0;
}

void fe_ratelimit_stop(struct fe *fe)
{
    if (fe->ratelimit == NULL)
        return;
    pthread_mutex_destroy(&fe->ratelimit->lock);
    free(fe->ratelimit);
    fe->ratelimit = NULL;
}

static int is_limited(const struct fe_route *rt, const char *method)
{
    for (size_t i = 0; i < sizeof(limited_routes) / sizeof(limited_routes[0]); i++)
        if (strcmp(rt->pattern, limited_routes[i].pattern) == 0 &&
            strcmp(method, limited_routes[i].method) == 0)
            return 1;
    return 0;
}

/* The key of a client address (fe_req.client, numeric text); 0, or -1
 * for text that is not an address (then the request is not limited). */
static int key_of(const char *client, uint8_t key[16])
{
    memset(key, 0, 16);
    if (inet_pton(AF_INET, client, key + 12) == 1) {
        key[10] = key[11] = 0xff;    /* as IPv4-mapped IPv6: one key space */
        return 0;
    }
    if (inet_pton(AF_INET6, client, key) != 1)
        return -1;
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(key, mapped, sizeof(mapped)) != 0)
        memset(key + 8, 0, 8);       /* native IPv6: its /64 */
    return 0;
}

static uint32_t key_hash(const uint8_t key[16])
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

/* The slot of key in its set, taking the least recently seen one for a
 * new key. Under rl->lock. */
static struct rl_slot *slot_of(struct fe_ratelimit *rl, const uint8_t key[16], jutsu_time_t now)
{
    struct rl_slot *set = rl->slots[key_hash(key) % FE_RL_SETS], *old = &set[0];
    for (int i = 0; i < FE_RL_WAYS; i++) {
        if (set[i].used && memcmp(set[i].key, key, 16) == 0)
            return &set[i];
        if (!set[i].used || (old->used && set[i].seen < old->seen))
            old = &set[i];
    }
    if (!old->used)
        rl->tracked++;
    memcpy(old->key, key, 16);
    old->used = 1;
    old->tat = now;
    return old;
}

/* Whether a request from client at now may pass; *wait_us: how long until
 * the next one would. */
static int admit(struct fe_ratelimit *rl, const char *client, jutsu_time_t now,
                 jutsu_time_t *wait_us)
{
    uint8_t key[16];
    int ok = 1;
    *wait_us = 0;
    if (key_of(client, key) != 0)
        return 1;
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = slot_of(rl, key, now);
    s->seen = now;
    /* a clock stepped back leaves tat further ahead than it can get:
     * treat the bucket as just emptied, not as empty for the step's length */
    if (s->tat - now > rl->tolerance_us + rl->interval_us)
        s->tat = now + rl->tolerance_us;
    if (s->tat < now)
        s->tat = now;
    if (s->tat - now > rl->tolerance_us) {
        *wait_us = s->tat - now - rl->tolerance_us;
        rl->limited++;
        ok = 0;
    } else {
        s->tat += rl->interval_us;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

int fe_ratelimit_check(struct fe_req *r)
{
    struct fe_ratelimit *rl = r->fe->ratelimit;
    jutsu_time_t wait_us;
    char msg[200];
    if (rl == NULL || r->route == NULL || !is_limited(r->route, r->method))
        return 0;
    if (admit(rl, r->client, r->fe->host->now(r->fe->ctx), &wait_us))
        return 0;
    r->retry_after = (int)((wait_us + 999999) / 1000000);
    if (r->retry_after < 1)
        r->retry_after = 1;
    snprintf(msg, sizeof(msg), "too many sign-in attempts from your address (%lld a minute, "
             "bursts of %lld)", (long long)r->fe->login_rate_per_min,
             (long long)r->fe->login_burst);
    char hint[80];
    snprintf(hint, sizeof(hint), "try again in %d s (Retry-After)", r->retry_after);
    fe_error(r, 429, "too_many_requests", msg, hint);
    return -1;
}

void fe_ratelimit_stats(const struct fe *fe, int64_t *limited, int64_t *tracked)
{
    struct fe_ratelimit *rl = fe->ratelimit;
    *limited = *tracked = 0;
    if (rl == NULL)
        return;
    pthread_mutex_lock(&rl->lock);
    *limited = rl->limited;
    *tracked = rl->tracked;
    pthread_mutex_unlock(&rl->lock);
}
