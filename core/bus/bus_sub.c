/*
 * core/bus/bus_sub.c — subscribers: the immutable, refcounted lists the
 * consumer reads (bus_int.h says why), subscribe and unsubscribe, and the
 * handshake between an unsubscriber and the consumer that makes sure a
 * callback is neither running nor called again once unsubscribe returns.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "bus/bus_int.h"

static void sub_release(struct sub *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(s->owner);
    free(s->pattern);
    free(s);
}

void jutsu_bus_sublist_release(struct sublist *l)
{
    if (l == NULL || atomic_fetch_sub_explicit(&l->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < l->n; i++)
        sub_release(l->v[i]);
    free(l);
}

struct sublist *jutsu_bus_subs_acquire(jutsu_bus *bus)
{
    pthread_mutex_lock(&bus->sub_lock);
    struct sublist *l = bus->subs;
    if (l != NULL)
        atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&bus->sub_lock);
    return l;
}

/* Installs a copy of the current list without inactive entries, plus `add`
 * if not NULL, and returns the old list for the caller to release once it
 * has dropped sub_lock. Caller holds sub_lock. JUTSU_ENOMEM leaves the
 * current list in place. */
static int sublist_replace(jutsu_bus *bus, struct sub *add, struct sublist **old)
{
    struct sublist *cur = bus->subs;
    size_t n = cur ? cur->n : 0;
    struct sublist *l = malloc(sizeof(*l) + (n + 1) * sizeof(l->v[0]));
    if (l == NULL)
        return JUTSU_ENOMEM;
    atomic_init(&l->refs, 1);
    l->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (atomic_load(&cur->v[i]->active))
            l->v[l->n++] = cur->v[i];
    }
    if (add != NULL)
        l->v[l->n++] = add;
    for (size_t i = 0; i < l->n; i++)
        atomic_fetch_add_explicit(&l->v[i]->refs, 1, memory_order_relaxed);
    bus->subs = l;
    *old = cur;
    return 0;
}

int jutsu_bus_subscribe(jutsu_bus *bus, const char *owner, const char *pattern,
                        jutsu_bus_fn fn, void *arg, jutsu_sub_id *id)
{
    if (bus == NULL || fn == NULL || !jutsu_bus_pattern_valid(pattern))
        return JUTSU_EINVAL;
    struct sub *s = calloc(1, sizeof(*s));
    struct sublist *old = NULL;
    if (s == NULL)
        return JUTSU_ENOMEM;
    if ((s->owner = strdup(owner ? owner : "")) == NULL ||
        (s->pattern = strdup(pattern)) == NULL)
        goto fail;
    atomic_init(&s->refs, 0);
    atomic_init(&s->active, 1);
    s->fn = fn;
    s->arg = arg;

    pthread_mutex_lock(&bus->sub_lock);
    s->id = bus->next_id + 1;
    int rc = sublist_replace(bus, s, &old);
    if (rc == 0)
        bus->next_id++;
    pthread_mutex_unlock(&bus->sub_lock);
    if (rc != 0)
        goto fail;
    jutsu_bus_sublist_release(old);
    if (id)
        *id = s->id;
    return 0;
fail:
    free(s->owner);
    free(s->pattern);
    free(s);
    return JUTSU_ENOMEM;
}

/* The Dekker pair: unsubscribe writes `active` then reads `running`; the
 * consumer writes `running` then reads `active` (all seq_cst). One of the
 * two sees the other's write, so either the call is skipped or the
 * unsubscriber sees it in progress and waits. */
static void wait_not_running(jutsu_bus *bus, struct sub *s)
{
    pthread_mutex_lock(&bus->sub_lock);
    atomic_fetch_add(&bus->unsub_waiting, 1);
    while (atomic_load(&bus->running) == s)
        pthread_cond_wait(&bus->sub_idle, &bus->sub_lock);
    atomic_fetch_sub(&bus->unsub_waiting, 1);
    pthread_mutex_unlock(&bus->sub_lock);
}

int jutsu_bus_unsubscribe(jutsu_bus *bus, jutsu_sub_id id)
{
    if (bus == NULL || id == 0)
        return JUTSU_EINVAL;
    struct sub *s = NULL;
    struct sublist *old = NULL;
    pthread_mutex_lock(&bus->sub_lock);
    for (size_t i = 0; bus->subs != NULL && i < bus->subs->n && s == NULL; i++) {
        struct sub *c = bus->subs->v[i];
        if (c->id == id && atomic_load(&c->active))
            s = c;
    }
    if (s == NULL) {
        pthread_mutex_unlock(&bus->sub_lock);
        return JUTSU_ENOENT;
    }
    atomic_store(&s->active, 0);
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    /* Out of memory leaves the inactive entry in the list for the next
     * replacement to prune: unsubscribe itself cannot fail. */
    (void)sublist_replace(bus, NULL, &old);
    pthread_mutex_unlock(&bus->sub_lock);
    jutsu_bus_sublist_release(old);
    /* On the consumer's own thread the running callback is the caller. */
    if (!jutsu_bus_delivering(bus))
        wait_not_running(bus, s);
    sub_release(s);
    return 0;
}

/* The consumer's half of the handshake above. */
int jutsu_bus_sub_call(jutsu_bus *bus, struct sub *s, const jutsu_event *ev)
{
    int called = 0;
    atomic_store(&bus->running, s);
    if (atomic_load(&s->active)) {
        s->fn(ev, s->arg);
        called = 1;
    }
    atomic_store(&bus->running, NULL);
    if (atomic_load(&bus->unsub_waiting) > 0) {
        pthread_mutex_lock(&bus->sub_lock);
        pthread_cond_broadcast(&bus->sub_idle);
        pthread_mutex_unlock(&bus->sub_lock);
    }
    return called;
}

size_t jutsu_bus_sub_count(jutsu_bus *bus)
{
    size_t n = 0;
    pthread_mutex_lock(&bus->sub_lock);
    for (size_t i = 0; bus->subs != NULL && i < bus->subs->n; i++)
        n += (size_t)atomic_load(&bus->subs->v[i]->active);
    pthread_mutex_unlock(&bus->sub_lock);
    return n;
}
