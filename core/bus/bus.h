/*
 * core/bus/bus.h — the event bus (host side). Plugins see it through the host
 * vtable; the semantics are documented in include/jutsu/bus.h.
 *
 * One bounded multi-producer queue, one dispatcher thread. Publishing
 * copies nothing but the topic: the event holds the payload reference and
 * an atomic refcount. The dispatcher takes events in queue order and calls
 * each matching subscriber, so per-subscriber order is publish order.
 *
 * Modes: threaded (jutsu_bus_start spawns the dispatcher) or manual (no
 * thread; jutsu_bus_dispatch delivers on the caller's thread: tests and
 * the plugin harness). jutsu_bus_drain waits until everything queued
 * before the call has been delivered, in either mode.
 *
 * Full queue: JUTSU_BUS_BLOCK waits up to block_timeout_ms for room, then
 * drops; JUTSU_BUS_DROP_NEWEST drops at once. A drop returns JUTSU_EFULL
 * to the publisher and is counted in stats.dropped. In manual mode BLOCK
 * behaves as DROP_NEWEST (nobody else would make room).
 *
 * Thread-safety: publish, subscribe, unsubscribe, stats, and the event
 * functions from any thread. new/start/shutdown/free from one owner thread.
 * A callback may publish, subscribe and unsubscribe (itself included).
 */
#ifndef JUTSU_CORE_BUS_H
#define JUTSU_CORE_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/bus.h"
#include "jutsu/clock.h"

struct json_object;

typedef struct jutsu_bus jutsu_bus;

enum jutsu_bus_policy {
    JUTSU_BUS_BLOCK       = 0,
    JUTSU_BUS_DROP_NEWEST = 1
};

struct jutsu_bus_opts {
    size_t   capacity;          /* queue slots; rounded up to a power of two */
    int      policy;            /* enum jutsu_bus_policy                     */
    int      block_timeout_ms;  /* BLOCK: how long to wait for room          */
    int      threaded;          /* 1: jutsu_bus_start spawns the dispatcher  */
    /* clock for event timestamps; NULL = CLOCK_REALTIME */
    jutsu_time_t (*now)(void *arg);
    void    *now_arg;
    /* called (not under any bus lock) when events are dropped; may be NULL.
     * Rate-limiting is the callee's business. */
    void   (*on_drop)(const char *topic, uint64_t dropped_total, void *arg);
    void    *on_drop_arg;
};

struct jutsu_bus_stats {
    uint64_t published;     /* accepted into the queue                     */
    uint64_t dispatched;    /* taken off the queue and processed           */
    uint64_t delivered;     /* subscriber callbacks made                   */
    uint64_t dropped;       /* refused by the full-queue policy            */
    uint64_t unmatched;     /* dispatched to no subscriber                 */
    size_t   queued;        /* in the queue now                            */
    size_t   high_water;    /* most ever queued at once                    */
    size_t   subscribers;
};

void jutsu_bus_opts_default(struct jutsu_bus_opts *o);  /* 65536, BLOCK, 1000 ms, threaded */

int  jutsu_bus_new(const struct jutsu_bus_opts *opts, jutsu_bus **out);
int  jutsu_bus_start(jutsu_bus *bus);                  /* threaded mode only */

/* `source` names the publisher (instance name or "host"), copied. Takes
 * the payload reference (NULL: an empty object) also on failure. 0,
 * JUTSU_EINVAL (bad topic), JUTSU_EFULL, JUTSU_ESHUTDOWN, JUTSU_ENOMEM. */
int  jutsu_bus_publish(jutsu_bus *bus, const char *source, const char *topic,
                       struct json_object *payload);

/* `owner` names the subscriber for logs, copied. 0 or JUTSU_EINVAL (bad
 * pattern), JUTSU_ENOMEM. */
int  jutsu_bus_subscribe(jutsu_bus *bus, const char *owner, const char *pattern,
                         jutsu_bus_fn fn, void *arg, jutsu_sub_id *id);
/* When this returns, the callback is not running on another thread and
 * will not be called again. Callable from within the callback. */
int  jutsu_bus_unsubscribe(jutsu_bus *bus, jutsu_sub_id id);

/* Manual mode: delivers up to `max` queued events (0 = all) on the calling
 * thread; returns how many were dispatched. In threaded mode returns 0. */
size_t jutsu_bus_dispatch(jutsu_bus *bus, size_t max);
/* Waits until every event queued before the call has been delivered.
 * 0 or JUTSU_ETIMEDOUT (timeout_ms < 0: wait forever). Must not be called
 * from a callback. */
int  jutsu_bus_drain(jutsu_bus *bus, int timeout_ms);

void jutsu_bus_stats(jutsu_bus *bus, struct jutsu_bus_stats *out);

/* One topic's counters since the bus was made. Topics beyond the first
 * 256 distinct ones are counted together under the topic "_other". */
struct jutsu_bus_topic_stats {
    const char *topic;      /* valid as long as the bus                   */
    uint64_t    published;  /* accepted into the queue                    */
    uint64_t    delivered;  /* subscriber callbacks made                  */
    uint64_t    dropped;    /* refused by the full-queue policy           */
};
/* Writes up to `max` topics' counters (in no order) to out; returns how
 * many. Lock-free; the counters of one topic are read one after the
 * other, not as one snapshot. */
size_t jutsu_bus_topic_stats(jutsu_bus *bus, struct jutsu_bus_topic_stats *out, size_t max);

/* Stops accepting publishes (they get JUTSU_ESHUTDOWN), delivers what is
 * queued for up to timeout_ms, then stops the dispatcher. *undelivered
 * (may be NULL) counts events still queued at the deadline; they are
 * released undelivered. Returns 0 or JUTSU_ETIMEDOUT. Idempotent. */
int  jutsu_bus_shutdown(jutsu_bus *bus, int timeout_ms, size_t *undelivered);
/* Shuts down (timeout 0) if needed, frees everything. */
void jutsu_bus_free(jutsu_bus *bus);

/* Pattern syntax (jutsu/bus.h): 1 if valid. */
int  jutsu_bus_pattern_valid(const char *pattern);
int  jutsu_bus_topic_valid(const char *topic);
/* 1 if `topic` matches `pattern`. */
int  jutsu_bus_match(const char *pattern, const char *topic);

/* Event accessors (host vtable slots point here). */
const char         *jutsu_event_topic(const jutsu_event *ev);
struct json_object *jutsu_event_payload(const jutsu_event *ev);
const char         *jutsu_event_json(const jutsu_event *ev);
jutsu_time_t        jutsu_event_time(const jutsu_event *ev);
const char         *jutsu_event_source(const jutsu_event *ev);
const jutsu_event  *jutsu_event_ref(const jutsu_event *ev);
void                jutsu_event_unref(const jutsu_event *ev);

#endif
