/*
 * core/bus/bus_event.c — events: making one at publish, what a subscriber
 * may ask of it (jutsu_event_*), its reference count, and the lists that
 * carry dead events to the thread that will free them (why: bus_int.h).
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "bus/bus_int.h"

/* json-c caches serialised text inside the object it serialises, and the
 * same payload might sit in several events: one lock for all of them. */
static pthread_mutex_t json_lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes the payload reference, also on failure. */
int jutsu_bus_event_new(const jutsu_bus *bus, const char *source, const char *topic,
                        struct json_object *payload, jutsu_event **out)
{
    if (payload == NULL && (payload = json_object_new_object()) == NULL)
        return JUTSU_ENOMEM;
    size_t tl = strlen(topic), sl = strlen(source);
    jutsu_event *ev = malloc(sizeof(*ev) + tl + sl + 2);
    if (ev == NULL) {
        json_object_put(payload);
        return JUTSU_ENOMEM;
    }
    atomic_init(&ev->refs, 1);
    atomic_init(&ev->json, NULL);
    ev->time = bus->opts.now ? bus->opts.now(bus->opts.now_arg) : jutsu_clock_wall();
    ev->payload = payload;
    memcpy(ev->text, topic, tl + 1);
    memcpy(ev->text + tl + 1, source, sl + 1);
    ev->source = ev->text + tl + 1;
    ev->stat = NULL;
    *out = ev;
    return 0;
}

const char *jutsu_event_topic(const jutsu_event *ev)
{
    return ev ? ev->text : NULL;
}

struct json_object *jutsu_event_payload(const jutsu_event *ev)
{
    return ev ? ev->payload : NULL;
}

jutsu_time_t jutsu_event_time(const jutsu_event *ev)
{
    return ev ? ev->time : 0;
}

const char *jutsu_event_source(const jutsu_event *ev)
{
    return ev ? ev->source : NULL;
}

/* NULL only if memory runs out. NOSLASHESCAPE: "a/b" stays readable. */
const char *jutsu_event_json(const jutsu_event *ev)
{
    if (ev == NULL)
        return NULL;
    jutsu_event *e = (jutsu_event *)ev;
    char *text = atomic_load_explicit(&e->json, memory_order_acquire);
    if (text != NULL)
        return text;
    pthread_mutex_lock(&json_lock);
    text = atomic_load_explicit(&e->json, memory_order_relaxed);
    if (text == NULL) {
        const char *s = json_object_to_json_string_ext(
            e->payload, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        text = s ? strdup(s) : NULL;
        atomic_store_explicit(&e->json, text, memory_order_release);
    }
    pthread_mutex_unlock(&json_lock);
    return text;
}

const jutsu_event *jutsu_event_ref(const jutsu_event *ev)
{
    if (ev != NULL)
        atomic_fetch_add_explicit(&((jutsu_event *)ev)->refs, 1, memory_order_relaxed);
    return ev;
}

/* 1 if that was the last reference: the caller now owns the remains. */
int jutsu_bus_event_drop_ref(jutsu_event *e)
{
    return atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1;
}

void jutsu_bus_event_destroy(jutsu_event *e)
{
    json_object_put(e->payload);
    free(atomic_load_explicit(&e->json, memory_order_relaxed));
    free(e);
}

void jutsu_event_unref(const jutsu_event *ev)
{
    if (ev != NULL && jutsu_bus_event_drop_ref((jutsu_event *)ev))
        jutsu_bus_event_destroy((jutsu_event *)ev);
}

void jutsu_bus_dead_push(struct deadlist *d, jutsu_event *e)
{
    e->next = NULL;
    *(d->tail ? &d->tail->next : &d->head) = e;
    d->tail = e;
    d->n++;
}

void jutsu_bus_dead_append(struct deadlist *to, struct deadlist *from)
{
    if (from->head == NULL)
        return;
    *(to->tail ? &to->tail->next : &to->head) = from->head;
    to->tail = from->tail;
    to->n += from->n;
    memset(from, 0, sizeof(*from));
}

/* Detaches up to `max` events from the front (0: all). */
jutsu_event *jutsu_bus_dead_take(struct deadlist *d, size_t max)
{
    jutsu_event *first = d->head, *last = d->head;
    if (max == 0 || max >= d->n) {
        memset(d, 0, sizeof(*d));
        return first;
    }
    for (size_t i = 1; i < max; i++)
        last = last->next;
    d->head = last->next;
    d->n -= max;
    last->next = NULL;
    return first;
}

void jutsu_bus_dead_free(jutsu_event *e)
{
    while (e != NULL) {
        jutsu_event *next = e->next;
        jutsu_bus_event_destroy(e);
        e = next;
    }
}
