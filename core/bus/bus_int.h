/*
 * core/bus/bus_int.h — the event bus's insides, shared by its files:
 *   core/bus/bus_topic.c     topic and pattern names: validation, matching;
 *                            the per-topic counters (a lock-free table);
 *   core/bus/bus_event.c     events: creation, accessors, reference counts,
 *                            lists of dead events waiting to be freed;
 *   core/bus/bus_sub.c       subscriber lists, subscribe / unsubscribe, and
 *                            the handshake that keeps an unsubscribed
 *                            callback from running;
 *   core/bus/bus_dispatch.c  the consumer: taking events off the queue and
 *                            delivering them, on the dispatcher thread or
 *                            (manual mode) on the caller's;
 *   core/bus/bus.c           the queue and its producers: publish, drain,
 *                            stats, lifecycle (new/start/shutdown/free).
 * Nothing outside those files includes this. The API is core/bus/bus.h.
 *
 * The design: one bounded multi-producer ring guarded by a mutex, one
 * consumer (the dispatcher thread, or the caller in manual mode).
 *
 * Publishers allocate the event (one malloc: header, topic and source
 * inline) before taking the lock, so the critical section is a slot store
 * and a few counters. The consumer takes a batch per lock round-trip and
 * calls subscribers with no bus lock held. Condition variables are
 * signalled only when somebody is known to wait on them.
 *
 * Two things decide the speed on a small machine, more than the ring:
 *  - cache lines travelling between the cores. The dispatcher gathers a
 *    batch by watching a copy of the tail without the lock (gather()), and
 *    the struct keeps what each side writes on separate lines;
 *  - glibc malloc. Memory freed by a thread other than the one that
 *    allocated it goes back under the allocating arena's lock, so a
 *    dispatcher freeing every payload a publisher built keeps both threads
 *    fighting over that lock. Dead events therefore go to a graveyard,
 *    and each publish frees about one of them on the publisher's thread
 *    (a blocked publisher frees them all; a quiet bus, the dispatcher).
 *
 * Subscribers live in an immutable, refcounted list: subscribe and
 * unsubscribe install a new copy, and the consumer takes a reference to
 * the current copy once per batch (after taking the batch, so an event
 * published after subscribe returned always meets the new list). A
 * removed subscriber may still sit in a list the consumer holds; its
 * `active` flag and the `running` handshake make sure it is not called
 * once unsubscribe has returned.
 */
#ifndef JUTSU_CORE_BUS_INT_H
#define JUTSU_CORE_BUS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/clock.h"
#include "bus/bus.h"

#define BATCH         256        /* most events taken per lock round-trip    */
#define CACHE_LINE    64
#define TOPIC_SLOTS   256        /* distinct topics counted one by one       */

/* One topic's counters. Entries are made on a topic's first publish and
 * installed with a compare-and-swap; they live as long as the bus. */
struct topic_stat {
    atomic_uint_fast64_t published, delivered, dropped;
    char                 topic[];
};

struct jutsu_event {
    atomic_uint          refs;
    jutsu_time_t         time;
    struct json_object  *payload;
    _Atomic(char *)      json;      /* compact text, made on first request */
    const char          *source;    /* points into text[]                  */
    struct topic_stat   *stat;      /* its topic's counters, or NULL       */
    struct jutsu_event  *next;      /* in a list of dead events            */
    char                 text[];    /* topic NUL source NUL                */
};

struct sub {
    atomic_uint   refs;     /* one per subscriber list holding it, plus unsubscribers */
    atomic_int    active;   /* cleared by unsubscribe, read before each call          */
    jutsu_sub_id  id;
    jutsu_bus_fn  fn;
    void         *arg;
    char         *owner;
    char         *pattern;
};

struct sublist {
    atomic_uint  refs;
    size_t       n;
    struct sub  *v[];
};

/* Events whose last reference is gone, waiting to be freed. */
struct deadlist {
    jutsu_event *head, *tail;
    size_t       n;
};

/* Laid out by who writes what: the dispatcher's polling and its
 * per-callback bookkeeping must not steal the publishers' cache lines. */
struct jutsu_bus {
    /* set up once, read everywhere */
    struct jutsu_bus_opts opts;
    jutsu_event   **ring;
    size_t          mask;
    pthread_t       thread;
    int             started;
    unsigned        inited;        /* which sync objects exist (init_sync) */
    atomic_int      stop;          /* consumer: stop after this callback   */
    pthread_mutex_t dispatch_lock; /* manual mode: one consumer at a time  */

    /* the queue, all guarded by `lock` */
    _Alignas(CACHE_LINE)
    pthread_mutex_t lock;
    pthread_cond_t  not_empty;     /* the dispatcher sleeps here           */
    pthread_cond_t  not_full;      /* BLOCK publishers sleep here          */
    pthread_cond_t  progress;      /* drain and shutdown sleep here        */
    uint64_t        head, tail;    /* queued = tail - head                 */
    int             idle;          /* dispatcher is waiting on not_empty   */
    int             blocked;       /* publishers waiting on not_full       */
    int             watchers;      /* threads waiting on progress          */
    int             closed;        /* publishes are refused                */
    int             stopped;       /* shutdown has completed               */
    uint64_t        published, dispatched, delivered, dropped, unmatched;
    uint64_t        discarded;     /* released undelivered at shutdown     */
    size_t          high_water;
    struct deadlist graveyard;     /* dead events for publishers to free   */

    /* a copy of tail the dispatcher can watch without the lock */
    _Alignas(CACHE_LINE)
    atomic_uint_fast64_t tail_hint;

    /* subscribers */
    _Alignas(CACHE_LINE)
    _Atomic(struct sub *) running; /* subscriber inside a callback now     */
    atomic_int      unsub_waiting;
    pthread_mutex_t sub_lock;      /* guards subs and next_id              */
    pthread_cond_t  sub_idle;      /* unsubscribe waits for `running`      */
    struct sublist *subs;
    uint64_t        next_id;

    /* per-topic counters; topics beyond the table count under `other` */
    _Atomic(struct topic_stat *) topics[TOPIC_SLOTS];
    struct topic_stat *other;
};


/* ---- bus_topic.c -------------------------------------------------------- */

/* jutsu_bus_match for arguments already validated: no checks for
 * malformed input. */
int  jutsu_bus_match_valid(const char *pattern, const char *topic);
/* The counters of `topic` (made on first use; lock-free), `other` when the
 * table is full, NULL when out of memory. */
struct topic_stat *jutsu_bus_topic_stat(jutsu_bus *bus, const char *topic);
/* The entry for topics beyond the table ("_other"), for jutsu_bus_new. */
struct topic_stat *jutsu_bus_topic_stat_other(void);
/* Frees the table's entries (jutsu_bus_free). */
void jutsu_bus_topic_stats_free(jutsu_bus *bus);

/* ---- bus_event.c -------------------------------------------------------- */

/* A new event with one reference, stamped by the bus's clock. Takes the
 * payload reference (NULL: an empty object), also on failure. 0 or
 * JUTSU_ENOMEM. */
int  jutsu_bus_event_new(const jutsu_bus *bus, const char *source, const char *topic,
                         struct json_object *payload, jutsu_event **out);
/* Drops a reference: 1 if that was the last one, and the caller now owns
 * the remains (to destroy, or to put on a dead list). */
int  jutsu_bus_event_drop_ref(jutsu_event *e);
/* Frees an event whose last reference is gone, and its payload. */
void jutsu_bus_event_destroy(jutsu_event *e);

void jutsu_bus_dead_push(struct deadlist *d, jutsu_event *e);
/* Moves all of `from` to the end of `to`. */
void jutsu_bus_dead_append(struct deadlist *to, struct deadlist *from);
/* Detaches up to `max` events from the front (0: all), as a chain
 * through `next` for jutsu_bus_dead_free. */
jutsu_event *jutsu_bus_dead_take(struct deadlist *d, size_t max);
/* Destroys a chain from jutsu_bus_dead_take (NULL: nothing). */
void jutsu_bus_dead_free(jutsu_event *e);

/* ---- bus_sub.c ---------------------------------------------------------- */

/* The current subscriber list with a reference taken (NULL: none yet);
 * give it back with jutsu_bus_sublist_release. */
struct sublist *jutsu_bus_subs_acquire(jutsu_bus *bus);
void jutsu_bus_sublist_release(struct sublist *l);
/* The consumer's call of one subscriber: skipped if it has been
 * unsubscribed. 1 if it was called. */
int  jutsu_bus_sub_call(jutsu_bus *bus, struct sub *s, const jutsu_event *ev);
/* How many subscribers are active now. */
size_t jutsu_bus_sub_count(jutsu_bus *bus);

/* ---- bus_dispatch.c ----------------------------------------------------- */

/* 1 if this thread is delivering `bus`'s events, that is, the caller is
 * one of its callbacks (or called from one). */
int  jutsu_bus_delivering(const jutsu_bus *bus);
/* The dispatcher thread's body (threaded mode; jutsu_bus_start). */
void *jutsu_bus_dispatcher_main(void *arg);
/* Manual mode, caller holds dispatch_lock: delivers up to `max` events
 * (0: all) on this thread; returns how many were dispatched. */
size_t jutsu_bus_dispatch_some(jutsu_bus *bus, size_t max);

#endif
