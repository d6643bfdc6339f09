/*
 * core/engine/engine_metrics.c — the metrics as the engine offers them
 * (jutsu/engine.h metric_add, metric_observe, metrics_text): the process's
 * registry (core/base/metrics.h), which the rooms count into (jobs, sync
 * bars, EOD rows, auth failures, open sessions), and the values computed
 * when a scrape asks: the bus's counters per topic, its queue, and the
 * process's memory and open files.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "base/metrics.h"
#include "bus/bus.h"
#include "engine/engine_int.h"

#define TEXT_MAX  ((size_t)16 << 20)   /* a scrape's answer at most          */
#define TOPICS    (256 + 1)            /* the bus counts 256 topics + other  */

void jutsu_engine_metric_add(jutsu_ctx *ctx, const char *name, const char *labels,
                             int64_t delta)
{
    (void)ctx;
    jutsu_metrics_add(NULL, name, labels, delta);
}

void jutsu_engine_metric_observe(jutsu_ctx *ctx, const char *name, const char *labels,
                                 int64_t micros)
{
    (void)ctx;
    jutsu_metrics_observe(NULL, name, labels, micros);
}

/* One family of the bus's per-topic counters; `which` picks the field. */
static int bus_family(struct jutsu_buf *out, const char *name,
                      const struct jutsu_bus_topic_stats *t, size_t n, int which)
{
    int rc = jutsu_metrics_family(out, TEXT_MAX, name, "counter");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char q[160], labels[176];
        uint64_t v = which == 0 ? t[i].published : which == 1 ? t[i].delivered : t[i].dropped;
        jutsu_metrics_label_value(t[i].topic, q, sizeof(q));
        snprintf(labels, sizeof(labels), "topic=%s", q);
        rc = jutsu_metrics_sample(out, TEXT_MAX, name, labels, (int64_t)v);
    }
    return rc;
}

static int bus_metrics(jutsu_bus *bus, struct jutsu_buf *out)
{
    struct jutsu_bus_topic_stats t[TOPICS];
    struct jutsu_bus_stats s;
    size_t n = bus ? jutsu_bus_topic_stats(bus, t, TOPICS) : 0;
    jutsu_bus_stats(bus, &s);
    int rc = bus_family(out, "jutsu_bus_events_published_total", t, n, 0);
    if (rc == 0)
        rc = bus_family(out, "jutsu_bus_events_delivered_total", t, n, 1);
    if (rc == 0)
        rc = bus_family(out, "jutsu_bus_events_dropped_total", t, n, 2);
    if (rc == 0)
        rc = jutsu_metrics_family(out, TEXT_MAX, "jutsu_bus_events_queued", "gauge");
    if (rc == 0)
        rc = jutsu_metrics_sample(out, TEXT_MAX, "jutsu_bus_events_queued", NULL,
                                  (int64_t)s.queued);
    if (rc == 0)
        rc = jutsu_metrics_family(out, TEXT_MAX, "jutsu_bus_subscribers", "gauge");
    if (rc == 0)
        rc = jutsu_metrics_sample(out, TEXT_MAX, "jutsu_bus_subscribers", NULL,
                                  (int64_t)s.subscribers);
    return rc;
}

/* Resident memory from /proc/self/statm (its second field, in pages). */
static int64_t rss_bytes(void)
{
    long long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    /* NOLINTNEXTLINE(cert-err34-c): the kernel's own digits */
    int ok = fscanf(f, "%lld %lld", &size, &resident) == 2;
    (void)fclose(f);    /* read only: nothing to lose */
    long page = sysconf(_SC_PAGESIZE);
    return ok && page > 0 ? (int64_t)resident * page : -1;
}

/* Entries of /proc/self/fd, less the one opendir holds while counting. */
static int64_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int64_t n = 0;
    const struct dirent *e;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

static int process_metrics(struct jutsu_buf *out)
{
    int rc = 0;
    int64_t rss = rss_bytes(), fds = open_fds();
    if (rss >= 0 && (rc = jutsu_metrics_family(out, TEXT_MAX, "process_resident_memory_bytes",
                                               "gauge")) == 0)
        rc = jutsu_metrics_sample(out, TEXT_MAX, "process_resident_memory_bytes", NULL, rss);
    if (rc == 0 && fds >= 0 &&
        (rc = jutsu_metrics_family(out, TEXT_MAX, "process_open_fds", "gauge")) == 0)
        rc = jutsu_metrics_sample(out, TEXT_MAX, "process_open_fds", NULL, fds);
    return rc;
}

int jutsu_engine_metrics_text(jutsu_ctx *ctx, struct jutsu_buf *out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    jutsu_bus *bus = st && st->app ? st->app->bus : ctx && ctx->app ? ctx->app->bus : NULL;
    int rc = jutsu_metrics_render(NULL, out, TEXT_MAX);
    if (rc == 0)
        rc = bus_metrics(bus, out);
    if (rc == 0)
        rc = process_metrics(out);
    return rc == JUTSU_ERANGE ? JUTSU_ENOMEM : rc;
}
