/*
 * plugins/frontend-http/fe_cache.c — finished answers kept in memory, so
 * that a dashboard's repeated reads cost a hash lookup instead of a query.
 *
 * What is kept: the 200 answers of GET routes flagged FE_CACHE (fe_routes.c),
 * keyed by path, query and the caller's permission bits (the answers of
 * those routes depend on what a caller may read, never on who they are).
 * Bounded by cache_max_entries and cache_max_bytes, least recently used
 * first out; a body over an eighth of the byte budget is not kept.
 *
 * When an entry stops being served: every entry carries the generation it
 * was made at, and only entries of the current generation are served. The
 * generation moves (and the table is emptied) when
 *   - this process's bus carries an event that changes data
 *     (market_data.*, sync.*, trade.*, snapshot.*, eod.* — a backfill
 *     publishes eod.finalized —, config.*, job.finished), and when
 *   - the database's data version changes: the system_state row
 *     "data.version", which every process that writes data bumps (the
 *     host does it on the same events, see docs/http.md), read at most
 *     every cache_check_ms through the server thread's session. A
 *     `jutsu eod backfill` run by another process, whose events go to ITS
 *     bus, is seen that way: within cache_check_ms of its commit.
 * An answer is stored with the generation read BEFORE its handler ran, so
 * an answer computed while an invalidation went by is never served.
 *
 * Threading: every function from any server thread; one mutex over the
 * table (held for pointer work only), one over the version check.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "jutsu/error.h"
#include "fe.h"

#define VERSION_KEY "data.version"

static const char *const invalidating[] = {
    "market_data.>", "sync.>", "trade.>", "snapshot.>", "eod.>", "config.>", "job.finished",
};
#define N_INVALIDATING (sizeof(invalidating) / sizeof(invalidating[0]))

struct fe_cache_entry {
    struct fe_cache_entry *hnext;          /* bucket chain              */
    struct fe_cache_entry *prev, *next;    /* recency: head is newest   */
    uint32_t hash;
    int      refs;                         /* the table's, and readers' */
    uint64_t gen;
    size_t   keylen, len, gzlen, cost;
    char    *key, *body, *gz;
    int      gz_tried;
    int      linked;                       /* in the table (under lock) */
    char     ctype[64];
    char     etag[FE_ETAG_MAX];
};

struct fe_cache {
    struct fe            *fe;
    pthread_mutex_t       lock;
    struct fe_cache_entry **buckets;
    size_t                nbuckets, n, bytes;
    struct fe_cache_entry *head, *tail;
    _Atomic uint64_t      gen;
    _Atomic int64_t       hits, misses;
    /* the data version */
    pthread_mutex_t       vlock;
    char                  version[128];
    int                   have_version;
    _Atomic int64_t       checked_us;      /* when the last check began */
    jutsu_sub_id          subs[N_INVALIDATING];
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- hashes ------------------------------------------------------------ */

static uint32_t key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* Two 64-bit lanes over 8-byte words: 128 bits, fast enough to run on every
 * GET answer. Not a cryptographic hash: a client that could choose both
 * bodies of a collision could only fool its own cache. */
void fe_etag(const char *body, size_t len, char *out)
{
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ len, c = 0xc2b2ae3d27d4eb4fULL + len, w;
    size_t i = 0;
    for (;; i += 8) {
        size_t take = len - i < 8 ? len - i : 8;
        w = 0;
        memcpy(&w, body + i, take);
        a = rotl((a ^ w) * 0x100000001b3ULL, 29);
        c = rotl((c + w) * 0x87c37b91114253d5ULL, 31) ^ a;
        if (take < 8)
            break;
    }
    a = fmix(a ^ rotl(c, 17));
    c = fmix(c + a);
    snprintf(out, FE_ETAG_MAX, "\"%016llx%016llx\"", (unsigned long long)a,
             (unsigned long long)c);
}

char *fe_gzip(const char *body, size_t len, int level, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (out == NULL) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)body;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* --- the table --------------------------------------------------------- */

static void entry_free(struct fe_cache_entry *e)
{
    free(e->key);
    free(e->body);
    free(e->gz);
    free(e);
}

void fe_cache_unref(struct fe_cache_entry *e)
{
    if (e == NULL)
        return;
    if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
        entry_free(e);
}

/* Under c->lock. */
static void unlink_entry(struct fe_cache *c, struct fe_cache_entry *e)
{
    struct fe_cache_entry **pp = &c->buckets[e->hash % c->nbuckets];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->linked = 0;
    c->n--;
    c->bytes -= e->cost;
    fe_cache_unref(e);
}

static void clear_all(struct fe_cache *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->head)
        unlink_entry(c, c->head);
    pthread_mutex_unlock(&c->lock);
}

static void invalidate(struct fe_cache *c)
{
    atomic_fetch_add(&c->gen, 1);
    clear_all(c);
}

static void on_event(const jutsu_event *ev, void *arg)
{
    (void)ev;
    invalidate(arg);
}

struct fe_cache_entry *fe_cache_get(struct fe *fe, const char *key, size_t keylen)
{
    struct fe_cache *c = fe->cache;
    struct fe_cache_entry *e;
    if (c == NULL)
        return NULL;
    uint32_t h = key_hash(key, keylen);
    uint64_t gen = atomic_load(&c->gen);
    pthread_mutex_lock(&c->lock);
    for (e = c->buckets[h % c->nbuckets]; e; e = e->hnext)
        if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
            break;
    if (e != NULL && e->gen != gen) {
        unlink_entry(c, e);
        e = NULL;
    }
    if (e != NULL) {
        if (e != c->head) {   /* to the front */
            e->prev->next = e->next;
            if (e->next)
                e->next->prev = e->prev;
            else
                c->tail = e->prev;
            e->prev = NULL;
            e->next = c->head;
            c->head->prev = e;
            c->head = e;
        }
        __atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL);
    }
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(e ? &c->hits : &c->misses, 1);
    return e;
}

void fe_cache_put(struct fe *fe, const char *key, size_t keylen, uint64_t gen,
                  const char *ctype, const char *body, size_t len)
{
    struct fe_cache *c = fe->cache;
    if (c == NULL || fe->cache_max_entries == 0 || len > (size_t)fe->cache_max_bytes / 8 ||
        gen != atomic_load(&c->gen))
        return;
    struct fe_cache_entry *e = calloc(1, sizeof(*e)), *old;
    if (e == NULL || (e->key = malloc(keylen)) == NULL || (e->body = malloc(len + 1)) == NULL) {
        if (e)
            entry_free(e);
        return;
    }
    memcpy(e->key, key, keylen);
    memcpy(e->body, body, len);
    e->body[len] = '\0';
    e->keylen = keylen;
    e->len = len;
    e->hash = key_hash(key, keylen);
    e->gen = gen;
    e->refs = 1;
    e->cost = sizeof(*e) + keylen + len;
    snprintf(e->ctype, sizeof(e->ctype), "%s", ctype);
    fe_etag(body, len, e->etag);
    pthread_mutex_lock(&c->lock);
    /* checked again under the lock: an invalidation empties the table under it */
    if (gen != atomic_load(&c->gen)) {
        pthread_mutex_unlock(&c->lock);
        entry_free(e);
        return;
    }
    for (old = c->buckets[e->hash % c->nbuckets]; old; old = old->hnext)
        if (old->hash == e->hash && old->keylen == keylen && memcmp(old->key, key, keylen) == 0)
            break;
    if (old)
        unlink_entry(c, old);
    e->hnext = c->buckets[e->hash % c->nbuckets];
    c->buckets[e->hash % c->nbuckets] = e;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
    e->linked = 1;
    c->n++;
    c->bytes += e->cost;
    while (c->tail && c->tail != e && (c->n > (size_t)fe->cache_max_entries ||
                                       c->bytes > (size_t)fe->cache_max_bytes))
        unlink_entry(c, c->tail);
    pthread_mutex_unlock(&c->lock);
}

const char *fe_cache_body(const struct fe_cache_entry *e, size_t *len)
{
    *len = e->len;
    return e->body;
}

const char *fe_cache_ctype(const struct fe_cache_entry *e)
{
    return e->ctype;
}

const char *fe_cache_etag(const struct fe_cache_entry *e)
{
    return e->etag;
}

const char *fe_cache_gzip(struct fe *fe, struct fe_cache_entry *e, size_t *len)
{
    struct fe_cache *c = fe->cache;
    char *gz;
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    int tried = e->gz_tried;
    pthread_mutex_unlock(&c->lock);
    if (!tried) {
        /* made outside the lock; a second thread racing here wastes one deflate */
        gz = fe_gzip(e->body, e->len, Z_DEFAULT_COMPRESSION, &n);
        pthread_mutex_lock(&c->lock);
        if (!e->gz_tried) {
            e->gz = gz;
            e->gzlen = n;
            e->gz_tried = 1;
            gz = NULL;
            /* the entry may have left the table meanwhile: then its cost is nobody's */
            if (e->linked && e->gz) {
                e->cost += n;
                c->bytes += n;
            }
        }
        pthread_mutex_unlock(&c->lock);
        free(gz);
    }
    pthread_mutex_lock(&c->lock);
    const char *out = e->gz;
    *len = e->gzlen;
    pthread_mutex_unlock(&c->lock);
    return out;
}

/* --- the data version -------------------------------------------------- */


/* Reads data.version; a change (or a failure to read it) moves the
 * generation. Under c->vlock. */
static void check_version(struct fe_cache *c)
{
    const struct jutsu_host *h = c->fe->host;
    const struct jutsu_data *d = h->data(c->fe->ctx);
    const char *v = NULL;
    jutsu_dbs *s;
    int type, rc;
    if (d == NULL)
        return;
    rc = (s = fe_dbs_thread(c->fe)) == NULL ? JUTSU_ETRANSIENT
       : d->state_get(s, VERSION_KEY, &type, &v);
    if (rc == JUTSU_ENOENT)
        v = "";
    else if (rc != 0 || v == NULL) {
        /* the database is away: serve nothing kept until it answers again
         * (the handler reports the outage itself) */
        invalidate(c);
        c->have_version = 0;
        return;
    }
    if (c->have_version && strncmp(c->version, v, sizeof(c->version) - 1) != 0)
        invalidate(c);
    snprintf(c->version, sizeof(c->version), "%s", v);
    c->have_version = 1;
}

uint64_t fe_cache_begin(struct fe *fe)
{
    struct fe_cache *c = fe->cache;
    if (c == NULL)
        return 0;
    int64_t now = mono_us();
    int64_t every = fe->cache_check_ms * 1000;
    if (every > 0 && now - atomic_load(&c->checked_us) < every)
        return atomic_load(&c->gen);
    pthread_mutex_lock(&c->vlock);
    /* a check that began after this request did is as good as our own */
    int64_t last = atomic_load(&c->checked_us);
    if (every > 0 ? now - last >= every : last < now) {
        atomic_store(&c->checked_us, mono_us());
        check_version(c);
    }
    pthread_mutex_unlock(&c->vlock);
    return atomic_load(&c->gen);
}

void fe_cache_stats(const struct fe *fe, int64_t *entries, int64_t *bytes, int64_t *hits,
                    int64_t *misses)
{
    struct fe_cache *c = fe->cache;
    *entries = *bytes = *hits = *misses = 0;
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    *entries = (int64_t)c->n;
    *bytes = (int64_t)c->bytes;
    pthread_mutex_unlock(&c->lock);
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
}

/* --- life -------------------------------------------------------------- */

int fe_cache_start(struct fe *fe)
{
    struct fe_cache *c;
    if (fe->cache_max_entries == 0)
        return 0;   /* off: every answer is made afresh */
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return JUTSU_ENOMEM;
    c->fe = fe;
    c->nbuckets = 1;
    while (c->nbuckets < (size_t)fe->cache_max_entries && c->nbuckets < (1u << 20))
        c->nbuckets <<= 1;
    if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) == NULL) {
        free(c);
        return JUTSU_ENOMEM;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->vlock, NULL);
    atomic_init(&c->gen, 1);
    atomic_init(&c->checked_us, 0);
    for (size_t i = 0; i < N_INVALIDATING; i++) {
        int rc = fe->host->subscribe(fe->ctx, invalidating[i], on_event, c, &c->subs[i]);
        if (rc != 0) {
            fe->cache = c;
            fe_cache_stop(fe);
            return rc;
        }
    }
    fe->cache = c;
    return 0;
}

void fe_cache_stop(struct fe *fe)
{
    struct fe_cache *c = fe->cache;
    if (c == NULL)
        return;
    for (size_t i = 0; i < N_INVALIDATING; i++)
        if (c->subs[i] != 0)
            fe->host->unsubscribe(fe->ctx, c->subs[i]);
    clear_all(c);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->vlock);
    free(c->buckets);
    free(c);
    fe->cache = NULL;
}
