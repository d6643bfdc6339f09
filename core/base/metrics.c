/*
 * core/base/metrics.c — the metrics registry (core/base/metrics.h): one
 * mutex and an open-addressing hash table of series per registry. Series
 * are never removed, so their name and labels stay put for a render to
 * read after it has copied the values under the lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "base/metrics.h"

enum { KIND_COUNTER = 1, KIND_HISTOGRAM = 2, KIND_GAUGE = 3 };

static const char *const kind_name[] = { "?", "counter", "histogram", "gauge" };

struct series {
    char     *name, *labels;        /* one allocation: name NUL labels NUL */
    uint64_t  hash;
    int       kind;
    int64_t   value;                /* counter, gauge                     */
    uint64_t  buckets[JUTSU_METRICS_NBUCKETS];   /* not cumulative        */
    uint64_t  count;
    int64_t   sum_us;
};

struct jutsu_metrics {
    pthread_mutex_t lock;
    struct series **slots;          /* cap entries, a power of two         */
    size_t          cap, n, max;
    uint64_t        dropped;        /* series refused beyond max           */
    int             said_kind;      /* a kind mismatch was logged          */
};

/* Upper bounds of the finite buckets, in µs and as Prometheus reads them. */
static const int64_t bound_us[JUTSU_METRICS_NBUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000
};
static const char *const bound_text[JUTSU_METRICS_NBUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
    "2.5", "5", "10"
};

/* What a scrape explains: every metric the host counts or computes, and
 * those the frontends are expected to count. */
static const struct { const char *name, *help; } help_table[] = {
    { "jutsu_auth_failures_total", "Failed logins and rejected session tokens, by reason." },
    { "jutsu_auth_lockouts_total", "Accounts locked after too many failed logins." },
    { "jutsu_bus_events_delivered_total", "Subscriber callbacks made by the event bus, by "
      "topic." },
    { "jutsu_bus_events_dropped_total", "Events the bus refused at a full queue, by topic." },
    { "jutsu_bus_events_published_total", "Events accepted by the event bus, by topic." },
    { "jutsu_bus_events_queued", "Events waiting in the bus queue now." },
    { "jutsu_bus_subscribers", "Subscribers of the event bus now." },
    { "jutsu_db_sessions_open", "Data sessions open on the storage driver now." },
    { "jutsu_eod_rows_total", "daily_performance rows the EOD job wrote (inserted or changed), "
      "by entity type." },
    { "jutsu_http_request_duration_seconds", "Time to answer an HTTP request, by route." },
    { "jutsu_http_requests_total", "HTTP requests answered, by route and status." },
    { "jutsu_job_duration_seconds", "How long job runs took, by job and status." },
    { "jutsu_job_runs_total", "Job runs (scheduled and on request) by job and status; a "
      "skipped slot counts as status skipped." },
    { "jutsu_metrics_dropped_series_total", "Metric series refused because the registry was "
      "full." },
    { "jutsu_sse_clients", "Server-sent event streams open now." },
    { "jutsu_sync_bars_rejected_total", "Bars the sync stored as invalid or could not read, "
      "by source." },
    { "jutsu_sync_bars_total", "Bars the sync inserted into market_data, by source." },
    { "process_open_fds", "Open file descriptors of the process." },
    { "process_resident_memory_bytes", "Resident memory of the process in bytes." },
};

const char *jutsu_metrics_help(const char *name)
{
    for (size_t i = 0; name && i < sizeof(help_table) / sizeof(help_table[0]); i++)
        if (strcmp(help_table[i].name, name) == 0)
            return help_table[i].help;
    return NULL;
}

/* --- the registry ------------------------------------------------------------ */

int jutsu_metrics_new(size_t max_series, jutsu_metrics **out)
{
    *out = NULL;
    jutsu_metrics *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return JUTSU_ENOMEM;
    m->max = max_series ? max_series : JUTSU_METRICS_MAX_SERIES;
    m->cap = 16;
    while (m->cap < 2 * m->max)   /* at most half full: probes stay short */
        m->cap <<= 1;
    if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
        free(m);
        return JUTSU_ENOMEM;
    }
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m->slots);
        free(m);
        return JUTSU_ENOMEM;
    }
    *out = m;
    return 0;
}

void jutsu_metrics_free(jutsu_metrics *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i]) {
            free(m->slots[i]->name);
            free(m->slots[i]);
        }
    free(m->slots);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static jutsu_metrics *global;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void make_global(void)
{
    if (jutsu_metrics_new(0, &global) != 0)
        global = NULL;   /* out of memory at start-up: metrics are off */
}

jutsu_metrics *jutsu_metrics_global(void)
{
    pthread_once(&global_once, make_global);
    return global;
}

static int valid_name(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > JUTSU_METRICS_NAME_MAX || (*n >= '0' && *n <= '9'))
        return 0;
    for (; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
              *n == '_' || *n == ':'))
            return 0;
    return 1;
}

static int valid_labels(const char *l)
{
    return strlen(l) <= JUTSU_METRICS_LABELS_MAX && strchr(l, '\n') == NULL;
}

static uint64_t hash_of(const char *name, const char *labels)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
    h = (h ^ 0xffu) * UINT64_C(1099511628211);
    for (const char *p = labels; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
    return h;
}

/* A name used as the other kind: one family has one type. */
static int kind_clash(jutsu_metrics *m, const char *name, int kind)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i] && m->slots[i]->kind != kind && strcmp(m->slots[i]->name, name) == 0)
            return 1;
    return 0;
}

static void say_clash(jutsu_metrics *m, const char *name, int kind)
{
    if (m->said_kind)
        return;
    m->said_kind = 1;
    jutsu_log("metrics", JUTSU_LOG_WARN, "%s is used as a %s after another kind: that use "
              "is ignored", name, kind_name[kind]);
}

/* Under m->lock: the series name{labels} of `kind`, made if new; NULL when
 * the registry is full (counted), out of memory, or the name is of the
 * other kind (logged once). */
static struct series *lookup(jutsu_metrics *m, const char *name, const char *labels, int kind)
{
    uint64_t h = hash_of(name, labels);
    size_t i = (size_t)h & (m->cap - 1);
    for (; m->slots[i]; i = (i + 1) & (m->cap - 1)) {
        struct series *s = m->slots[i];
        if (s->hash == h && strcmp(s->name, name) == 0 && strcmp(s->labels, labels) == 0) {
            if (s->kind != kind)
                say_clash(m, name, kind);
            return s->kind == kind ? s : NULL;
        }
    }
    if (m->n >= m->max) {
        m->dropped++;
        return NULL;
    }
    /* a new series is rare (bounded by max over the process's life): the
     * scan for its family's kind is affordable */
    if (kind_clash(m, name, kind)) {
        say_clash(m, name, kind);
        return NULL;
    }
    size_t nl = strlen(name), ll = strlen(labels);
    struct series *s = calloc(1, sizeof(*s));
    char *text = malloc(nl + ll + 2);
    if (s == NULL || text == NULL) {
        free(s);
        free(text);
        return NULL;
    }
    memcpy(text, name, nl + 1);
    memcpy(text + nl + 1, labels, ll + 1);
    s->name = text;
    s->labels = text + nl + 1;
    s->hash = h;
    s->kind = kind;
    m->slots[i] = s;
    m->n++;
    return s;
}

static jutsu_metrics *resolve(jutsu_metrics *m, const char *name, const char **labels)
{
    if (m == NULL)
        m = jutsu_metrics_global();
    if (*labels == NULL)
        *labels = "";
    if (m == NULL || !valid_name(name) || !valid_labels(*labels))
        return NULL;
    return m;
}

void jutsu_metrics_add(jutsu_metrics *m, const char *name, const char *labels, int64_t delta)
{
    if (delta < 0 || (m = resolve(m, name, &labels)) == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    struct series *s = lookup(m, name, labels, KIND_COUNTER);
    if (s)
        s->value = delta > INT64_MAX - s->value ? INT64_MAX : s->value + delta;
    pthread_mutex_unlock(&m->lock);
}

void jutsu_metrics_gauge_add(jutsu_metrics *m, const char *name, const char *labels,
                             int64_t delta)
{
    if ((m = resolve(m, name, &labels)) == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    struct series *s = lookup(m, name, labels, KIND_GAUGE);
    if (s)
        s->value += delta;
    pthread_mutex_unlock(&m->lock);
}

void jutsu_metrics_observe(jutsu_metrics *m, const char *name, const char *labels,
                           int64_t micros)
{
    if ((m = resolve(m, name, &labels)) == NULL)
        return;
    if (micros < 0)
        micros = 0;
    size_t b = 0;
    while (b < JUTSU_METRICS_NBUCKETS && micros > bound_us[b])
        b++;
    pthread_mutex_lock(&m->lock);
    struct series *s = lookup(m, name, labels, KIND_HISTOGRAM);
    if (s) {
        if (b < JUTSU_METRICS_NBUCKETS)
            s->buckets[b]++;
        s->count++;
        s->sum_us = micros > INT64_MAX - s->sum_us ? INT64_MAX : s->sum_us + micros;
    }
    pthread_mutex_unlock(&m->lock);
}

int64_t jutsu_metrics_value(jutsu_metrics *m, const char *name, const char *labels)
{
    int64_t v = 0;
    if ((m = resolve(m, name, &labels)) == NULL)
        return 0;
    pthread_mutex_lock(&m->lock);
    uint64_t h = hash_of(name, labels);
    for (size_t i = (size_t)h & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1)) {
        struct series *s = m->slots[i];
        if (s->hash == h && strcmp(s->name, name) == 0 && strcmp(s->labels, labels) == 0) {
            v = s->kind == KIND_HISTOGRAM ? (int64_t)s->count : s->value;
            break;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return v;
}

/* --- rendering ------------------------------------------------------------------ */

void jutsu_metrics_label_value(const char *value, char *buf, size_t size)
{
    size_t o = 0;
    if (size < 3) {
        if (size)
            buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    for (const char *p = value ? value : ""; *p && o + 3 < size; p++) {
        if (*p == '\\' || *p == '"' || *p == '\n') {
            buf[o++] = '\\';
            buf[o++] = *p == '\n' ? 'n' : *p;
        } else {
            buf[o++] = *p;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

int jutsu_metrics_family(struct jutsu_buf *out, size_t max, const char *name, const char *type)
{
    const char *help = jutsu_metrics_help(name);
    int rc = help ? jutsu_buf_printf(out, max, "# HELP %s %s\n", name, help) : 0;
    return rc ? rc : jutsu_buf_printf(out, max, "# TYPE %s %s\n", name, type);
}

int jutsu_metrics_sample(struct jutsu_buf *out, size_t max, const char *name,
                         const char *labels, int64_t value)
{
    if (labels && *labels)
        return jutsu_buf_printf(out, max, "%s{%s} %lld\n", name, labels, (long long)value);
    return jutsu_buf_printf(out, max, "%s %lld\n", name, (long long)value);
}

/* µs as seconds, exact: 2500 → "0.0025", 3000000 → "3". */
static void seconds(int64_t us, char *buf, size_t size)
{
    long long s = (long long)(us / 1000000), f = (long long)(us % 1000000);
    if (f == 0) {
        snprintf(buf, size, "%lld", s);
        return;
    }
    int n = snprintf(buf, size, "%lld.%06lld", s, f);
    while (n > 0 && (size_t)n < size && buf[n - 1] == '0')
        buf[--n] = '\0';
}

static int by_name(const void *a, const void *b)
{
    const struct series *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->labels, y->labels);
}

static int render_histogram(struct jutsu_buf *out, size_t max, const struct series *s)
{
    const char *sep = s->labels[0] ? "," : "";
    uint64_t cum = 0;
    char sum[32];
    int rc = 0;
    for (size_t b = 0; rc == 0 && b < JUTSU_METRICS_NBUCKETS; b++) {
        cum += s->buckets[b];
        rc = jutsu_buf_printf(out, max, "%s_bucket{%s%sle=\"%s\"} %llu\n", s->name, s->labels,
                              sep, bound_text[b], (unsigned long long)cum);
    }
    seconds(s->sum_us, sum, sizeof(sum));
    if (rc == 0)
        rc = jutsu_buf_printf(out, max, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", s->name, s->labels,
                              sep, (unsigned long long)s->count);
    const char *lb = s->labels[0] ? "{" : "", *rb = s->labels[0] ? "}" : "";
    if (rc == 0)
        rc = jutsu_buf_printf(out, max, "%s_sum%s%s%s %s\n", s->name, lb, s->labels, rb, sum);
    if (rc == 0)
        rc = jutsu_buf_printf(out, max, "%s_count%s%s%s %llu\n", s->name, lb, s->labels, rb,
                              (unsigned long long)s->count);
    return rc;
}

int jutsu_metrics_render(jutsu_metrics *m, struct jutsu_buf *out, size_t max)
{
    if (m == NULL && (m = jutsu_metrics_global()) == NULL)
        return 0;
    /* values copied under the lock; formatting happens without it */
    pthread_mutex_lock(&m->lock);
    size_t n = 0;
    uint64_t dropped = m->dropped;
    struct series *v = m->n ? malloc(m->n * sizeof(*v)) : NULL;
    if (m->n && v == NULL) {
        pthread_mutex_unlock(&m->lock);
        return JUTSU_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i])
            v[n++] = *m->slots[i];
    pthread_mutex_unlock(&m->lock);
    qsort(v, n, sizeof(*v), by_name);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i == 0 || strcmp(v[i].name, v[i - 1].name) != 0)
            rc = jutsu_metrics_family(out, max, v[i].name, kind_name[v[i].kind]);
        if (rc == 0)
            rc = v[i].kind == KIND_HISTOGRAM
                 ? render_histogram(out, max, &v[i])
                 : jutsu_metrics_sample(out, max, v[i].name, v[i].labels, v[i].value);
    }
    free(v);
    if (rc == 0)
        rc = jutsu_metrics_family(out, max, "jutsu_metrics_dropped_series_total", "counter");
    if (rc == 0)
        rc = jutsu_metrics_sample(out, max, "jutsu_metrics_dropped_series_total", NULL,
                                  (int64_t)dropped);
    return rc;
}
