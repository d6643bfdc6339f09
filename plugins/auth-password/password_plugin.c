/*
 * plugins/auth-password/password_plugin.c — auth-password: the "password"
 * factor (jutsu/auth.h), Argon2id through libsodium.
 *
 *   verify(uid, {"password"})  0 when the password matches users.password_hash
 *                              of uid, JUTSU_EAUTH when it does not
 *   enrol(uid, {"password"})   hashes it and stores users.password_hash;
 *                              *result NULL
 *
 * Config:
 *
 *   opslimit          Argon2id passes, 1..16 (default 2, libsodium's
 *                     OPSLIMIT_INTERACTIVE)
 *   memlimit_kib      Argon2id memory in KiB, 8..1048576 (default 65536 =
 *                     64 MiB, MEMLIMIT_INTERACTIVE)
 *   max_concurrent    hashes running at once, 1..256 (default 4)
 *   queue_timeout_ms  how long a request waits for a free slot, 0..60000
 *                     (default 2000); then JUTSU_EFULL
 *
 * Each hash holds memlimit_kib of memory while it runs, so the plugin never
 * runs more than max_concurrent of them: a burst of logins waits for a slot
 * (at most queue_timeout_ms) instead of taking the machine's memory. Peak
 * memory is max_concurrent x memlimit_kib (256 MiB with the defaults).
 *
 * Stored hashes:
 *
 *   "$argon2id$..."      verified with crypto_pwhash_str_verify. When its
 *                        cost differs from the configured one (the config
 *                        changed since), a match re-hashes the password
 *                        with the current cost and stores it.
 *   "$2a$", "$2b$",      bcrypt, from the original Python system; verified
 *   "$2y$"               with libcrypt's crypt_rn and a constant-time
 *                        compare, and on a match replaced by Argon2id. As
 *                        in the original, bcrypt reads at most 72 bytes, and
 *                        a password with a NUL byte never matches one.
 *   anything else        ("!" marks a user made without a password) cannot
 *                        match: it costs one Argon2id verify against a dummy
 *                        hash made at init with the configured cost, then
 *                        JUTSU_EAUTH. uid 0 and a uid without a row do the
 *                        same, so the time a refusal takes does not tell
 *                        whether the user exists.
 *
 * A re-hash is written only if the row still holds the hash that matched
 * (a password changed meanwhile is not overwritten by the old one), and a
 * failure to write it is logged but does not fail the login.
 *
 * Requests: a JSON object whose member "password" is a string of at most
 * 1024 bytes (the host's policy bound); enrol also refuses an empty one.
 * Otherwise JUTSU_EINVAL naming the member. The password is never logged
 * nor put in an error; the copies this file makes are wiped.
 *
 * Data sessions are opened per call and closed before hashing, so a
 * request waiting for a slot or hashing holds no database connection.
 *
 * Threading: verify and enrol may run concurrently on any threads; the
 * slot count is the only shared state (a mutex and a condition variable).
 */
#include <crypt.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/auth.h"
#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/json.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"

#define PASSWORD_MAX 1024          /* bytes; the host's policy bound too  */
#define HASH_MAX     255           /* users.password_hash is VARCHAR(255) */
#define REFUSED      "the user name or password is wrong"

struct pw_conf {
    int64_t opslimit;
    int64_t memlimit_kib;
    int64_t max_concurrent;
    int64_t queue_timeout_ms;
};

struct pw {
    const struct jutsu_host *host;
    jutsu_ctx        *ctx;
    struct pw_conf    conf;
    unsigned long long ops;
    size_t            mem;                           /* bytes            */
    pthread_mutex_t   lock;                          /* guards busy      */
    pthread_cond_t    freed;                         /* a slot was given */
    int64_t           busy;                          /* hashes running   */
    char              dummy[crypto_pwhash_STRBYTES]; /* for refusals     */
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_INT_RANGE_AT("opslimit", "2", 1, 16,
                           "Argon2id passes over memory (libsodium's opslimit)",
                           struct pw_conf, opslimit),
    JUTSU_CFG_INT_RANGE_AT("memlimit_kib", "65536", crypto_pwhash_MEMLIMIT_MIN / 1024,
                           1048576, "Argon2id memory per hash, KiB",
                           struct pw_conf, memlimit_kib),
    JUTSU_CFG_INT_RANGE_AT("max_concurrent", "4", 1, 256,
                           "Hashes run at once; each holds memlimit_kib of memory",
                           struct pw_conf, max_concurrent),
    JUTSU_CFG_INT_RANGE_AT("queue_timeout_ms", "2000", 0, 60000,
                           "How long a request waits for a hashing slot before it is refused",
                           struct pw_conf, queue_timeout_ms),
    JUTSU_CFG_END
};

/* --- the bound on concurrent hashes ---------------------------------------- */

static int slot_take(struct pw *p)
{
    struct timespec until;
    if (clock_gettime(CLOCK_MONOTONIC, &until) != 0) {
        p->host->set_error(p->ctx, "clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
        return JUTSU_EIO;
    }
    until.tv_sec += (time_t)(p->conf.queue_timeout_ms / 1000);
    until.tv_nsec += (long)(p->conf.queue_timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    while (p->busy >= p->conf.max_concurrent && rc == 0)
        rc = pthread_cond_timedwait(&p->freed, &p->lock, &until);
    /* a slot freed just as the wait timed out is still taken */
    int got = p->busy < p->conf.max_concurrent;
    if (got)
        p->busy++;
    pthread_mutex_unlock(&p->lock);
    if (got)
        return 0;
    p->host->set_error(p->ctx, "all %lld password hashing slots stayed busy for %lld ms; "
                       "hint: raise max_concurrent (each slot holds memlimit_kib of memory) "
                       "or queue_timeout_ms", (long long)p->conf.max_concurrent,
                       (long long)p->conf.queue_timeout_ms);
    return JUTSU_EFULL;
}

static void slot_give(struct pw *p)
{
    pthread_mutex_lock(&p->lock);
    p->busy--;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* --- hashes ------------------------------------------------------------------ */

enum hash_kind { HASH_NONE, HASH_ARGON2ID, HASH_BCRYPT };

static enum hash_kind hash_kind(const char *h)
{
    if (strncmp(h, "$argon2id$", 10) == 0)
        return HASH_ARGON2ID;
    if (strncmp(h, "$2a$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2y$", 4) == 0)
        return HASH_BCRYPT;
    return HASH_NONE;
}

/* 1 when bcrypt hash `h` is of `pw`, 0 when not, JUTSU_ENOMEM. */
static int bcrypt_matches(const char *h, const char *pw, size_t len)
{
    if (memchr(pw, '\0', len) != NULL)   /* crypt reads a C string: it would cut here */
        return 0;
    struct crypt_data *cd = calloc(1, sizeof(*cd));   /* 32 KiB: not on a worker's stack */
    if (cd == NULL)
        return JUTSU_ENOMEM;
    const char *out = crypt_rn(pw, h, cd, (int)sizeof(*cd));
    size_t n = strlen(h);
    int ok = out != NULL && strlen(out) == n && sodium_memcmp(out, h, n) == 0;
    sodium_memzero(cd, sizeof(*cd));   /* it holds the password and the Blowfish state */
    free(cd);
    return ok;
}

static int make_hash(struct pw *p, const char *pw, size_t len, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str_alg(out, pw, len, p->ops, p->mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        p->host->set_error(p->ctx, "Argon2id could not hash with memlimit_kib %lld (out of "
                           "memory?)", (long long)p->conf.memlimit_kib);
        return JUTSU_ENOMEM;
    }
    return 0;
}

/* --- requests and rows -------------------------------------------------------- */

static int take_password(struct pw *p, json_object *req, const char **pw, size_t *len)
{
    json_object *v;
    if (!json_object_is_type(req, json_type_object)) {
        p->host->set_error(p->ctx, "the request is %s, not an object with member \"password\"",
                           jutsu_json_type_name(req));
        return JUTSU_EINVAL;
    }
    if (!json_object_object_get_ex(req, "password", &v) ||
        !json_object_is_type(v, json_type_string)) {
        p->host->set_error(p->ctx, "member \"password\" is missing or not a string");
        return JUTSU_EINVAL;
    }
    int n = json_object_get_string_len(v);
    if (n < 0 || n > PASSWORD_MAX) {
        p->host->set_error(p->ctx, "member \"password\" is longer than %d bytes", PASSWORD_MAX);
        return JUTSU_EINVAL;
    }
    *pw = json_object_get_string(v);
    *len = (size_t)n;
    return 0;
}

static int open_data(struct pw *p, const struct jutsu_data **data, jutsu_dbs **s)
{
    *data = p->host->data(p->ctx);
    if (*data == NULL) {
        p->host->set_error(p->ctx, "no storage is configured: passwords live in users");
        return JUTSU_ESTATE;
    }
    int rc = (*data)->open(p->ctx, s);
    if (rc != 0)
        p->host->set_error(p->ctx, "cannot open a data session: %s", jutsu_strerror(rc));
    return rc;
}

/* Copies uid's password_hash into h ("" when it has none); JUTSU_ENOENT
 * when there is no such user, another code when the database fails. */
static int load_hash(struct pw *p, int64_t uid, char h[HASH_MAX + 1])
{
    const struct jutsu_data *data;
    jutsu_dbs *s = NULL;
    struct jutsu_user_row u;
    h[0] = '\0';
    int rc = open_data(p, &data, &s);
    if (rc != 0)
        return rc;
    rc = data->user_get(s, uid, NULL, &u);
    if (rc == 0 && u.password_hash != NULL && strlen(u.password_hash) <= HASH_MAX)
        strcpy(h, u.password_hash);
    else if (rc != 0 && rc != JUTSU_ENOENT)
        p->host->set_error(p->ctx, "reading user %lld: %s", (long long)uid, data->last_error(s));
    data->close(s);
    return rc;
}

/* Writes `fresh` as uid's password_hash; when `old` is not NULL only if the
 * row still holds `old` (else 1). The row is written back whole, as read.
 * On failure the reason is in why: a failed re-hash is only logged. */
static int store_hash(struct pw *p, int64_t uid, const char *old, const char *fresh,
                      char *why, size_t whysz)
{
    const struct jutsu_data *data = p->host->data(p->ctx);
    jutsu_dbs *s = NULL;
    struct jutsu_user_row u;
    int rc = data != NULL ? data->open(p->ctx, &s) : JUTSU_ESTATE;
    if (rc != 0) {
        snprintf(why, whysz, "cannot open a data session: %s", jutsu_strerror(rc));
        return rc;
    }
    rc = data->user_get(s, uid, NULL, &u);
    if (rc == 0 && old != NULL && (u.password_hash == NULL || strcmp(u.password_hash, old) != 0)) {
        data->close(s);
        return 1;   /* changed since it was read: the newer one stays */
    }
    if (rc == 0) {
        u.password_hash = fresh;
        rc = data->user_update(s, &u);
    }
    if (rc != 0)
        snprintf(why, whysz, "storing the password hash of user %lld: %s", (long long)uid,
                 data->last_error(s));
    data->close(s);
    return rc;
}

/* --- ops ----------------------------------------------------------------------- */

/* Runs the check that fits `h` inside a slot: 1 match, 0 no match, or a
 * code. On a match that wants a new hash, `fresh` receives it ("" if
 * none is needed or making it failed). */
static int check(struct pw *p, const char *h, const char *pw, size_t len,
                 char fresh[crypto_pwhash_STRBYTES])
{
    int ok = 0, rehash = 0, rc = slot_take(p);
    fresh[0] = '\0';
    if (rc != 0)
        return rc;
    switch (hash_kind(h)) {
    case HASH_ARGON2ID:
        ok = crypto_pwhash_str_verify(h, pw, len) == 0;
        /* -1 (unreadable parameters) after a match is also worth replacing */
        rehash = ok && crypto_pwhash_str_needs_rehash(h, p->ops, p->mem) != 0;
        break;
    case HASH_BCRYPT:
        ok = bcrypt_matches(h, pw, len);
        rehash = ok == 1;
        if (ok < 0)
            p->host->set_error(p->ctx, "out of memory checking a bcrypt hash");
        break;
    case HASH_NONE: {
        int spent = crypto_pwhash_str_verify(p->dummy, pw, len);   /* the cost, not the answer */
        (void)spent;
        break;
    }
    }
    if (rehash && make_hash(p, pw, len, fresh) != 0) {
        p->host->log(p->ctx, JUTSU_LOG_WARN, "a password matched but could not be re-hashed; "
                     "the old hash stays");
        fresh[0] = '\0';
    }
    slot_give(p);
    return ok;
}

static int pw_verify(void *state, int64_t user_id, struct json_object *response)
{
    struct pw *p = state;
    const char *pw = NULL;
    size_t len = 0;
    char h[HASH_MAX + 1] = "", fresh[crypto_pwhash_STRBYTES];
    int rc = take_password(p, response, &pw, &len);
    if (rc != 0)
        return rc;
    if (user_id > 0 && (rc = load_hash(p, user_id, h)) != 0 && rc != JUTSU_ENOENT)
        return rc;
    rc = check(p, h, pw, len, fresh);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        p->host->set_error(p->ctx, REFUSED);
        return JUTSU_EAUTH;
    }
    if (fresh[0] != '\0') {
        char why[512];
        rc = store_hash(p, user_id, h, fresh, why, sizeof(why));
        if (rc == 0)
            p->host->log(p->ctx, JUTSU_LOG_INFO, "user %lld: password re-hashed with the "
                         "configured Argon2id cost", (long long)user_id);
        else if (rc < 0)   /* the login stands: the password matched */
            p->host->log(p->ctx, JUTSU_LOG_WARN, "%s; the old hash stays", why);
        sodium_memzero(fresh, sizeof(fresh));
    }
    return 0;
}

static int pw_enrol(void *state, int64_t user_id, struct json_object *request,
                    struct json_object **result)
{
    struct pw *p = state;
    const char *pw = NULL;
    size_t len = 0;
    char fresh[crypto_pwhash_STRBYTES];
    if (result != NULL)
        *result = NULL;
    int rc = take_password(p, request, &pw, &len);
    if (rc != 0)
        return rc;
    if (len == 0) {
        p->host->set_error(p->ctx, "member \"password\" is empty");
        return JUTSU_EINVAL;
    }
    if (user_id <= 0) {
        p->host->set_error(p->ctx, "enrol needs a user id, got %lld", (long long)user_id);
        return JUTSU_EINVAL;
    }
    if ((rc = slot_take(p)) != 0)
        return rc;
    rc = make_hash(p, pw, len, fresh);
    slot_give(p);
    char why[512];
    if (rc == 0 && (rc = store_hash(p, user_id, NULL, fresh, why, sizeof(why))) != 0)
        p->host->set_error(p->ctx, "%s", why);
    sodium_memzero(fresh, sizeof(fresh));
    return rc;
}

/* --- lifecycle ------------------------------------------------------------------ */

static void pw_destroy(void *state)
{
    struct pw *p = state;
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int init_sync(struct pw *p)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return JUTSU_ENOMEM;
    /* the wait for a slot is a duration: immune to the wall clock being set */
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0 && (rc = pthread_cond_init(&p->freed, &ca)) == 0 &&
        (rc = pthread_mutex_init(&p->lock, NULL)) != 0)
        pthread_cond_destroy(&p->freed);
    pthread_condattr_destroy(&ca);
    return rc == 0 ? 0 : JUTSU_ENOMEM;
}

static int pw_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    unsigned char random_pw[32];
    if (sodium_init() < 0) {
        host->set_error(ctx, "libsodium failed to initialise");
        return JUTSU_EIO;
    }
    struct pw *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return JUTSU_ENOMEM;
    p->host = host;
    p->ctx = ctx;
    if (host->cfg_fill(ctx, &p->conf) != 0) {   /* the host has said which key, and why */
        free(p);
        return JUTSU_ECONFIG;
    }
    p->ops = (unsigned long long)p->conf.opslimit;
    p->mem = (size_t)p->conf.memlimit_kib * 1024;
    if (init_sync(p) != 0) {
        host->set_error(ctx, "cannot make a mutex and condition variable");
        free(p);
        return JUTSU_ENOMEM;
    }
    /* A hash of a password nobody knows, with the configured cost: what
     * a refusal of an unknown user spends its time on. */
    randombytes_buf(random_pw, sizeof(random_pw));
    int rc = crypto_pwhash_str_alg(p->dummy, (const char *)random_pw, sizeof(random_pw), p->ops,
                                   p->mem, crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(random_pw, sizeof(random_pw));
    if (rc != 0) {
        rc = host->cfg_error(ctx, "memlimit_kib", "Argon2id could not hash with memlimit_kib "
                             "%lld (out of memory?)", (long long)p->conf.memlimit_kib);
        pw_destroy(p);
        return rc;
    }
    *state = p;
    return 0;
}

static const struct jutsu_auth_ops ops = {
    .size   = sizeof(struct jutsu_auth_ops),
    .factor = "password",
    .verify = pw_verify,
    .enrol  = pw_enrol,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_AUTH,
    .name        = "auth-password",
    .version     = "1.0.0",
    .description = "The password factor: Argon2id hashes (legacy bcrypt verified and replaced)",
    .schema      = schema,
    .init        = pw_init,
    .destroy     = pw_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
