/*
 * tests/unit/bus_fx.c — what test_bus and test_bus_threads share: counted
 * payloads, a bus made to measure, a clock, and two subscribers.
 */
#include <json-c/json.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "bus_fx.h"
#include "testutil.h"

atomic_int bus_fx_frees;

static void count_free(struct json_object *jso, void *ud)
{
    (void)jso;
    atomic_fetch_add(&bus_fx_frees, 1);
    if (ud != NULL)
        atomic_fetch_add((atomic_int *)ud, 1);
}

/* A payload whose destruction is counted (globally, and in *slot if set). */
json_object *counted(json_object *o, atomic_int *slot)
{
    json_object_set_userdata(o, slot, count_free);
    return o;
}

json_object *seq_payload(int64_t th, int64_t seq)
{
    json_object *o = json_object_new_object();
    ck_assert_ptr_nonnull(o);
    json_object_object_add(o, "th", json_object_new_int64(th));
    json_object_object_add(o, "seq", json_object_new_int64(seq));
    return counted(o, NULL);
}

int64_t field(const jutsu_event *ev, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(jutsu_event_payload(ev), key, &v))
        return -1;
    return json_object_get_int64(v);
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

jutsu_bus *make_bus(int threaded, size_t cap, int policy, int block_ms)
{
    struct jutsu_bus_opts o;
    jutsu_bus *bus = NULL;
    jutsu_bus_opts_default(&o);
    o.threaded = threaded;
    if (cap)
        o.capacity = cap;
    o.policy = policy;
    o.block_timeout_ms = block_ms;
    ck_assert_int_eq(jutsu_bus_new(&o, &bus), 0);
    if (threaded)
        ck_assert_int_eq(jutsu_bus_start(bus), 0);
    return bus;
}

void on_seq(const jutsu_event *ev, void *arg)
{
    struct seqsub *s = arg;
    int64_t th = field(ev, "th"), seq = field(ev, "seq");
    if (th < 0 || th >= 8 || seq != s->next[th])
        s->errors++;
    else
        s->next[th] = seq + 1;
    s->calls++;
}

void on_count(const jutsu_event *ev, void *arg)
{
    (void)ev;
    atomic_fetch_add((atomic_int *)arg, 1);
}

/* Also reads the stats: a hook called under the bus lock would deadlock. */
void on_drop(const char *topic, uint64_t total, void *arg)
{
    struct drops *d = arg;
    struct jutsu_bus_stats st;
    d->calls++;
    d->last_total = total;
    snprintf(d->topic, sizeof(d->topic), "%s", topic);
    if (d->bus != NULL) {
        jutsu_bus_stats(d->bus, &st);
        d->stats_mismatch += st.dropped != total;
    }
}
