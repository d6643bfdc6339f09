/*
 * core/bus/bus_dispatch.c — the consumer: takes events off the queue a
 * batch at a time and calls the matching subscribers with no bus lock
 * held, either on the dispatcher thread (threaded mode) or on the thread
 * that calls jutsu_bus_dispatch (manual mode). The dispatcher's patience
 * (gather()) and its share of freeing dead events live here too.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bus/bus_int.h"

#define GRAVEYARD_MAX (4 * BATCH) /* beyond this the dispatcher frees too   */
/* The dispatcher's patience (see gather()). */
#define GATHER        64         /* events worth a lock round-trip           */
#define GATHER_NS     20000      /* longest wait for them                    */
#define GAP_NS        2000       /* publishers paused: take what there is    */
#define SPIN_NS       20000      /* queue empty: watch this long, then sleep */

/* What one consumer pass did; folded into the bus counters under the lock. */
struct tally {
    uint64_t        dispatched, delivered, unmatched, discarded;
    struct deadlist dead;
};

/* The bus whose events this thread is delivering (callbacks run here). */
static _Thread_local jutsu_bus *tl_dispatching;

int jutsu_bus_delivering(const jutsu_bus *bus)
{
    return tl_dispatching == bus;
}

/* Caller holds the lock. */
static size_t take(jutsu_bus *bus, jutsu_event **out, size_t max)
{
    size_t n = (size_t)(bus->tail - bus->head);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = bus->ring[(bus->head + i) & bus->mask];
    bus->head += n;
    if (n > 0 && bus->blocked > 0)
        pthread_cond_broadcast(&bus->not_full);
    return n;
}

/* Caller holds the lock. Dead events go to the graveyard unless it is
 * already long (the publishers are not getting to them: on a busy machine
 * the two threads often share one core in turns); then they stay in the
 * tally for the dispatcher to free once it has dropped the lock. */
static void settle(jutsu_bus *bus, struct tally *t)
{
    bus->dispatched += t->dispatched;
    bus->delivered += t->delivered;
    bus->unmatched += t->unmatched;
    bus->discarded += t->discarded;
    if (bus->graveyard.n < GRAVEYARD_MAX)
        jutsu_bus_dead_append(&bus->graveyard, &t->dead);
    if (t->dispatched + t->discarded > 0 && bus->watchers > 0)
        pthread_cond_broadcast(&bus->progress);
    t->dispatched = t->delivered = t->unmatched = t->discarded = 0;
}

/* Drops the consumer's reference; the dispatcher thread leaves a dead
 * event for a publisher to free (see bus_int.h). */
static void consumed(jutsu_bus *bus, jutsu_event *ev, struct tally *t)
{
    if (!jutsu_bus_event_drop_ref(ev))
        return;
    if (bus->opts.threaded)
        jutsu_bus_dead_push(&t->dead, ev);
    else
        jutsu_bus_event_destroy(ev);
}

/* Delivers a batch taken off the ring, with no bus lock held. A stop
 * request (shutdown deadline) abandons the rest of the batch. */
static void deliver(jutsu_bus *bus, jutsu_event **evs, size_t n, struct tally *t)
{
    struct sublist *l = jutsu_bus_subs_acquire(bus);
    jutsu_bus *outer = tl_dispatching;
    tl_dispatching = bus;
    for (size_t i = 0; i < n; i++) {
        if (atomic_load_explicit(&bus->stop, memory_order_relaxed)) {
            for (; i < n; i++, t->discarded++)
                consumed(bus, evs[i], t);
            break;
        }
        uint64_t hits = 0;
        for (size_t k = 0; l != NULL && k < l->n; k++) {
            if (jutsu_bus_match_valid(l->v[k]->pattern, evs[i]->text))
                hits += (uint64_t)jutsu_bus_sub_call(bus, l->v[k], evs[i]);
        }
        t->delivered += hits;
        t->unmatched += hits == 0;
        if (hits && evs[i]->stat)
            atomic_fetch_add_explicit(&evs[i]->stat->delivered, hits, memory_order_relaxed);
        t->dispatched++;
        consumed(bus, evs[i], t);
    }
    tl_dispatching = outer;
    jutsu_bus_sublist_release(l);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Caller holds the lock; fewer than a batch's worth is queued. Rather than
 * take events one at a time (one lock handover, and a cache-line trip
 * between the cores, per event), watch the queue without the lock while
 * events keep coming, until a batch has gathered, the publishers pause
 * for GAP_NS, or GATHER_NS has passed. With nothing queued, watch for
 * SPIN_NS before going to sleep: a steady publisher then never pays for a
 * wake-up. Returns with the lock held. */
static void gather(jutsu_bus *bus)
{
    uint64_t head = bus->head, last = bus->tail;
    uint64_t want = bus->mask / 2 + 1 < GATHER ? bus->mask / 2 + 1 : GATHER;
    pthread_mutex_unlock(&bus->lock);
    int64_t start = jutsu_clock_mono_ns(), seen = start, now = start;
    do {
        /* each read pulls the line from the publisher's core: not too often */
        for (int i = 0; i < 32; i++)
            cpu_relax();
        uint64_t tail = atomic_load_explicit(&bus->tail_hint, memory_order_relaxed);
        if (tail - head >= want || atomic_load_explicit(&bus->stop, memory_order_relaxed))
            break;
        now = jutsu_clock_mono_ns();
        if (tail != last) {
            last = tail;
            seen = now;
        }
    } while (last == head ? now - start < SPIN_NS
                          : now - seen < GAP_NS && now - start < GATHER_NS);
    pthread_mutex_lock(&bus->lock);
}

/* Caller holds the lock; the queue has been empty for SPIN_NS. With
 * nothing better to do, free what the publishers left in the graveyard (a
 * batch at a time, looking at the queue in between), then sleep. */
static void idle_wait(jutsu_bus *bus)
{
    while (bus->graveyard.head != NULL) {
        jutsu_event *dead = jutsu_bus_dead_take(&bus->graveyard, BATCH);
        pthread_mutex_unlock(&bus->lock);
        jutsu_bus_dead_free(dead);
        pthread_mutex_lock(&bus->lock);
        if (bus->tail != bus->head || atomic_load(&bus->stop))
            return;
    }
    bus->idle = 1;
    pthread_cond_wait(&bus->not_empty, &bus->lock);
    bus->idle = 0;
}

void *jutsu_bus_dispatcher_main(void *arg)
{
    jutsu_bus *bus = arg;
    jutsu_event *batch[BATCH];
    struct tally t = { 0 };
    pthread_mutex_lock(&bus->lock);
    for (;;) {
        settle(bus, &t);
        if (bus->tail - bus->head < GATHER && !atomic_load(&bus->stop))
            gather(bus);
        while (bus->tail == bus->head && !atomic_load(&bus->stop))
            idle_wait(bus);
        if (atomic_load(&bus->stop))
            break;
        size_t n = take(bus, batch, BATCH);
        pthread_mutex_unlock(&bus->lock);
        jutsu_bus_dead_free(jutsu_bus_dead_take(&t.dead, 0));
        deliver(bus, batch, n, &t);
        pthread_mutex_lock(&bus->lock);
    }
    settle(bus, &t);
    pthread_mutex_unlock(&bus->lock);
    jutsu_bus_dead_free(jutsu_bus_dead_take(&t.dead, 0));
    return NULL;
}

/* Manual mode: delivers up to `max` events (0: all) on this thread;
 * returns how many were dispatched. */
size_t jutsu_bus_dispatch_some(jutsu_bus *bus, size_t max)
{
    jutsu_event *batch[BATCH];
    struct tally t = { 0 };
    size_t total = 0, n;
    do {
        size_t want = max != 0 && max - total < BATCH ? max - total : BATCH;
        pthread_mutex_lock(&bus->lock);
        settle(bus, &t);
        n = take(bus, batch, want);
        pthread_mutex_unlock(&bus->lock);
        deliver(bus, batch, n, &t);
        total += n;
    } while (n > 0 && (max == 0 || total < max));
    pthread_mutex_lock(&bus->lock);
    total -= (size_t)t.discarded;
    settle(bus, &t);
    pthread_mutex_unlock(&bus->lock);
    return total;
}

size_t jutsu_bus_dispatch(jutsu_bus *bus, size_t max)
{
    if (bus == NULL || bus->opts.threaded || tl_dispatching == bus)
        return 0;
    pthread_mutex_lock(&bus->dispatch_lock);
    size_t n = jutsu_bus_dispatch_some(bus, max);
    pthread_mutex_unlock(&bus->dispatch_lock);
    return n;
}
