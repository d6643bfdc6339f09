/*
 * plugins/auth-passkey/passkey_pending.c — the challenges we have issued
 * and not yet seen answered (passkey.h).
 *
 * A challenge proves freshness only if it is used once and soon, so each
 * lives in memory, tied to one user and one ceremony, until it is
 * answered or challenge_ttl passes. Memory is bounded: a fixed table,
 * swept of expired entries whenever one is added. Per user at most
 * PK_PENDING_PER_USER: a user who opens many login pages keeps the newest,
 * and one user cannot fill the table for everyone. A full table (too many
 * users mid-login at once) refuses new challenges instead of dropping
 * someone's live one.
 *
 * Lost on restart, which only means a login in progress starts over.
 */
#include <openssl/crypto.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "jutsu/error.h"
#include "passkey.h"

static void remove_at(struct passkey *pk, size_t i)
{
    pk->pending[i] = pk->pending[--pk->npending];
}

static void sweep(struct passkey *pk, jutsu_time_t now)
{
    for (size_t i = 0; i < pk->npending;) {
        if (pk->pending[i].expires <= now)
            remove_at(pk, i);
        else
            i++;
    }
}

/* Makes room for one more of user_id's challenges. */
static void cap_user(struct passkey *pk, int64_t user_id)
{
    size_t n = 0, oldest = 0;
    for (size_t i = 0; i < pk->npending; i++) {
        if (pk->pending[i].user_id != user_id)
            continue;
        if (n++ == 0 || pk->pending[i].seq < pk->pending[oldest].seq)
            oldest = i;
    }
    if (n >= PK_PENDING_PER_USER)
        remove_at(pk, oldest);
}

int pk_pending_issue(struct passkey *pk, int64_t user_id, int ceremony,
                     uint8_t challenge[WA_CHALLENGE_LEN])
{
    jutsu_time_t now = pk->host->now(pk->ctx);
    int rc = 0;
    randombytes_buf(challenge, WA_CHALLENGE_LEN);
    if (pthread_mutex_lock(&pk->lock) != 0)
        return JUTSU_EBUSY;
    sweep(pk, now);
    cap_user(pk, user_id);
    if (pk->npending == PK_PENDING_MAX) {
        rc = JUTSU_EFULL;
    } else {
        struct pk_pending *p = &pk->pending[pk->npending++];
        p->user_id = user_id;
        p->seq = ++pk->seq;
        p->ceremony = ceremony;
        p->expires = now + pk->challenge_ttl * JUTSU_USEC_PER_SEC;
        memcpy(p->challenge, challenge, WA_CHALLENGE_LEN);
    }
    pthread_mutex_unlock(&pk->lock);
    return rc;
}

int pk_pending_take(struct passkey *pk, int64_t user_id, int ceremony,
                    const uint8_t *challenge, size_t len)
{
    jutsu_time_t now = pk->host->now(pk->ctx);
    int rc = JUTSU_ENOENT;
    if (len != WA_CHALLENGE_LEN)
        return JUTSU_ENOENT;
    if (pthread_mutex_lock(&pk->lock) != 0)
        return JUTSU_EBUSY;
    for (size_t i = 0; i < pk->npending; i++) {
        struct pk_pending *p = &pk->pending[i];
        if (p->user_id != user_id || p->ceremony != ceremony ||
            CRYPTO_memcmp(p->challenge, challenge, WA_CHALLENGE_LEN) != 0)
            continue;
        rc = p->expires <= now ? JUTSU_ETIMEDOUT : 0;
        remove_at(pk, i);
        break;
    }
    pthread_mutex_unlock(&pk->lock);
    return rc;
}
