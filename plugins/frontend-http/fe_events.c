/*
 * plugins/frontend-http/fe_events.c — GET /api/events: the bus as
 * Server-Sent Events.
 *
 * One set of bus subscriptions for the whole plugin feeds a ring of the
 * last sse_ring events (references, nothing copied), each numbered by a
 * sequence that starts at the process's start time in microseconds (so an
 * id from an earlier process is always older than this one's ring). Each
 * stream only remembers the next sequence it wants and reads the ring at
 * its own pace:
 *
 *   - the bus callback stores a reference and signals; it never waits for
 *     a stream, so a slow reader never slows the bus;
 *   - a stream whose client reads slowly falls behind; once the ring has
 *     moved past its position the events in between are gone: it gets
 *     `event: reset` (data {"reason": "behind", "missed": N}), counted in
 *     jutsu_http_sse_dropped_total, and continues live from the newest
 *     event; the client reloads what it shows;
 *   - Last-Event-ID resumes after that id while the ring still holds the
 *     next one; an id older than the ring (or from another process) gets
 *     the same `event: reset` (reason "expired") and continues live.
 *
 * Threads: a stream with nothing to send suspends its connection (it then
 * costs no server thread at all); a ticker thread resumes it when the ring
 * moves, when its heartbeat (a comment line after sse_heartbeat_s of
 * silence: it also finds clients that went away) is due, and on stop. The
 * content reader runs on the server thread that owns the connection.
 *
 * Who sees what: the route needs the read permission; auth.* events only
 * go to callers who manage users. ?topics=a.b,c.* narrows the stream with
 * the bus's patterns ("*" one segment, a final ">" one or more).
 */
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "fe.h"

#define MAX_PATTERNS   16
#define TOPICS_MAX     512
#define FILL_MAX       (64 * 1024)   /* formatted per reader call, at most */
#define BLOCK_SIZE     (16 * 1024)
#define RETRY_MS       3000

static const char *const families[] = {
    "market_data.>", "sync.>", "trade.>", "snapshot.>", "eod.>", "job.>", "config.>",
    "auth.>",
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

struct slot {
    uint64_t           seq;
    const jutsu_event *ev;
};

struct stream {
    struct stream         *prev, *next;
    struct fe_events      *E;
    struct MHD_Connection *conn;
    int64_t                user_id;
    uint32_t               perms;
    int                    npat;
    char                   pat[MAX_PATTERNS][TOPICS_MAX / 2];
    uint64_t               next_seq;
    const char            *reset;      /* a reason to send event: reset, or NULL */
    uint64_t               missed;
    int                    hello, suspended;
    int64_t                last_write_us;
    char                  *pend;       /* formatted, not yet handed to MHD */
    size_t                 pend_len, pend_off, pend_cap;
};

struct fe_events {
    struct fe        *fe;
    pthread_mutex_t   lock;
    pthread_cond_t    cond;
    struct slot      *ring;
    size_t            nring;
    uint64_t          first_seq, head;   /* head: the next event's sequence */
    struct stream    *streams;
    int64_t           open;
    int               stopping;
    uint64_t          wake;      /* moves on each event and each suspend */
    int64_t           hb_us;
    pthread_t         ticker;
    int               ticker_started;
    jutsu_sub_id      subs[N_FAMILIES];
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- patterns ----------------------------------------------------------- */

static int seg_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* The bus's pattern syntax (jutsu/bus.h). */
static int pattern_valid(const char *p, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && p[j] != '.')
            j++;
        int last = j >= n;
        if (!((j - i == 1 && p[i] == '*') || (last && j - i == 1 && p[i] == '>') ||
              seg_ok(p + i, j - i)))
            return 0;
        i = j + 1;
    }
    return 1;
}

static int topic_match(const char *pat, const char *topic)
{
    for (;;) {
        const char *pe = strchr(pat, '.'), *te = strchr(topic, '.');
        size_t pn = pe ? (size_t)(pe - pat) : strlen(pat);
        size_t tn = te ? (size_t)(te - topic) : strlen(topic);
        if (pe == NULL && pn == 1 && pat[0] == '>')
            return *topic != '\0';
        if (*topic == '\0')
            return 0;
        if (!(pn == 1 && pat[0] == '*') && (pn != tn || memcmp(pat, topic, pn) != 0))
            return 0;
        if (pe == NULL || te == NULL)
            return pe == NULL && te == NULL;
        pat = pe + 1;
        topic = te + 1;
    }
}

static int wanted(const struct stream *st, const char *topic)
{
    if (strncmp(topic, "auth.", 5) == 0 && (st->perms & JUTSU_PERM_USERS) == 0)
        return 0;
    if (st->npat == 0)
        return 1;
    for (int i = 0; i < st->npat; i++)
        if (topic_match(st->pat[i], topic))
            return 1;
    return 0;
}

/* --- the bus side ------------------------------------------------------- */

static void on_event(const jutsu_event *ev, void *arg)
{
    struct fe_events *E = arg;
    const struct jutsu_host *h = E->fe->host;
    const jutsu_event *ref = h->event_ref(ev), *old;
    pthread_mutex_lock(&E->lock);
    struct slot *s = &E->ring[E->head % E->nring];
    old = s->ev;
    s->ev = ref;
    s->seq = E->head++;
    E->wake++;
    pthread_cond_broadcast(&E->cond);
    pthread_mutex_unlock(&E->lock);
    if (old)
        h->event_unref(old);
}

/* The oldest sequence the ring still holds. Under E->lock. */
static uint64_t oldest(const struct fe_events *E)
{
    uint64_t held = E->head - E->first_seq;
    return E->head - (held < E->nring ? held : E->nring);
}

/* --- a stream ----------------------------------------------------------- */

static int pend_printf(struct stream *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int pend_add(struct stream *st, const char *p, size_t n)
{
    if (st->pend_len + n + 1 > st->pend_cap) {
        size_t cap = st->pend_cap ? st->pend_cap : 4096;
        while (cap < st->pend_len + n + 1)
            cap *= 2;
        char *b = realloc(st->pend, cap);
        if (b == NULL)
            return -1;
        st->pend = b;
        st->pend_cap = cap;
    }
    memcpy(st->pend + st->pend_len, p, n);
    st->pend_len += n;
    return 0;
}

static int pend_printf(struct stream *st, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line))
        return -1;
    return pend_add(st, line, (size_t)n);
}

/* id, event and data lines of one event. JSON text never needs a raw line
 * break (strings escape theirs), so any in the text is whitespace: a space
 * keeps it on its one data line. */
static int pend_event(struct stream *st, uint64_t seq, const jutsu_event *ev)
{
    const struct jutsu_host *h = st->E->fe->host;
    const char *json = h->event_json(ev);
    if (pend_printf(st, "id: %llu\nevent: %s\ndata: ", (unsigned long long)seq,
                    h->event_topic(ev)) != 0)
        return -1;
    size_t at = st->pend_len, n = strlen(json);
    if (pend_add(st, json, n) != 0 || pend_add(st, "\n\n", 2) != 0)
        return -1;
    for (size_t i = at; i < at + n; i++)
        if (st->pend[i] == '\n' || st->pend[i] == '\r')
            st->pend[i] = ' ';
    return 0;
}

/* Formats what the stream has to say now. Under E->lock. *dropped: events
 * it missed by falling behind. */
static int fill(struct stream *st, int64_t now, uint64_t *dropped)
{
    struct fe_events *E = st->E;
    if (!st->hello) {
        st->hello = 1;
        if (pend_printf(st, "retry: %d\n: jutsu events\n\n", RETRY_MS) != 0)
            return -1;
    }
    uint64_t first = oldest(E);
    if (st->next_seq < first) {
        st->missed += first - st->next_seq;
        *dropped += first - st->next_seq;
        st->reset = "behind";
        st->next_seq = E->head;
    }
    if (st->reset) {
        if (pend_printf(st, "event: reset\ndata: {\"reason\":\"%s\",\"missed\":%llu}\n\n",
                        st->reset, (unsigned long long)st->missed) != 0)
            return -1;
        st->reset = NULL;
        st->missed = 0;
    }
    while (st->next_seq < E->head && st->pend_len < FILL_MAX) {
        const struct slot *s = &E->ring[st->next_seq % E->nring];
        if (wanted(st, E->fe->host->event_topic(s->ev)) && pend_event(st, s->seq, s->ev) != 0)
            return -1;
        st->next_seq++;
    }
    if (st->pend_len == 0 && now - st->last_write_us >= E->hb_us)
        return pend_printf(st, ": heartbeat\n\n");
    return 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    struct fe_events *E = st->E;
    uint64_t dropped = 0;
    ssize_t out;
    (void)pos;
    pthread_mutex_lock(&E->lock);
    if (st->pend_off == st->pend_len) {
        st->pend_off = st->pend_len = 0;
        if (E->stopping) {
            pthread_mutex_unlock(&E->lock);
            return FE_READ_END;
        }
        if (fill(st, mono_us(), &dropped) != 0) {
            pthread_mutex_unlock(&E->lock);
            return FE_READ_ERROR;
        }
        if (st->pend_len == 0) {
            /* nothing to say: give the server thread back until the ticker
             * resumes us (both under E->lock: no wake-up is lost) */
            st->suspended = 1;
            MHD_suspend_connection(st->conn);
            E->wake++;   /* the ticker takes its heartbeat into account */
            pthread_cond_broadcast(&E->cond);
            pthread_mutex_unlock(&E->lock);
            return 0;
        }
    }
    size_t n = st->pend_len - st->pend_off;
    if (n > max)
        n = max;
    memcpy(buf, st->pend + st->pend_off, n);
    st->pend_off += n;
    st->last_write_us = mono_us();
    out = (ssize_t)n;
    pthread_mutex_unlock(&E->lock);
    if (dropped) {
        const struct jutsu_engine *e = fe_engine_of(E->fe);
        if (e)
            e->metric_add(E->fe->ctx, "jutsu_http_sse_dropped_total", NULL, (int64_t)dropped);
    }
    return out;
}

static void sse_free(void *cls)
{
    struct stream *st = cls;
    struct fe_events *E = st->E;
    pthread_mutex_lock(&E->lock);
    if (st->prev)
        st->prev->next = st->next;
    else
        E->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    E->open--;
    pthread_cond_broadcast(&E->cond);
    pthread_mutex_unlock(&E->lock);
    free(st->pend);
    free(st);
}

/* --- the ticker --------------------------------------------------------- */

static void *ticker(void *arg)
{
    struct fe_events *E = arg;
    pthread_mutex_lock(&E->lock);
    while (!E->stopping) {
        int64_t now = mono_us(), due = now + E->hb_us;
        uint64_t seen = E->wake;
        for (struct stream *st = E->streams; st; st = st->next) {
            if (!st->suspended)
                continue;
            if (st->next_seq < E->head || st->reset || now - st->last_write_us >= E->hb_us) {
                st->suspended = 0;
                MHD_resume_connection(st->conn);
            } else if (st->last_write_us + E->hb_us < due) {
                due = st->last_write_us + E->hb_us;
            }
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t wait = due - now;
        ts.tv_sec += wait / 1000000;
        ts.tv_nsec += (wait % 1000000) * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        while (!E->stopping && E->wake == seen &&
               pthread_cond_timedwait(&E->cond, &E->lock, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&E->lock);
    return NULL;
}

/* --- the route ---------------------------------------------------------- */

static int parse_topics(struct fe_req *r, struct stream *st)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "topics");
    char msg[200];
    if (v == NULL)
        return 0;
    size_t n = strlen(v);
    if (n == 0 || n > TOPICS_MAX) {
        fe_error(r, 400, "bad_parameter", "topics: must be a comma-separated list of topic "
                 "patterns of at most 512 characters", "topics=eod.finalized,job.*");
        return -1;
    }
    for (const char *p = v; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (st->npat == MAX_PATTERNS || len >= sizeof(st->pat[0]) || !pattern_valid(p, len)) {
            snprintf(msg, sizeof(msg), "topics: \"%.*s\" is not a topic pattern (segments of "
                     "A-Z a-z 0-9 _ -, \"*\" for one segment, a final \">\" for the rest; at "
                     "most %d)", (int)(len > 60 ? 60 : len), p, MAX_PATTERNS);
            fe_error(r, 400, "bad_parameter", msg, "topics=eod.finalized,job.*");
            return -1;
        }
        memcpy(st->pat[st->npat], p, len);
        st->pat[st->npat++][len] = '\0';
        p = e ? e + 1 : p + len;
        if (e && *p == '\0') {
            fe_error(r, 400, "bad_parameter", "topics: ends with a comma", NULL);
            return -1;
        }
    }
    return 0;
}

/* Last-Event-ID: digits, or absent. -1 after a 400. */
static int parse_last(struct fe_req *r, int *have, uint64_t *last)
{
    const char *v = fe_header(r, "Last-Event-ID");
    *have = 0;
    if (v == NULL || *v == '\0')
        return 0;
    size_t n = strspn(v, "0123456789");
    if (n == 0 || n > 19 || v[n] != '\0') {
        fe_error(r, 400, "bad_parameter", "Last-Event-ID: must be the id of an event this "
                 "server sent (digits)", "drop the header to start from now");
        return -1;
    }
    *last = strtoull(v, NULL, 10);
    *have = 1;
    return 0;
}

int fe_h_events(struct fe_req *r)
{
    struct fe_events *E = r->fe->events;
    struct stream *st;
    uint64_t last = 0;
    int have_last, mine = 0;
    if (E == NULL)
        return fe_error(r, 503, "unavailable", "live events are not running", NULL);
    if ((st = calloc(1, sizeof(*st))) == NULL)
        return -1;
    if (parse_topics(r, st) != 0 || parse_last(r, &have_last, &last) != 0) {
        free(st);
        return 0;
    }
    st->E = E;
    st->conn = r->conn;
    st->user_id = r->who.user_id;
    st->perms = r->who.perms;
    st->last_write_us = mono_us();
    pthread_mutex_lock(&E->lock);
    for (struct stream *o = E->streams; o; o = o->next)
        mine += o->user_id == st->user_id;
    int64_t cap = 0;
    const char *whose = NULL;
    if (E->open >= E->fe->sse_max_streams)
        cap = E->fe->sse_max_streams, whose = "on this server";
    else if (mine >= E->fe->sse_max_streams_per_user)
        cap = E->fe->sse_max_streams_per_user, whose = "for one user";
    if (E->stopping || whose) {
        int stopping = E->stopping;
        pthread_mutex_unlock(&E->lock);
        free(st);
        if (stopping)
            return fe_error(r, 503, "unavailable", "the server is stopping", NULL);
        char msg[160];
        snprintf(msg, sizeof(msg), "too many event streams: at most %lld %s", (long long)cap,
                 whose);
        return fe_error(r, 429, "too_many_streams", msg,
                        "close a tab or an EventSource; one stream per page is enough");
    }
    uint64_t first = oldest(E);
    st->next_seq = E->head;
    if (have_last) {
        if (last + 1 >= first && last < E->head) {
            st->next_seq = last + 1;
        } else if (last + 1 != E->head) {
            st->reset = "expired";
            st->missed = last >= E->first_seq && last < first ? first - last - 1 : 0;
        }
    }
    st->next = E->streams;
    if (E->streams)
        E->streams->prev = st;
    E->streams = st;
    E->open++;
    pthread_mutex_unlock(&E->lock);
    r->status = 200;
    r->ctype = "text/event-stream; charset=utf-8";
    r->reader = sse_read;
    r->reader_free = sse_free;
    r->reader_cls = st;
    return 0;
}

/* --- life --------------------------------------------------------------- */

int64_t fe_events_open(const struct fe *fe)
{
    struct fe_events *E = fe->events;
    int64_t n;
    if (E == NULL)
        return 0;
    pthread_mutex_lock(&E->lock);
    n = E->open;
    pthread_mutex_unlock(&E->lock);
    return n;
}

int fe_events_start(struct fe *fe)
{
    struct fe_events *E = calloc(1, sizeof(*E));
    pthread_condattr_t ca;
    struct timespec ts;
    int rc;
    if (E == NULL || (E->ring = calloc((size_t)fe->sse_ring, sizeof(*E->ring))) == NULL) {
        free(E);
        return JUTSU_ENOMEM;
    }
    E->fe = fe;
    E->nring = (size_t)fe->sse_ring;
    E->hb_us = fe->sse_heartbeat_s * 1000000;
    clock_gettime(CLOCK_REALTIME, &ts);
    E->first_seq = E->head = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
    pthread_mutex_init(&E->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&E->cond, &ca);
    pthread_condattr_destroy(&ca);
    fe->events = E;
    for (size_t i = 0; i < N_FAMILIES; i++)
        if ((rc = fe->host->subscribe(fe->ctx, families[i], on_event, E, &E->subs[i])) != 0)
            goto fail;
    if (pthread_create(&E->ticker, NULL, ticker, E) != 0) {
        rc = JUTSU_ENOMEM;
        goto fail;
    }
    E->ticker_started = 1;
    return 0;
fail:
    fe_events_stop(fe);
    return rc;
}

void fe_events_quiesce(struct fe *fe)
{
    struct fe_events *E = fe->events;
    if (E == NULL)
        return;
    pthread_mutex_lock(&E->lock);
    E->stopping = 1;
    pthread_cond_broadcast(&E->cond);
    pthread_mutex_unlock(&E->lock);
    if (E->ticker_started) {
        pthread_join(E->ticker, NULL);
        E->ticker_started = 0;
    }
    /* libmicrohttpd must not be stopped with a connection suspended: every
     * stream is resumed, and its reader, seeing `stopping`, ends it */
    pthread_mutex_lock(&E->lock);
    for (struct stream *st = E->streams; st; st = st->next)
        if (st->suspended) {
            st->suspended = 0;
            MHD_resume_connection(st->conn);
        }
    pthread_mutex_unlock(&E->lock);
}

void fe_events_stop(struct fe *fe)
{
    struct fe_events *E = fe->events;
    if (E == NULL)
        return;
    fe_events_quiesce(fe);
    for (size_t i = 0; i < N_FAMILIES; i++)
        if (E->subs[i] != 0)
            fe->host->unsubscribe(fe->ctx, E->subs[i]);
    for (size_t i = 0; i < E->nring; i++)
        if (E->ring[i].ev)
            fe->host->event_unref(E->ring[i].ev);
    pthread_cond_destroy(&E->cond);
    pthread_mutex_destroy(&E->lock);
    free(E->ring);
    free(E);
    fe->events = NULL;
}
