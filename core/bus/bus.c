/*
 * core/bus/bus.c — the event bus's queue and its owner: publish (the
 * producers' side of the ring, with the full-queue policies), drain,
 * stats, and the lifecycle (new, start, shutdown, free). The consumer is
 * in bus_dispatch.c; how the pieces fit together is in bus_int.h.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "bus/bus_int.h"

#define CAPACITY_MAX  ((size_t)1 << 28)

/* ---- lifecycle ---------------------------------------------------------- */

void jutsu_bus_opts_default(struct jutsu_bus_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->capacity = 65536;
    o->policy = JUTSU_BUS_BLOCK;
    o->block_timeout_ms = 1000;
    o->threaded = 1;
}

enum { S_LOCK = 1, S_SUBLOCK = 2, S_DISPATCH = 4, S_NOTEMPTY = 8, S_NOTFULL = 16,
       S_PROGRESS = 32, S_SUBIDLE = 64 };

static void destroy_sync(jutsu_bus *bus)
{
    if (bus->inited & S_SUBIDLE)
        pthread_cond_destroy(&bus->sub_idle);
    if (bus->inited & S_PROGRESS)
        pthread_cond_destroy(&bus->progress);
    if (bus->inited & S_NOTFULL)
        pthread_cond_destroy(&bus->not_full);
    if (bus->inited & S_NOTEMPTY)
        pthread_cond_destroy(&bus->not_empty);
    if (bus->inited & S_DISPATCH)
        pthread_mutex_destroy(&bus->dispatch_lock);
    if (bus->inited & S_SUBLOCK)
        pthread_mutex_destroy(&bus->sub_lock);
    if (bus->inited & S_LOCK)
        pthread_mutex_destroy(&bus->lock);
    bus->inited = 0;
}

/* Timed waits use CLOCK_MONOTONIC. The queue lock is held for a few
 * instructions at a time: spinning briefly on it beats sleeping. */
static int init_sync(jutsu_bus *bus)
{
    pthread_condattr_t ca;
    pthread_mutexattr_t ma;
    if (pthread_condattr_init(&ca) != 0)
        return JUTSU_ENOMEM;
    if (pthread_mutexattr_init(&ma) != 0) {
        pthread_condattr_destroy(&ca);
        return JUTSU_ENOMEM;
    }
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) |
             pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
#define TRY(bit, call) if (rc == 0 && (rc = (call)) == 0) bus->inited |= (bit)
    TRY(S_LOCK, pthread_mutex_init(&bus->lock, &ma));
    TRY(S_SUBLOCK, pthread_mutex_init(&bus->sub_lock, NULL));
    TRY(S_DISPATCH, pthread_mutex_init(&bus->dispatch_lock, NULL));
    TRY(S_NOTEMPTY, pthread_cond_init(&bus->not_empty, &ca));
    TRY(S_NOTFULL, pthread_cond_init(&bus->not_full, &ca));
    TRY(S_PROGRESS, pthread_cond_init(&bus->progress, &ca));
    TRY(S_SUBIDLE, pthread_cond_init(&bus->sub_idle, &ca));
#undef TRY
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        destroy_sync(bus);
    return rc == 0 ? 0 : JUTSU_ENOMEM;
}

int jutsu_bus_new(const struct jutsu_bus_opts *opts, jutsu_bus **out)
{
    struct jutsu_bus_opts o;
    if (opts)
        o = *opts;
    else
        jutsu_bus_opts_default(&o);
    if (out == NULL || o.capacity == 0 || o.capacity > CAPACITY_MAX || o.block_timeout_ms < 0 ||
        (o.policy != JUTSU_BUS_BLOCK && o.policy != JUTSU_BUS_DROP_NEWEST))
        return JUTSU_EINVAL;
    size_t cap = 1;
    while (cap < o.capacity)
        cap <<= 1;
    o.capacity = cap;

    jutsu_bus *bus = aligned_alloc(CACHE_LINE, sizeof(*bus));
    if (bus == NULL)
        return JUTSU_ENOMEM;
    memset(bus, 0, sizeof(*bus));
    bus->opts = o;
    bus->mask = cap - 1;
    atomic_init(&bus->stop, 0);
    atomic_init(&bus->tail_hint, 0);
    atomic_init(&bus->running, NULL);
    atomic_init(&bus->unsub_waiting, 0);
    for (size_t i = 0; i < TOPIC_SLOTS; i++)
        atomic_init(&bus->topics[i], NULL);
    if ((bus->ring = malloc(cap * sizeof(bus->ring[0]))) == NULL ||
        (bus->other = jutsu_bus_topic_stat_other()) == NULL || init_sync(bus) != 0) {
        free(bus->other);
        free(bus->ring);
        free(bus);
        return JUTSU_ENOMEM;
    }
    *out = bus;
    return 0;
}

int jutsu_bus_start(jutsu_bus *bus)
{
    if (bus == NULL)
        return JUTSU_EINVAL;
    if (!bus->opts.threaded || bus->started)
        return JUTSU_ESTATE;
    if (bus->closed)
        return JUTSU_ESHUTDOWN;
    int rc = pthread_create(&bus->thread, NULL, jutsu_bus_dispatcher_main, bus);
    if (rc != 0)
        return rc == EAGAIN ? JUTSU_ENOMEM : JUTSU_EIO;
    bus->started = 1;
    return 0;
}

/* Caller holds the lock and the queue is full. 1 if there is room now,
 * 0 to drop, JUTSU_ESHUTDOWN if the bus closed while waiting. */
static int wait_for_room(jutsu_bus *bus)
{
    /* Nobody else would make room: the owner of a manual bus, or the
     * dispatcher publishing from a callback. */
    if (bus->opts.policy != JUTSU_BUS_BLOCK || !bus->opts.threaded ||
        jutsu_bus_delivering(bus) || bus->opts.block_timeout_ms == 0)
        return 0;
    struct timespec dl = jutsu_clock_deadline(bus->opts.block_timeout_ms);
    int rc = 0;
    bus->blocked++;
    while (bus->tail - bus->head > bus->mask && !bus->closed && rc == 0) {
        if (bus->graveyard.head != NULL) {
            /* waiting anyway: free what the dispatcher left behind */
            jutsu_event *dead = jutsu_bus_dead_take(&bus->graveyard, 0);
            pthread_mutex_unlock(&bus->lock);
            jutsu_bus_dead_free(dead);
            pthread_mutex_lock(&bus->lock);
            continue;
        }
        rc = pthread_cond_timedwait(&bus->not_full, &bus->lock, &dl);
    }
    bus->blocked--;
    if (bus->closed)
        return JUTSU_ESHUTDOWN;
    return bus->tail - bus->head <= bus->mask;
}

static int drop(jutsu_bus *bus, jutsu_event *ev)
{
    uint64_t total = ++bus->dropped;
    pthread_mutex_unlock(&bus->lock);
    if (ev->stat)
        atomic_fetch_add_explicit(&ev->stat->dropped, 1, memory_order_relaxed);
    if (bus->opts.on_drop)
        bus->opts.on_drop(ev->text, total, bus->opts.on_drop_arg);
    jutsu_event_unref(ev);
    return JUTSU_EFULL;
}

int jutsu_bus_publish(jutsu_bus *bus, const char *source, const char *topic,
                      struct json_object *payload)
{
    if (bus == NULL || !jutsu_bus_topic_valid(topic)) {
        json_object_put(payload);
        return JUTSU_EINVAL;
    }
    jutsu_event *ev;
    int rc = jutsu_bus_event_new(bus, source ? source : "", topic, payload, &ev);
    if (rc != 0)
        return rc;
    ev->stat = jutsu_bus_topic_stat(bus, topic);   /* outside the lock */

    pthread_mutex_lock(&bus->lock);
    if (!bus->closed && bus->tail - bus->head > bus->mask && wait_for_room(bus) == 0)
        return drop(bus, ev);       /* unlocks */
    if (bus->closed) {
        pthread_mutex_unlock(&bus->lock);
        jutsu_event_unref(ev);
        return JUTSU_ESHUTDOWN;
    }
    bus->ring[bus->tail++ & bus->mask] = ev;
    atomic_store_explicit(&bus->tail_hint, bus->tail, memory_order_relaxed);
    bus->published++;
    if (ev->stat)
        atomic_fetch_add_explicit(&ev->stat->published, 1, memory_order_relaxed);
    if (bus->tail - bus->head > bus->high_water)
        bus->high_water = (size_t)(bus->tail - bus->head);
    if (bus->idle)
        pthread_cond_signal(&bus->not_empty);
    /* About one dead event per publish: freeing as much as was just
     * allocated keeps malloc serving this thread from its per-thread
     * cache. One more while they pile up, so that the graveyard shrinks. */
    jutsu_event *dead = jutsu_bus_dead_take(&bus->graveyard, 1 + (bus->graveyard.n > BATCH));
    pthread_mutex_unlock(&bus->lock);
    jutsu_bus_dead_free(dead);
    return 0;
}

/* Manual mode: delivers on this thread until the queue is empty or the
 * deadline passes; cascades (callbacks that publish) are delivered too. */
static int manual_drain(jutsu_bus *bus, int timeout_ms, uint64_t target)
{
    int64_t until = jutsu_clock_mono_ns() + (int64_t)timeout_ms * 1000000;
    pthread_mutex_lock(&bus->dispatch_lock);
    while (jutsu_bus_dispatch_some(bus, BATCH) > 0 &&
           (timeout_ms < 0 || jutsu_clock_mono_ns() < until))
        ;
    pthread_mutex_unlock(&bus->dispatch_lock);
    pthread_mutex_lock(&bus->lock);
    int done = bus->dispatched + bus->discarded >= target;
    pthread_mutex_unlock(&bus->lock);
    return done ? 0 : JUTSU_ETIMEDOUT;
}

/* Caller holds the lock: waits until `target` events have left the bus. */
static int wait_retired(jutsu_bus *bus, uint64_t target, int timeout_ms)
{
    struct timespec dl = jutsu_clock_deadline(timeout_ms < 0 ? 0 : timeout_ms);
    int rc = 0;
    bus->watchers++;
    while (bus->dispatched + bus->discarded < target && rc == 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&bus->progress, &bus->lock);
        else
            rc = pthread_cond_timedwait(&bus->progress, &bus->lock, &dl);
    }
    bus->watchers--;
    return bus->dispatched + bus->discarded >= target ? 0 : JUTSU_ETIMEDOUT;
}

int jutsu_bus_drain(jutsu_bus *bus, int timeout_ms)
{
    if (bus == NULL)
        return JUTSU_EINVAL;
    if (jutsu_bus_delivering(bus))
        return JUTSU_ESTATE;        /* would wait for itself */
    pthread_mutex_lock(&bus->lock);
    uint64_t target = bus->published;
    if (!bus->opts.threaded) {
        pthread_mutex_unlock(&bus->lock);
        return manual_drain(bus, timeout_ms, target);
    }
    int rc = 0;
    if (!bus->started && !bus->stopped && bus->dispatched + bus->discarded < target)
        rc = JUTSU_ESTATE;          /* nobody would ever deliver them */
    else
        rc = wait_retired(bus, target, timeout_ms);
    pthread_mutex_unlock(&bus->lock);
    return rc;
}

void jutsu_bus_stats(jutsu_bus *bus, struct jutsu_bus_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (bus == NULL)
        return;
    pthread_mutex_lock(&bus->lock);
    out->published = bus->published;
    out->dispatched = bus->dispatched;
    out->delivered = bus->delivered;
    out->dropped = bus->dropped;
    out->unmatched = bus->unmatched;
    out->queued = (size_t)(bus->tail - bus->head);
    out->high_water = bus->high_water;
    pthread_mutex_unlock(&bus->lock);
    out->subscribers = jutsu_bus_sub_count(bus);
}

/* Lets the dispatcher deliver until the deadline, then stops and joins it. */
static void stop_dispatcher(jutsu_bus *bus, int timeout_ms)
{
    pthread_mutex_lock(&bus->lock);
    if (timeout_ms != 0)
        wait_retired(bus, bus->published, timeout_ms);
    atomic_store(&bus->stop, 1);
    if (bus->idle)
        pthread_cond_signal(&bus->not_empty);
    pthread_mutex_unlock(&bus->lock);
    pthread_join(bus->thread, NULL);
    bus->started = 0;
}

int jutsu_bus_shutdown(jutsu_bus *bus, int timeout_ms, size_t *undelivered)
{
    if (undelivered)
        *undelivered = 0;
    if (bus == NULL)
        return JUTSU_EINVAL;
    if (jutsu_bus_delivering(bus))
        return JUTSU_ESTATE;        /* would join itself */
    pthread_mutex_lock(&bus->lock);
    int already = bus->stopped;
    bus->closed = 1;
    if (bus->blocked > 0)
        pthread_cond_broadcast(&bus->not_full);
    pthread_mutex_unlock(&bus->lock);
    if (already)
        return 0;

    if (bus->started)
        stop_dispatcher(bus, timeout_ms);
    else if (!bus->opts.threaded && timeout_ms != 0)
        manual_drain(bus, timeout_ms, 0);

    /* Closed and no consumer left: the ring is ours. Release outside the
     * lock, since a payload's delete hook may call back into the bus. */
    pthread_mutex_lock(&bus->lock);
    uint64_t from = bus->head, to = bus->tail;
    bus->head = to;
    jutsu_event *dead = jutsu_bus_dead_take(&bus->graveyard, 0);
    pthread_mutex_unlock(&bus->lock);
    jutsu_bus_dead_free(dead);
    for (uint64_t i = from; i < to; i++)
        jutsu_event_unref(bus->ring[i & bus->mask]);

    pthread_mutex_lock(&bus->lock);
    bus->discarded += to - from;
    size_t left = (size_t)bus->discarded;
    bus->stopped = 1;
    if (bus->watchers > 0)
        pthread_cond_broadcast(&bus->progress);
    pthread_mutex_unlock(&bus->lock);
    if (undelivered)
        *undelivered = left;
    return left > 0 ? JUTSU_ETIMEDOUT : 0;
}

void jutsu_bus_free(jutsu_bus *bus)
{
    if (bus == NULL)
        return;
    if (!bus->stopped)
        jutsu_bus_shutdown(bus, 0, NULL);
    jutsu_bus_sublist_release(bus->subs);
    jutsu_bus_topic_stats_free(bus);
    destroy_sync(bus);
    free(bus->ring);
    free(bus);
}
