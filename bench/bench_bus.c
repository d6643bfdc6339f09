/*
 * bench/bench_bus.c — how fast is the event bus, and what does it cost over a
 * bare queue?
 *
 *   bench_bus [--events N] [--json]
 *
 * Five runs, N events each (default 2,000,000); every bus event carries a
 * small JSON payload built by the publisher, as a plugin would:
 *   1x1        one publisher thread, one subscriber; BLOCK policy, default
 *              queue. Events/s from the first publish to the end of the drain.
 *   1x4        one publisher, four subscribers; events/s and delivery latency
 *              (callback time minus the CLOCK_MONOTONIC stamp the publisher
 *              put in the payload). The publisher runs flat out, so this
 *              latency is mostly time spent waiting in the queue.
 *   paced      as 1x4 (at most 400,000 events), the publisher keeping to
 *              200,000 events/s: the latency of a bus that is not saturated.
 *   bare       N malloc'd messages through a plain mutex+condvar ring between
 *              two threads (batched takes, signal only a sleeper): no topics,
 *              no JSON, no refcounts. 1x1/bare is the cost of all of it.
 *   bare_json  the same ring carrying the same JSON payloads, freed by the
 *              consumer: 1x1/bare_json is the cost of the bus itself.
 * The figures need an otherwise idle machine: on two cores, any other busy
 * process takes a core from one of the two threads.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "bus/bus.h"

#define PACED_RATE   200000      /* events/s for the unsaturated run */
#define PACED_EVENTS 400000
#define NRUNS        5

struct result {
    const char *name;
    uint64_t    events;
    double      seconds;
    uint64_t    dropped;
    int         has_latency;
    double      p50_us, p99_us, max_us;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_bus: %s: %s\n", what, jutsu_strerror(rc));
    exit(1);
}

/* ---- the bus runs --------------------------------------------------------- */

struct counter {
    uint64_t n;
};

static void on_count(const jutsu_event *ev, void *arg)
{
    (void)ev;
    ((struct counter *)arg)->n++;
}

/* Each subscriber writes its own samples: no sharing on the hot path. */
struct sampler {
    int64_t *ns;
    size_t   n, cap;
};

static void on_sample(const jutsu_event *ev, void *arg)
{
    struct sampler *s = arg;
    json_object *t;
    int64_t now = mono_ns();
    if (s->n < s->cap && json_object_object_get_ex(jutsu_event_payload(ev), "t", &t))
        s->ns[s->n++] = now - json_object_get_int64(t);
}

static json_object *make_payload(uint64_t seq, int stamp)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        die("payload", JUTSU_ENOMEM);
    json_object_object_add(o, "seq", json_object_new_int64((int64_t)seq));
    json_object_object_add(o, "symbol", json_object_new_string("SPY"));
    if (stamp)
        json_object_object_add(o, "t", json_object_new_int64(mono_ns()));
    return o;
}

static jutsu_bus *bus_open(void)
{
    struct jutsu_bus_opts o;
    jutsu_bus *bus;
    int rc;
    jutsu_bus_opts_default(&o);
    if ((rc = jutsu_bus_new(&o, &bus)) != 0)
        die("jutsu_bus_new", rc);
    if ((rc = jutsu_bus_start(bus)) != 0)
        die("jutsu_bus_start", rc);
    return bus;
}

/* Publishes n events on this thread, `gap_ns` apart (0: flat out), then
 * drains. Returns the seconds from first publish to drain end. */
static double publish_run(jutsu_bus *bus, uint64_t n, int stamp, int64_t gap_ns)
{
    int64_t t0 = mono_ns(), next = t0;
    for (uint64_t i = 0; i < n; i++) {
        if (gap_ns > 0) {
            while (mono_ns() < next)
                ;
            next += gap_ns;
        }
        int rc = jutsu_bus_publish(bus, "bench", "bench.tick", make_payload(i, stamp));
        if (rc != 0 && rc != JUTSU_EFULL)
            die("jutsu_bus_publish", rc);
    }
    int rc = jutsu_bus_drain(bus, -1);
    if (rc != 0)
        die("jutsu_bus_drain", rc);
    return (double)(mono_ns() - t0) / 1e9;
}

static uint64_t bus_dropped(jutsu_bus *bus)
{
    struct jutsu_bus_stats st;
    jutsu_bus_stats(bus, &st);
    return st.dropped;
}

static void run_1x1(uint64_t n, struct result *r)
{
    struct counter c = { 0 };
    jutsu_bus *bus = bus_open();
    int rc = jutsu_bus_subscribe(bus, "bench", "bench.*", on_count, &c, NULL);
    if (rc != 0)
        die("jutsu_bus_subscribe", rc);
    r->seconds = publish_run(bus, n, 0, 0);
    r->dropped = bus_dropped(bus);
    r->events = c.n;
    jutsu_bus_free(bus);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Merges the subscribers' samples and fills the percentiles. */
static void latency(struct sampler *s, int ns, struct result *r)
{
    size_t total = 0;
    for (int i = 0; i < ns; i++)
        total += s[i].n;
    int64_t *all = malloc((total ? total : 1) * sizeof(*all));
    if (all == NULL)
        die("samples", JUTSU_ENOMEM);
    size_t k = 0;
    for (int i = 0; i < ns; i++) {
        memcpy(all + k, s[i].ns, s[i].n * sizeof(*all));
        k += s[i].n;
    }
    qsort(all, total, sizeof(*all), cmp_i64);
    r->has_latency = total > 0;
    if (total > 0) {
        r->p50_us = (double)all[total / 2] / 1e3;
        r->p99_us = (double)all[(size_t)((double)total * 0.99)] / 1e3;
        r->max_us = (double)all[total - 1] / 1e3;
    }
    free(all);
}

static void run_1x4(uint64_t n, int64_t gap_ns, struct result *r)
{
    enum { NS = 4 };
    struct sampler s[NS];
    jutsu_bus *bus = bus_open();
    for (int i = 0; i < NS; i++) {
        s[i].n = 0;
        s[i].cap = n;
        if ((s[i].ns = malloc(n * sizeof(int64_t))) == NULL)
            die("samples", JUTSU_ENOMEM);
        /* touch every page now, not in the callbacks being timed */
        memset(s[i].ns, 0, n * sizeof(int64_t));
        int rc = jutsu_bus_subscribe(bus, "bench", i % 2 ? "bench.>" : "*.tick", on_sample,
                                     &s[i], NULL);
        if (rc != 0)
            die("jutsu_bus_subscribe", rc);
    }
    r->seconds = publish_run(bus, n, 1, gap_ns);
    r->dropped = bus_dropped(bus);
    r->events = s[0].n;
    jutsu_bus_free(bus);
    latency(s, NS, r);
    for (int i = 0; i < NS; i++)
        free(s[i].ns);
}

/* ---- the bare baseline ------------------------------------------------------ */

/* The same ring discipline as the bus (batches, signal only a sleeper),
 * carrying either a plain malloc'd message or the same JSON payload the
 * bus runs carry (bare+json: the bus's own cost, payload cost removed). */
struct msg {
    uint64_t seq;
    int64_t  t;
    char     body[48];
};

struct ring {
    pthread_mutex_t m;
    pthread_cond_t  not_empty, not_full;
    void          **slot;
    size_t          mask;
    uint64_t        head, tail, n;
    int             consumer_waits, producer_waits, json;
};

static void *bare_consumer(void *arg)
{
    struct ring *r = arg;
    void *batch[256];
    uint64_t got = 0;
    while (got < r->n) {
        pthread_mutex_lock(&r->m);
        while (r->tail == r->head) {
            r->consumer_waits = 1;
            pthread_cond_wait(&r->not_empty, &r->m);
            r->consumer_waits = 0;
        }
        size_t k = (size_t)(r->tail - r->head);
        if (k > 256)
            k = 256;
        for (size_t i = 0; i < k; i++)
            batch[i] = r->slot[(r->head + i) & r->mask];
        r->head += k;
        if (r->producer_waits)
            pthread_cond_signal(&r->not_full);
        pthread_mutex_unlock(&r->m);
        for (size_t i = 0; i < k; i++) {
            if (r->json)
                json_object_put(batch[i]);
            else
                free(batch[i]);
        }
        got += k;
    }
    return NULL;
}

static void *bare_message(uint64_t seq, int json)
{
    if (json)
        return make_payload(seq, 0);
    struct msg *m = malloc(sizeof(*m));
    if (m == NULL)
        die("msg", JUTSU_ENOMEM);
    m->seq = seq;
    m->t = 0;
    return m;
}

static void run_bare(uint64_t n, int json, struct result *r)
{
    struct ring q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                      PTHREAD_COND_INITIALIZER, NULL, 65535, 0, 0, n, 0, 0, json };
    pthread_t th;
    if ((q.slot = malloc((q.mask + 1) * sizeof(*q.slot))) == NULL)
        die("ring", JUTSU_ENOMEM);
    int64_t t0 = mono_ns();
    if (pthread_create(&th, NULL, bare_consumer, &q) != 0)
        die("pthread_create", JUTSU_EIO);
    for (uint64_t i = 0; i < n; i++) {
        void *m = bare_message(i, json);
        pthread_mutex_lock(&q.m);
        while (q.tail - q.head > q.mask) {
            q.producer_waits = 1;
            pthread_cond_wait(&q.not_full, &q.m);
            q.producer_waits = 0;
        }
        q.slot[q.tail++ & q.mask] = m;
        if (q.consumer_waits)
            pthread_cond_signal(&q.not_empty);
        pthread_mutex_unlock(&q.m);
    }
    if (pthread_join(th, NULL) != 0)
        die("pthread_join", JUTSU_EIO);
    r->seconds = (double)(mono_ns() - t0) / 1e9;
    r->events = n;
    free(q.slot);
}

/* ---- output ----------------------------------------------------------------- */

static double rate(const struct result *r)
{
    return r->seconds > 0 ? (double)r->events / r->seconds : 0;
}

static double ratio(const struct result *a, const struct result *b)
{
    return rate(b) > 0 ? rate(a) / rate(b) : 0;
}

static void print_table(const struct result *res)
{
    printf("%-9s %10s %8s %12s %8s %10s %10s %10s\n", "run", "events", "seconds",
           "events/s", "dropped", "p50 us", "p99 us", "max us");
    for (int i = 0; i < NRUNS; i++) {
        const struct result *r = &res[i];
        printf("%-9s %10llu %8.3f %12.0f %8llu", r->name, (unsigned long long)r->events,
               r->seconds, rate(r), (unsigned long long)r->dropped);
        if (r->has_latency)
            printf(" %10.1f %10.1f %10.1f\n", r->p50_us, r->p99_us, r->max_us);
        else
            printf(" %10s %10s %10s\n", "-", "-", "-");
    }
    printf("bus 1x1 / bare = %.2f, bus 1x1 / bare_json = %.2f\n", ratio(&res[0], &res[3]),
           ratio(&res[0], &res[4]));
}

static void print_json(const struct result *res, uint64_t n)
{
    printf("{\"events\":%llu", (unsigned long long)n);
    for (int i = 0; i < NRUNS; i++) {
        const struct result *r = &res[i];
        printf(",\"%s\":{\"events\":%llu,\"seconds\":%.6f,\"events_per_s\":%.0f,"
               "\"dropped\":%llu", r->name, (unsigned long long)r->events, r->seconds, rate(r),
               (unsigned long long)r->dropped);
        if (r->has_latency)
            printf(",\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f", r->p50_us, r->p99_us,
                   r->max_us);
        printf("}");
    }
    printf(",\"ratio_1x1_to_bare\":%.3f,\"ratio_1x1_to_bare_json\":%.3f}\n",
           ratio(&res[0], &res[3]), ratio(&res[0], &res[4]));
}

int main(int argc, char **argv)
{
    uint64_t n = 2000000;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            char *end;
            n = strtoull(argv[++i], &end, 10);
            if (*end != '\0' || n == 0) {
                fprintf(stderr, "bench_bus: --events wants a positive integer\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "usage: bench_bus [--events N] [--json]\n");
            return 2;
        }
    }
    struct result res[NRUNS] = {
        { .name = "1x1" }, { .name = "1x4" }, { .name = "paced" },
        { .name = "bare" }, { .name = "bare_json" },
    };
    uint64_t paced = n < PACED_EVENTS ? n : PACED_EVENTS;
    run_1x1(n, &res[0]);
    run_1x4(n, 0, &res[1]);
    run_1x4(paced, 1000000000 / PACED_RATE, &res[2]);
    run_bare(n, 0, &res[3]);
    run_bare(n, 1, &res[4]);
    if (json)
        print_json(res, n);
    else
        print_table(res);
    return 0;
}
