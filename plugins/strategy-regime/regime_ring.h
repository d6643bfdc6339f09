/*
 * plugins/strategy-regime/regime_ring.h — the last `cap` values of a
 * series: the windows every indicator of strategy-regime reads (closes,
 * innovations, oscillators, volatilities).
 *
 * Two element types, one shape: struct regime_ring holds doubles (the
 * statistics), struct regime_mring holds jutsu_money_t (closes, kept
 * exact so that a moving average is an exact integer sum divided once).
 * Index 0 is the oldest value kept, len - 1 the newest; pushing onto a
 * full ring drops the oldest.
 *
 * A ring owns its storage (ring_alloc / ring_free); a zeroed ring is
 * empty and holds nothing to free. Nothing here is thread-safe: a ring
 * belongs to one instance, called from one thread at a time.
 */
#ifndef REGIME_RING_H
#define REGIME_RING_H

#include <stddef.h>
#include <stdlib.h>

#include "jutsu/money.h"

struct regime_ring {
    double *v;
    size_t  cap, len, head;   /* head: where the oldest value is */
};

struct regime_mring {
    jutsu_money_t *v;
    size_t         cap, len, head;
};

/* 0, or -1 when out of memory (the ring is then empty, cap 0). */
static inline int ring_alloc(struct regime_ring *r, size_t cap)
{
    r->v = calloc(cap, sizeof(*r->v));
    r->cap = r->v ? cap : 0;
    r->len = r->head = 0;
    return r->v ? 0 : -1;
}

static inline int mring_alloc(struct regime_mring *r, size_t cap)
{
    r->v = calloc(cap, sizeof(*r->v));
    r->cap = r->v ? cap : 0;
    r->len = r->head = 0;
    return r->v ? 0 : -1;
}

static inline void ring_free(struct regime_ring *r)
{
    free(r->v);
    r->v = NULL;
    r->cap = r->len = r->head = 0;
}

static inline void mring_free(struct regime_mring *r)
{
    free(r->v);
    r->v = NULL;
    r->cap = r->len = r->head = 0;
}

/* Forgets the values, keeps the storage. */
static inline void ring_clear(struct regime_ring *r)
{
    r->len = r->head = 0;
}

static inline void mring_clear(struct regime_mring *r)
{
    r->len = r->head = 0;
}

static inline void ring_push(struct regime_ring *r, double x)
{
    if (r->len < r->cap) {
        r->v[(r->head + r->len) % r->cap] = x;
        r->len++;
    } else {
        r->v[r->head] = x;
        r->head = (r->head + 1) % r->cap;
    }
}

static inline void mring_push(struct regime_mring *r, jutsu_money_t x)
{
    if (r->len < r->cap) {
        r->v[(r->head + r->len) % r->cap] = x;
        r->len++;
    } else {
        r->v[r->head] = x;
        r->head = (r->head + 1) % r->cap;
    }
}

/* The i-th oldest value, 0 <= i < len. */
static inline double ring_at(const struct regime_ring *r, size_t i)
{
    return r->v[(r->head + i) % r->cap];
}

static inline jutsu_money_t mring_at(const struct regime_mring *r, size_t i)
{
    return r->v[(r->head + i) % r->cap];
}

/* The k-th newest value, 0 <= k < len (0 is the newest). */
static inline double ring_back(const struct regime_ring *r, size_t k)
{
    return ring_at(r, r->len - 1 - k);
}

static inline jutsu_money_t mring_back(const struct regime_mring *r, size_t k)
{
    return mring_at(r, r->len - 1 - k);
}

#endif
