/*
 * jutsu/bus.h — the event bus, as plugins see it.
 *
 * Plugins tell each other what happened by publishing events: a topic
 * ("market_data.updated", "trade.filled"; catalogue in docs/events.md) and
 * a JSON payload. Subscribers register a topic pattern made of
 * dot-separated segments: a segment "*" matches exactly one segment
 * ("trade.*" matches "trade.filled", not "trade" nor "trade.a.b"), and a
 * last segment ">" matches one or more segments ("system.>"; ">" alone is
 * every topic). Topics themselves contain neither '*' nor '>'.
 *
 * Delivery is asynchronous: publish returns once the event is queued; one
 * dispatcher thread calls subscribers in publish order, so each subscriber
 * sees events in the order they were published (per publishing thread, and
 * globally in queue order). Callbacks run on the dispatcher thread and must
 * be quick: hand long work to a job. A callback must not block on another
 * publish when the queue policy is "block".
 *
 * Ownership: publish takes the caller's reference to the payload (also
 * when it fails); the payload must not be modified after publish. The
 * event and its payload are immutable and reference counted; a subscriber
 * that wants to keep one beyond its callback takes a reference with
 * host->event_ref and drops it with host->event_unref, from any thread.
 * Do not call json_object_to_json_string on a shared payload (json-c
 * caches the text inside the object); use host->event_json instead.
 *
 * A full queue follows the configured policy (bus.full_policy): "block"
 * waits up to bus.block_timeout_ms then drops, "drop_newest" drops the new
 * event at once. Every drop is counted and logged (rate-limited).
 */
#ifndef JUTSU_BUS_H
#define JUTSU_BUS_H

#include <stdint.h>

struct json_object;

typedef struct jutsu_event jutsu_event;   /* opaque, immutable, refcounted */

/* Called on the dispatcher thread; `ev` is valid until the callback returns. */
typedef void (*jutsu_bus_fn)(const jutsu_event *ev, void *arg);

typedef uint64_t jutsu_sub_id;  /* 0 is never a valid id */

#endif
