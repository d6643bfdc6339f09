/*
 * core/bus/bus_topic.c — topic and pattern names: what a valid one looks
 * like, and whether a pattern matches a topic (syntax in jutsu/bus.h):
 * pure functions of their arguments. And each topic's counters
 * (published, delivered, dropped) for the metrics: a lock-free table, so
 * that counting adds no lock to a publish.
 */
#include <stdlib.h>
#include <string.h>

#include "bus/bus_int.h"

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static int name_valid(const char *s, int pattern)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (;;) {
        const char *seg = s;
        if (pattern && (*s == '*' || *s == '>')) {
            char w = *s++;
            if (*s != '\0' && (w == '>' || *s != '.'))
                return 0;
        } else {
            while (name_char(*s))
                s++;
            if (s == seg)
                return 0;
        }
        if (*s == '\0')
            return 1;
        if (*s != '.')
            return 0;
        s++;
    }
}

int jutsu_bus_pattern_valid(const char *pattern)
{
    return name_valid(pattern, 1);
}

int jutsu_bus_topic_valid(const char *topic)
{
    return name_valid(topic, 0);
}

/* Both arguments already validated: no checks for malformed input. */
int jutsu_bus_match_valid(const char *p, const char *t)
{
    for (;;) {
        if (*p == '>')
            return 1;   /* t is at the start of a non-empty segment */
        if (*p == '*') {
            p++;
            while (*t != '\0' && *t != '.')
                t++;
        } else {
            while (*p != '\0' && *p != '.' && *p == *t) {
                p++;
                t++;
            }
            if ((*p != '\0' && *p != '.') || (*t != '\0' && *t != '.'))
                return 0;
        }
        if (*p == '\0' || *t == '\0')
            return *p == *t;
        p++;
        t++;
    }
}

int jutsu_bus_match(const char *pattern, const char *topic)
{
    if (!jutsu_bus_pattern_valid(pattern) || !jutsu_bus_topic_valid(topic))
        return 0;
    return jutsu_bus_match_valid(pattern, topic);
}

/* --- per-topic counters ---------------------------------------------------- */

static struct topic_stat *stat_new(const char *topic)
{
    size_t n = strlen(topic);
    struct topic_stat *t = malloc(sizeof(*t) + n + 1);
    if (t == NULL)
        return NULL;
    atomic_init(&t->published, 0);
    atomic_init(&t->delivered, 0);
    atomic_init(&t->dropped, 0);
    memcpy(t->topic, topic, n + 1);
    return t;
}

struct topic_stat *jutsu_bus_topic_stat_other(void)
{
    return stat_new("_other");
}

struct topic_stat *jutsu_bus_topic_stat(jutsu_bus *bus, const char *topic)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const char *p = topic; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
    for (size_t k = 0; k < TOPIC_SLOTS; k++) {
        _Atomic(struct topic_stat *) *slot = &bus->topics[(h + k) & (TOPIC_SLOTS - 1)];
        struct topic_stat *t = atomic_load_explicit(slot, memory_order_acquire);
        if (t == NULL) {
            struct topic_stat *mine = stat_new(topic), *none = NULL;
            if (mine == NULL)
                return NULL;
            if (atomic_compare_exchange_strong_explicit(slot, &none, mine, memory_order_acq_rel,
                                                        memory_order_acquire))
                return mine;
            free(mine);   /* another publisher filled the slot first */
            t = none;
        }
        if (strcmp(t->topic, topic) == 0)
            return t;
    }
    return bus->other;
}

void jutsu_bus_topic_stats_free(jutsu_bus *bus)
{
    for (size_t i = 0; i < TOPIC_SLOTS; i++)
        free(atomic_load(&bus->topics[i]));
    free(bus->other);
    bus->other = NULL;
}

size_t jutsu_bus_topic_stats(jutsu_bus *bus, struct jutsu_bus_topic_stats *out, size_t max)
{
    size_t n = 0;
    if (bus == NULL)
        return 0;
    for (size_t i = 0; i <= TOPIC_SLOTS && n < max; i++) {
        struct topic_stat *t = i < TOPIC_SLOTS ? atomic_load_explicit(&bus->topics[i],
                                                                      memory_order_acquire)
                                               : bus->other;
        if (t == NULL || (t == bus->other && atomic_load(&t->published) +
                          atomic_load(&t->dropped) == 0))
            continue;
        out[n].topic = t->topic;
        out[n].published = atomic_load_explicit(&t->published, memory_order_relaxed);
        out[n].delivered = atomic_load_explicit(&t->delivered, memory_order_relaxed);
        out[n].dropped = atomic_load_explicit(&t->dropped, memory_order_relaxed);
        n++;
    }
    return n;
}
