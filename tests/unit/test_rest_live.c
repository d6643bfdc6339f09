/*
 * tests/unit/test_rest_live.c — the live side of the REST API over real
 * HTTP on loopback, on SQLite and on PostgreSQL: Server-Sent Events of the
 * bus (ids, ?topics=, Last-Event-ID resume, who sees auth.*, the per-user
 * cap, a reader that never reads, heartbeats, stop with a stream open), the
 * answer cache (ETag, If-None-Match, invalidation by bus events and by the
 * data version another process bumps), gzip, and /metrics on its own
 * listener.
 *
 * Nothing here is measured by time: every wait is "until it is there",
 * bounded by a generous deadline that only a hang reaches.
 */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "engine/engine.h"
#include "store/data_api.h"
#include "store/store.h"
#include "http_fx.h"
#include "rest_fx.h"

#define PW_ADMIN  "orange-kettle-sunrise-42"
#define PW_VIEWER "maple-harbor-lantern-17"
#define DEADLINE_S 30

static void users(struct hfx *h, char *admin, char *viewer)
{
    hfx_user(h, "ada", "admin", PW_ADMIN);
    hfx_user(h, "vic", "viewer", PW_VIEWER);
    hfx_login(h, "ada", PW_ADMIN, admin, 2048, NULL, 0);
    hfx_login(h, "vic", PW_VIEWER, viewer, 2048, NULL, 0);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void publish(struct hfx *h, const char *topic, const char *json)
{
    json_object *p = json_tokener_parse(json);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(jutsu_bus_publish(h->t.app->bus, "test", topic, p), 0);
}

/* --- an SSE client: libcurl on a thread of its own ----------------------- */

struct sse {
    struct hfx     *h;
    pthread_t       th;
    pthread_mutex_t lock;
    char            url[512], auth[2200], last[80];
    char           *buf;
    size_t          n;
    int             stop, done;
    long            status;
    CURLcode        rc;
};

static size_t sse_data(char *p, size_t sz, size_t n, void *arg)
{
    struct sse *s = arg;
    size_t len = sz * n;
    pthread_mutex_lock(&s->lock);
    int stop = s->stop;
    char *q = realloc(s->buf, s->n + len + 1);
    ck_assert_ptr_nonnull(q);
    memcpy(q + s->n, p, len);
    s->buf = q;
    s->n += len;
    s->buf[s->n] = '\0';
    pthread_mutex_unlock(&s->lock);
    return stop ? 0 : len;
}

static int sse_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    struct sse *s = arg;
    (void)a, (void)b, (void)c, (void)d;
    pthread_mutex_lock(&s->lock);
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void *sse_run(void *arg)
{
    struct sse *s = arg;
    struct curl_slist *hdr = NULL;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, sse_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (s->auth[0])
        hdr = curl_slist_append(hdr, s->auth);
    if (s->last[0])
        hdr = curl_slist_append(hdr, s->last);
    hdr = curl_slist_append(hdr, "Accept: text/event-stream");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    CURLcode rc = curl_easy_perform(c);
    long st = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    pthread_mutex_lock(&s->lock);
    s->rc = rc;
    s->status = st;
    s->done = 1;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void sse_open(struct sse *s, struct hfx *h, const char *path, const char *token,
                     const char *last_id)
{
    memset(s, 0, sizeof(*s));
    s->h = h;
    pthread_mutex_init(&s->lock, NULL);
    snprintf(s->url, sizeof(s->url), "%s%s", h->base, path);
    if (token)
        snprintf(s->auth, sizeof(s->auth), "Authorization: Bearer %s", token);
    if (last_id)
        snprintf(s->last, sizeof(s->last), "Last-Event-ID: %s", last_id);
    ck_assert_int_eq(pthread_create(&s->th, NULL, sse_run, s), 0);
}

/* Waits until the stream holds `needle` `times` times; 1, or 0 at the
 * deadline or when the stream ended first. */
static int sse_wait(struct sse *s, const char *needle, int times)
{
    int64_t end = now_ms() + DEADLINE_S * 1000;
    for (;;) {
        int k = 0, done;
        pthread_mutex_lock(&s->lock);
        for (const char *p = s->buf; p && (p = strstr(p, needle)) != NULL; p++)
            k++;
        done = s->done;
        pthread_mutex_unlock(&s->lock);
        if (k >= times)
            return 1;
        if (done || now_ms() > end)
            return 0;
        usleep(2000);
    }
}

static void sse_close(struct sse *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->th, NULL);
    pthread_mutex_destroy(&s->lock);
    free(s->buf);
    s->buf = NULL;
}

/* The events of a stream so far: ids, topics and data, in order. */
struct evs {
    int          n;
    uint64_t     id[4096];
    char         topic[4096][40];
    json_object *data[4096];
};

static void evs_parse(struct sse *s, struct evs *e)
{
    memset(e, 0, sizeof(*e));
    pthread_mutex_lock(&s->lock);
    char *copy = strdup(s->buf ? s->buf : "");
    pthread_mutex_unlock(&s->lock);
    for (char *blk = copy, *next; blk && *blk; blk = next) {
        char *sep = strstr(blk, "\n\n");
        if (sep == NULL)
            break;   /* an event not complete yet */
        *sep = '\0';
        next = sep + 2;
        uint64_t id = 0;
        char topic[40] = "";
        const char *data = NULL;
        for (char *line = strtok(blk, "\n"); line; line = strtok(NULL, "\n")) {
            if (strncmp(line, "id: ", 4) == 0)
                id = strtoull(line + 4, NULL, 10);
            else if (strncmp(line, "event: ", 7) == 0)
                snprintf(topic, sizeof(topic), "%s", line + 7);
            else if (strncmp(line, "data: ", 6) == 0)
                data = line + 6;
        }
        if (topic[0] == '\0' || e->n == 4096)
            continue;
        e->id[e->n] = id;
        snprintf(e->topic[e->n], sizeof(e->topic[0]), "%s", topic);
        e->data[e->n] = data ? json_tokener_parse(data) : NULL;
        ck_assert_msg(data == NULL || e->data[e->n] != NULL, "data is not JSON: %s", data);
        e->n++;
    }
    free(copy);
}

static void evs_free(struct evs *e)
{
    for (int i = 0; i < e->n; i++)
        json_object_put(e->data[i]);
}

static int evs_find(const struct evs *e, const char *topic)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->topic[i], topic) == 0)
            return i;
    return -1;
}

static struct evs ea, eb, ec;   /* large: not on the stack */

START_TEST(t_sse_topics_roles_resume)
{
    struct hfx h;
    struct hres r;
    struct sse all, adm, some, again, old;
    char admin[2048], viewer[2048], last[32];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    users(&h, admin, viewer);
    /* bad input: 400 naming the parameter, before any stream opens */
    const char *bad[] = { "a..b", "eod.finalized,", "x.>.y", "sp%20ace", "a,%3E.b", NULL };
    for (int i = 0; bad[i]; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/events?topics=%s", bad[i]);
        hfx_req(&h, "GET", path, viewer, NULL, NULL, &r);
        ck_assert_msg(r.status == 400, "%s: %ld", bad[i], r.status);
        ck_assert_str_eq(hres_code(&r), "bad_parameter");
        ck_assert_msg(strstr(r.body, "topics") != NULL, "%s", r.body);
        hres_free(&r);
    }
    hfx_req(&h, "GET", "/api/events", viewer, NULL, "Last-Event-ID: 12ab", &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "Last-Event-ID"));
    hres_free(&r);
    hfx_req(&h, "GET", "/api/events", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    hres_free(&r);

    sse_open(&all, &h, "/api/events", viewer, NULL);
    sse_open(&adm, &h, "/api/events", admin, NULL);
    sse_open(&some, &h, "/api/events?topics=eod.*,job.finished", viewer, NULL);
    ck_assert(sse_wait(&all, ": jutsu events", 1));
    ck_assert(sse_wait(&adm, ": jutsu events", 1));
    ck_assert(sse_wait(&some, ": jutsu events", 1));
    ck_assert(strstr(all.buf, "retry: ") != NULL);

    publish(&h, "market_data.updated", "{\"symbol\":\"QQQ\",\"inserted\":3}");
    publish(&h, "auth.login", "{\"username\":\"ada\",\"method\":\"password\"}");
    publish(&h, "eod.finalized", "{\"trading_date\":\"2025-01-09\",\"status\":\"completed\"}");
    publish(&h, "job.started", "{\"name\":\"eod\"}");
    publish(&h, "job.finished", "{\"name\":\"eod\",\"status\":\"ok\"}");
    publish(&h, "config.changed", "{\"strategy_id\":\"v3_5b\",\"parameter\":\"x\"}");
    publish(&h, "system.ready", "{}");   /* not a family the stream carries */
    publish(&h, "sync.finished", "{\"marker\":1}");
    ck_assert(sse_wait(&all, "event: sync.finished", 1));
    ck_assert(sse_wait(&adm, "event: sync.finished", 1));
    ck_assert(sse_wait(&some, "event: job.finished", 1));

    static const char *const want[] = { "market_data.updated", "eod.finalized", "job.started",
                                        "job.finished", "config.changed", "sync.finished" };
    evs_parse(&all, &ea);
    ck_assert_int_eq(ea.n, 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(ea.topic[i], want[i]);
        if (i > 0)
            ck_assert(ea.id[i] > ea.id[i - 1]);
    }
    json_object *v;
    int k = evs_find(&ea, "eod.finalized");
    ck_assert(json_object_object_get_ex(ea.data[k], "trading_date", &v));
    ck_assert_str_eq(json_object_get_string(v), "2025-01-09");
    /* the admin also sees auth.*, at its place in the order */
    evs_parse(&adm, &eb);
    ck_assert_int_eq(eb.n, 7);
    ck_assert_str_eq(eb.topic[1], "auth.login");
    ck_assert_int_eq(evs_find(&ea, "auth.login"), -1);
    ck_assert_uint_eq(eb.id[0], ea.id[0]);   /* one sequence for everybody */
    evs_free(&eb);
    /* the filtered stream: only what it asked for */
    evs_parse(&some, &ec);
    ck_assert_int_eq(ec.n, 2);
    ck_assert_str_eq(ec.topic[0], "eod.finalized");
    ck_assert_str_eq(ec.topic[1], "job.finished");
    ck_assert_uint_eq(ec.id[0], ea.id[k]);
    evs_free(&ec);

    /* resume after eod.finalized: exactly what followed, no loss, no duplicate */
    snprintf(last, sizeof(last), "%llu", (unsigned long long)ea.id[k]);
    sse_open(&again, &h, "/api/events", viewer, last);
    ck_assert(sse_wait(&again, "event: sync.finished", 1));
    evs_parse(&again, &eb);
    ck_assert_int_eq(eb.n, ea.n - k - 1);
    for (int i = 0; i < eb.n; i++) {
        ck_assert_uint_eq(eb.id[i], ea.id[k + 1 + i]);
        ck_assert_str_eq(eb.topic[i], ea.topic[k + 1 + i]);
    }
    evs_free(&eb);
    /* live events keep coming on the resumed stream */
    publish(&h, "trade.filled", "{\"symbol\":\"QQQ\"}");
    ck_assert(sse_wait(&again, "event: trade.filled", 1));
    /* an id older than the ring (another process's): reset, then live */
    sse_open(&old, &h, "/api/events", viewer, "1");
    ck_assert(sse_wait(&old, "event: reset", 1));
    ck_assert(sse_wait(&old, "\"reason\":\"expired\"", 1));
    publish(&h, "snapshot.recorded", "{\"strategy_id\":\"v3_5b\"}");
    ck_assert(sse_wait(&old, "event: snapshot.recorded", 1));
    ck_assert_ptr_null(strstr(old.buf, "event: trade.filled"));   /* nothing replayed */
    evs_free(&ea);
    /* stop with streams open: the plugin ends them and does not hang */
    hfx_close(&h);
    sse_close(&all);
    sse_close(&adm);
    sse_close(&some);
    sse_close(&again);
    sse_close(&old);
}
END_TEST

/* A client that reads the headers and the first bytes, then nothing: its
 * socket's buffers fill and stay full. */
static int raw_open(struct hfx *h, const char *token)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)h->port) };
    char req[2600], got[4096];
    size_t have = 0;
    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    int n = snprintf(req, sizeof(req), "GET /api/events HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\n\r\n", token);
    ck_assert_int_eq(write(fd, req, (size_t)n), n);
    int64_t end = now_ms() + DEADLINE_S * 1000;
    got[0] = '\0';
    while (strstr(got, ": jutsu events") == NULL && have + 1 < sizeof(got)) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ck_assert_int_lt(now_ms(), end);
        if (poll(&p, 1, 100) == 1) {
            ssize_t k = read(fd, got + have, sizeof(got) - 1 - have);
            ck_assert_int_gt(k, 0);
            have += (size_t)k;
            got[have] = '\0';
        }
    }
    ck_assert_ptr_nonnull(strstr(got, " 200 "));
    return fd;
}

/* Reads until `needle` went by; 1, or 0 at the deadline or at the end. */
static int raw_wait(int fd, const char *needle)
{
    char win[65536];
    size_t have = 0, nl = strlen(needle);
    int64_t end = now_ms() + DEADLINE_S * 1000;
    while (now_ms() < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 100) != 1)
            continue;
        ssize_t k = read(fd, win + have, sizeof(win) - 1 - have);
        if (k <= 0)
            return 0;
        have += (size_t)k;
        win[have] = '\0';
        if (memmem(win, have, needle, nl) != NULL)
            return 1;
        if (have > sizeof(win) / 2) {   /* keep a tail that a needle may straddle */
            memmove(win, win + have - nl, nl);
            have = nl;
        }
    }
    return 0;
}

START_TEST(t_sse_caps_slow_heartbeat)
{
    struct hfx h;
    struct hres r;
    struct sse fast, quiet;
    char admin[2048], viewer[2048], payload[4200], marker[64];
    struct jutsu_bus_stats before, after;
    /* the slow reader stalls the server's writes to it, and a connection
     * that makes no progress for request_timeout is closed: under a
     * sanitizer on a busy machine the publishing below can outlast the
     * default 30 s, and the reader would see its end, not its reset */
    hfx_open(&h, _i, "      sse_max_streams_per_user: 2\n      sse_heartbeat_s: 1\n"
                     "      sse_ring: 16\n      request_timeout: 900\n");
    if (h.t.skipped)
        return;
    users(&h, admin, viewer);
    /* the per-user cap: the viewer's third stream is refused, the admin's is not */
    sse_open(&fast, &h, "/api/events?topics=market_data.*", viewer, NULL);
    sse_open(&quiet, &h, "/api/events?topics=nothing.comes", viewer, NULL);
    ck_assert(sse_wait(&fast, ": jutsu events", 1));
    ck_assert(sse_wait(&quiet, ": jutsu events", 1));
    hfx_req(&h, "GET", "/api/events", viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 429);
    ck_assert_str_eq(hres_code(&r), "too_many_streams");
    hres_free(&r);
    /* a heartbeat on the stream that gets no event */
    ck_assert(sse_wait(&quiet, ": heartbeat", 1));

    /* the admin's stream never reads: many events go by, in bursts smaller
     * than the ring, each burst waited for by the fast reader */
    int slow = raw_open(&h, admin);
    jutsu_bus_stats(h.t.app->bus, &before);
    memset(payload, 0, sizeof(payload));
    int pl = snprintf(payload, sizeof(payload), "{\"symbol\":\"QQQ\",\"pad\":\"");
    memset(payload + pl, 'x', 4000);
    const int total = 2500, burst = 8;
    for (int i = 0; i < total; i++) {
        char p[4300];
        snprintf(p, sizeof(p), "%s\",\"n\":%d}", payload, i);
        publish(&h, "market_data.updated", p);
        if ((i + 1) % burst == 0 || i + 1 == total) {
            snprintf(marker, sizeof(marker), "\"n\":%d}", i);
            ck_assert_msg(sse_wait(&fast, marker, 1), "the fast reader stalled at %d", i);
        }
    }
    ck_assert_int_eq(jutsu_bus_drain(h.t.app->bus, 10000), 0);
    jutsu_bus_stats(h.t.app->bus, &after);
    ck_assert_uint_eq(after.dropped, before.dropped);
    ck_assert_uint_eq(after.published - before.published, (uint64_t)total);
    ck_assert_uint_eq(after.queued, 0);
    /* the fast reader got every one, in order, and no reset */
    evs_parse(&fast, &ea);
    ck_assert_int_eq(ea.n, total);
    for (int i = 0; i < total; i++) {
        json_object *n;
        ck_assert(json_object_object_get_ex(ea.data[i], "n", &n));
        ck_assert_int_eq(json_object_get_int(n), i);
    }
    ck_assert_ptr_null(strstr(fast.buf, "event: reset"));
    evs_free(&ea);
    /* the slow one, once it reads, learns that it fell behind */
    ck_assert(raw_wait(slow, "\"reason\":\"behind\""));
    close(slow);
    hfx_close(&h);
    sse_close(&fast);
    sse_close(&quiet);
}
END_TEST

/* --- the cache ----------------------------------------------------------- */

static void eod_row(jutsu_dbs *s, int day, const char *status)
{
    struct jutsu_eod_status_row row = {
        .job_date = 20089 + day,   /* 2025-01-01 + day */
        .status = status, .strategies_total = 1, .strategies_processed = 1,
        .baselines_total = 1, .baselines_processed = 1,
    };
    ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &row), 0);
}

static void header_of(const struct hres *r, const char *name, char *out, size_t outsz)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            p += n + 1;
            while (*p == ' ')
                p++;
            size_t k = strcspn(p, "\r\n");
            snprintf(out, outsz, "%.*s", (int)k, p);
            return;
        }
}

#define EOD_PATH "/api/eod/status?from=2025-01-01&to=2025-01-31"

START_TEST(t_cache_etag_invalidation)
{
    struct hfx h;
    struct hres r;
    char admin[2048], viewer[2048], etag[80], inm[120];
    jutsu_dbs *other = NULL;
    hfx_open(&h, _i, "      cache_check_ms: 0\n");
    if (h.t.skipped)
        return;
    users(&h, admin, viewer);
    for (int d = 1; d <= 8; d++)
        eod_row(h.t.s, d, "completed");
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_null(strstr(r.body, "partial"));
    header_of(&r, "ETag", etag, sizeof(etag));
    ck_assert_int_eq(etag[0], '"');
    char cc[80];
    header_of(&r, "Cache-Control", cc, sizeof(cc));
    ck_assert_str_eq(cc, "private, no-cache");
    hres_free(&r);
    /* the same answer again, and the same tag; If-None-Match: 304, no body */
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, NULL, &r);
    char etag2[80];
    header_of(&r, "ETag", etag2, sizeof(etag2));
    ck_assert_str_eq(etag2, etag);
    hres_free(&r);
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, inm, &r);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.len, 0);
    hres_free(&r);
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, "If-None-Match: \"0000\"", &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);

    /* a write without an event and without the data version: the kept answer
     * is still served (this is what shows that answers are kept at all) */
    /* the test's own session is not one of the server's: "another process" */
    other = h.t.s;
    eod_row(other, 3, "partial");
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, NULL, &r);
    ck_assert_ptr_null(strstr(r.body, "partial"));
    hres_free(&r);
    /* ... until the bus says the data changed */
    publish(&h, "eod.finalized", "{\"trading_date\":\"2025-01-03\",\"status\":\"partial\"}");
    ck_assert_int_eq(jutsu_bus_drain(h.t.app->bus, 10000), 0);
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, inm, &r);
    ck_assert_int_eq(r.status, 200);   /* the old tag no longer matches */
    ck_assert_ptr_nonnull(strstr(r.body, "partial"));
    header_of(&r, "ETag", etag2, sizeof(etag2));
    ck_assert_str_ne(etag2, etag);
    hres_free(&r);
    /* another process (a CLI backfill) writes and bumps the data version;
     * its events go to its own bus, not ours: the next request sees it */
    eod_row(other, 5, "failed");
    ck_assert_int_eq(jutsu_data_state_set(other, "data.version", JUTSU_STATE_STRING,
                                          "other-process-1"), 0);
    hfx_req(&h, "GET", EOD_PATH, viewer, NULL, NULL, &r);
    ck_assert_msg(strstr(r.body, "failed") != NULL, "%s", r.body);
    hres_free(&r);
    /* the role is part of the key, the user is not: the admin's answer is its own */
    hfx_req(&h, "GET", EOD_PATH, admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "failed"));
    hres_free(&r);
    hfx_close(&h);
}
END_TEST

/* GET with libcurl decoding gzip itself; headers as sent. */
static void get_gzip(struct hfx *h, const char *path, const char *token, struct hres *out,
                     int gzip)
{
    char hdr[64];
    snprintf(hdr, sizeof(hdr), "%s", gzip ? "Accept-Encoding: gzip" : "Accept-Encoding:");
    (void)token;
    hfx_req(h, "GET", path, token, NULL, hdr, out);
}

START_TEST(t_gzip)
{
    struct hfx h;
    struct hres plain, gz;
    char enc[40], vary[80], e1[80], e2[80];
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    get_gzip(&h, "/api/openapi.json", NULL, &plain, 0);
    ck_assert_int_eq(plain.status, 200);
    ck_assert_uint_gt(plain.len, 1024);
    header_of(&plain, "Content-Encoding", enc, sizeof(enc));
    ck_assert_str_eq(enc, "");
    get_gzip(&h, "/api/openapi.json", NULL, &gz, 1);
    ck_assert_int_eq(gz.status, 200);
    header_of(&gz, "Content-Encoding", enc, sizeof(enc));
    ck_assert_str_eq(enc, "gzip");
    header_of(&gz, "Vary", vary, sizeof(vary));
    ck_assert_ptr_nonnull(strstr(vary, "Accept-Encoding"));
    ck_assert_uint_lt(gz.len, plain.len);
    ck_assert(gz.len > 18 && (unsigned char)gz.body[0] == 0x1f &&
              (unsigned char)gz.body[1] == 0x8b);
    header_of(&plain, "ETag", e1, sizeof(e1));
    header_of(&gz, "ETag", e2, sizeof(e2));
    ck_assert_str_ne(e1, e2);   /* two representations, two strong tags */
    /* inflated, it is the same body: libcurl decodes it */
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof(url), "%s/api/openapi.json", h.base);
    FILE *mem;
    char *decoded = NULL;
    size_t dlen = 0;
    mem = open_memstream(&decoded, &dlen);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    fclose(mem);
    ck_assert_uint_eq(dlen, plain.len);
    ck_assert_int_eq(memcmp(decoded, plain.body, dlen), 0);
    free(decoded);
    hres_free(&plain);
    hres_free(&gz);
    hfx_close(&h);
}
END_TEST

/* --- /metrics ------------------------------------------------------------ */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t al = sizeof(a);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

START_TEST(t_metrics)
{
    struct hfx h, m;
    struct hres r;
    char extra[128], admin[2048], viewer[2048];
    /* off by default: nothing on the API's port either */
    hfx_open(&h, _i, "");
    if (h.t.skipped)
        return;
    hfx_req(&h, "GET", "/metrics", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);
    hfx_close(&h);

    int port = free_port();
    snprintf(extra, sizeof(extra), "      metrics: \"127.0.0.1:%d\"\n", port);
    hfx_open(&h, _i, extra);
    /* a second hfx pointing at the metrics listener, for its client */
    memset(&m, 0, sizeof(m));
    snprintf(m.base, sizeof(m.base), "http://127.0.0.1:%d", port);
    /* without the engine there is no registry: 503 says so */
    hfx_req(&m, "GET", "/metrics", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 503);
    ck_assert_ptr_nonnull(strstr(r.body, "engine"));
    hres_free(&r);
    ck_assert_int_eq(jutsu_engine_attach(h.t.app), 0);
    users(&h, admin, viewer);
    for (int i = 0; i < 3; i++) {
        hfx_req(&h, "GET", "/api/users/999999", admin, NULL, NULL, &r);
        hres_free(&r);
    }
    hfx_req(&h, "GET", "/api/no/such/route", admin, NULL, NULL, &r);
    hres_free(&r);
    hfx_req(&m, "GET", "/metrics", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.headers, "text/plain; version=0.0.4"));
    ck_assert_ptr_nonnull(strstr(r.body, "jutsu_http_sse_streams_open 0"));
    ck_assert_ptr_nonnull(strstr(r.body, "jutsu_http_cache_hits_total"));
    ck_assert_msg(strstr(r.body, "jutsu_http_requests_total{route=\"/api/users/{id}\","
                                 "method=\"GET\",status=\"404\"} 3") != NULL, "%s", r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "route=\"none\""));
    ck_assert_ptr_nonnull(strstr(r.body, "jutsu_http_request_duration_seconds_bucket{"
                                         "route=\"/api/users/{id}\""));
    hres_free(&r);
    hfx_req(&m, "GET", "/other", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);
    jutsu_engine_detach(h.t.app);
    hfx_close(&h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rest_live");
    TCase *tc = tcase_create("live");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, t_sse_topics_roles_resume, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_sse_caps_slow_heartbeat, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_cache_etag_invalidation, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_gzip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_metrics, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
